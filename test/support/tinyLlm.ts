/**
 * A tiny llama-architecture GGUF model with random weights (~2 MB), built here so that the tests
 * run the real llama.cpp runtime end to end (load, tokenise, grammar-constrained decoding) with no
 * model download. It writes nothing sensible: what it proves is the plumbing, never plan quality.
 *
 * | part       | value                                                                      |
 * |------------|----------------------------------------------------------------------------|
 * | arch       | llama: 2 blocks, n_embd 128, 4 heads (2 KV heads, GQA), FFN 384, RMSNorm   |
 * | vocabulary | byte-level BPE (GPT-2 byte mapping): 256 byte tokens, a few merges,        |
 * |            | <|endoftext|>, <|im_start|>, <|im_end|> as control tokens                  |
 * | chat       | ChatML template in `tokenizer.chat_template`; EOS = <|im_end|>             |
 * | weights    | F32, uniform in ±1/sqrt(fan_in), from a seeded stream (same seed, same file); |
 * |            | one constant residual feature raises the logit of `"` (shorter strings)    |
 *
 * `npm run make-test-llm -- OUT.gguf [--seed N]` writes one.
 */
import { Rng } from '../../sim/rng.ts';
import { GgufWriter } from '../../planners/llm/gguf/GgufWriter.ts';

export interface TinyLlmOptions {
  seed?: number;
  /** Logit boost of the `"` token (see `tinyLlm`); 0 leaves the weights purely random. */
  quoteBias?: number;
  /** Overrides `general.architecture` (to build a file no runtime supports, for error tests). */
  architecture?: string;
}

const N_EMBD = 128;
const N_LAYER = 2;
const N_HEAD = 4;
const N_HEAD_KV = 2;
const N_FF = 384;
const HEAD_DIM = N_EMBD / N_HEAD;
const CONTEXT = 32768;
const QUOTE_BIAS = 4;

const MERGES = ['Ġ t', 'Ġ a', 'e r', 'i n', 'o n', '" :', 'Ġ "'];
export const TINY_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's reversible byte → printable character map, so every byte is one vocabulary entry. */
export function byteToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const map: string[] = new Array(256);
  for (const b of bs) map[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (map[b] === undefined) map[b] = String.fromCodePoint(256 + n++);
  return map;
}

export function tinyLlm(opts: TinyLlmOptions = {}): GgufWriter {
  const rng = Rng.fromKey(`tiny-llm\u0000${opts.seed ?? 0}`);
  const bytes = byteToUnicode();
  const tokens = [...bytes, ...MERGES.map((m) => m.replace(' ', '')), ...TINY_SPECIALS];
  const types = tokens.map((_, i) => (i >= tokens.length - TINY_SPECIALS.length ? 3 : 1)); // 1 normal, 3 control
  const nVocab = tokens.length;
  const id = (t: string) => tokens.indexOf(t);
  const arch = opts.architecture ?? 'llama';

  const w = new GgufWriter()
    .string('general.architecture', arch)
    .string('general.name', 'planarena tiny random llama (test model, random weights)')
    .u32('general.file_type', 0)
    .u32(`${arch}.vocab_size`, nVocab)
    .u32(`${arch}.context_length`, CONTEXT)
    .u32(`${arch}.embedding_length`, N_EMBD)
    .u32(`${arch}.block_count`, N_LAYER)
    .u32(`${arch}.feed_forward_length`, N_FF)
    .u32(`${arch}.attention.head_count`, N_HEAD)
    .u32(`${arch}.attention.head_count_kv`, N_HEAD_KV)
    .u32(`${arch}.rope.dimension_count`, HEAD_DIM)
    .f32(`${arch}.rope.freq_base`, 10000)
    .f32(`${arch}.attention.layer_norm_rms_epsilon`, 1e-5)
    .string('tokenizer.ggml.model', 'gpt2')
    .string('tokenizer.ggml.pre', 'default')
    .strings('tokenizer.ggml.tokens', tokens)
    .i32s('tokenizer.ggml.token_type', types)
    .strings('tokenizer.ggml.merges', MERGES)
    .u32('tokenizer.ggml.bos_token_id', id('<|endoftext|>'))
    .u32('tokenizer.ggml.eos_token_id', id('<|im_end|>'))
    .u32('tokenizer.ggml.padding_token_id', id('<|endoftext|>'))
    .bool('tokenizer.ggml.add_bos_token', false)
    .string('tokenizer.chat_template', CHATML);

  const rand = (n: number, fanIn: number) => {
    const a = 1 / Math.sqrt(fanIn);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.uniform(-a, a);
    return out;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const kvDim = HEAD_DIM * N_HEAD_KV;

  // Residual feature 0 is constant across tokens, so it reaches the output like a bias: its
  // output weight for `"` raises that token's logit. Random strings then end after a few dozen
  // characters instead of running to the grammar's cap, which keeps the tests fast.
  const embd = rand(N_EMBD * nVocab, 1);
  for (let t = 0; t < nVocab; t++) embd[t * N_EMBD] = 1;
  w.tensor('token_embd.weight', [N_EMBD, nVocab], embd);
  for (let l = 0; l < N_LAYER; l++) {
    const b = `blk.${l}`;
    w.tensor(`${b}.attn_norm.weight`, [N_EMBD], ones(N_EMBD));
    w.tensor(`${b}.attn_q.weight`, [N_EMBD, N_EMBD], rand(N_EMBD * N_EMBD, N_EMBD));
    w.tensor(`${b}.attn_k.weight`, [N_EMBD, kvDim], rand(N_EMBD * kvDim, N_EMBD));
    w.tensor(`${b}.attn_v.weight`, [N_EMBD, kvDim], rand(N_EMBD * kvDim, N_EMBD));
    w.tensor(`${b}.attn_output.weight`, [N_EMBD, N_EMBD], rand(N_EMBD * N_EMBD, N_EMBD));
    w.tensor(`${b}.ffn_norm.weight`, [N_EMBD], ones(N_EMBD));
    w.tensor(`${b}.ffn_gate.weight`, [N_EMBD, N_FF], rand(N_EMBD * N_FF, N_EMBD));
    w.tensor(`${b}.ffn_up.weight`, [N_EMBD, N_FF], rand(N_EMBD * N_FF, N_EMBD));
    w.tensor(`${b}.ffn_down.weight`, [N_FF, N_EMBD], rand(N_FF * N_EMBD, N_FF));
  }
  w.tensor('output_norm.weight', [N_EMBD], ones(N_EMBD));
  // Larger output weights spread the logits, so sampling at temperature 1 varies with the seed.
  const out = rand(N_EMBD * nVocab, 4);
  out[id('"') * N_EMBD] = opts.quoteBias ?? QUOTE_BIAS;
  w.tensor('output.weight', [N_EMBD, nVocab], out);
  return w;
}

/** Writes the tiny model to `file`; returns its size in bytes. */
export function writeTinyLlm(file: string, opts: TinyLlmOptions = {}): Promise<number> {
  return tinyLlm(opts).write(file);
}
