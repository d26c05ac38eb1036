/**
 * `npm run make-test-llm -- OUT.gguf [--seed N]`: writes the tiny random-weight llama model of
 * tinyLlm.ts (~2 MB). It loads and runs in llama.cpp (`--llm-gguf OUT.gguf`), and writes nonsense:
 * it exists to test the embedded runtime without downloading a real model.
 */
import { parseArgs } from 'node:util';
import { writeTinyLlm } from './tinyLlm.ts';

const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { seed: { type: 'string' } }, allowPositionals: true });
const out = positionals[0];
const seed = Number(values.seed ?? 0);
if (!out || !out.endsWith('.gguf') || !Number.isInteger(seed)) {
  console.error('usage: npm run make-test-llm -- OUT.gguf [--seed N]');
  process.exit(1);
}
const bytes = await writeTinyLlm(out, { seed });
console.log(`${out}: tiny random llama model (seed ${seed}), ${(bytes / 1e6).toFixed(2)} MB. It writes nonsense; use it to test the runtime: --llm-gguf ${out}`);
