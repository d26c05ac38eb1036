/**
 * An embedded GGUF model run in this process by llama.cpp, through node-llama-cpp (installed by
 * `planarena llm setup`, see LlamaRuntime.ts): `--llm-gguf FILE`, or the cached default model.
 *
 * Replies are constrained by a grammar compiled from the reply's JSON schema (JsonGrammar.ts),
 * so every reply the model ends parses and matches the schema; the generation limit is raised to
 * the grammar's longest reply, so the limit never cuts one (SayCan's "invalid by construction is
 * impossible", for format).
 *
 * One model, one context, one sequence: generations run one at a time (parallel episodes in a
 * process queue here). The sequence is reused across requests, so the prompt prefix that did not
 * change (the system prompt) is not evaluated again. Sampling: greedy at temperature 0, seeded
 * above it; no repeat penalty (JSON repeats quotes and braces by design).
 *
 * Recorded per call: prompt tokens (the whole templated prompt, as an HTTP server reports it),
 * completion tokens, prompt-evaluation and generation times. Per planner: load time, weights and
 * context memory, GPU layers, threads (`runtimeStats`).
 */
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { LlmCallError, type ChatMessage, type ChatProvider, type ChatRequest, type ChatResult } from './ChatProvider.ts';
import { ConcurrencyLimit } from './ConcurrencyLimit.ts';
import { readGguf } from './gguf/Gguf.ts';
import { compileJsonGrammar, type CompiledGrammar } from './JsonGrammar.ts';
import { loadRuntime, RUNTIME_VERSION, type GpuChoice } from './LlamaRuntime.ts';

/** The slice of node-llama-cpp v3 used here (typed structurally: the package is optional). */
interface NodeLlamaCpp {
  getLlama(opts: {
    gpu: 'auto' | 'cuda' | 'vulkan' | 'metal' | false;
    build: 'never';
    progressLogs: boolean;
    logLevel: string;
    logger: (level: string, message: string) => void;
  }): Promise<Llama>;
  LlamaChatSession: new (opts: { contextSequence: Sequence; autoDisposeSequence: boolean }) => ChatSession;
  LlamaLogLevel: Record<string, string>;
  GgufArchitectureType: Record<string, string>;
}
interface Llama {
  readonly gpu: string | false;
  loadModel(opts: { modelPath: string; gpuLayers: 'auto' | 'max' | number }): Promise<LlamaModel>;
  createGrammar(opts: { grammar: string }): Promise<unknown>;
  getVramState(): Promise<{ used: number }>;
  dispose(): Promise<void>;
}
interface LlamaModel {
  readonly size: number;
  readonly gpuLayers: number;
  readonly tokenizer: unknown;
  createContext(opts: { contextSize: number; threads?: number; sequences: 1 }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}
interface LlamaContext {
  readonly contextSize: number;
  readonly currentThreads: number;
  readonly memoryUsage: { ram: number; vram: number };
  getSequence(): Sequence;
  dispose(): Promise<void>;
}
interface Sequence {
  readonly tokenMeter: { usedInputTokens: number; usedOutputTokens: number };
}
type HistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface ChatSession {
  readonly chatWrapper: { generateContextState(o: { chatHistory: HistoryItem[] }): { contextText: { tokenize(tokenizer: unknown): unknown[] } } };
  setChatHistory(history: HistoryItem[]): void;
  promptWithMeta(
    text: string,
    opts: {
      grammar?: unknown;
      maxTokens: number;
      temperature: number;
      seed?: number;
      signal: AbortSignal;
      repeatPenalty: false;
      onToken: () => void;
    },
  ): Promise<{ responseText: string; stopReason: string }>;
  dispose(opts: { disposeSequence: boolean }): void;
}

export interface LlamaCppOptions {
  file: string;
  timeoutMs: number;
  /** CPU threads; 0 lets node-llama-cpp choose (one per physical core). */
  threads: number;
  /** Context window in tokens: the prompt and the longest reply must fit. */
  contextSize: number;
  gpu: GpuChoice;
  /** Layers offloaded to the GPU: "auto" fits what the free VRAM holds. */
  gpuLayers: 'auto' | 'max' | number;
  /** The runtime folder (LlamaRuntime.runtimeDir()). */
  runtimeDir: string;
}

export class LlamaCppProvider implements ChatProvider {
  readonly describe: string;
  private readonly limit = new ConcurrencyLimit(1);
  private readonly grammars = new Map<string, Promise<{ grammar: unknown; compiled: CompiledGrammar }>>();
  private readonly sequence: Sequence;

  private constructor(
    private readonly mod: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly opts: LlamaCppOptions,
    private readonly load: { ms: number; vramMb: number },
  ) {
    this.describe = `node-llama-cpp ${RUNTIME_VERSION} ${basename(opts.file)} (${llama.gpu || 'cpu'})`;
    this.sequence = context.getSequence();
  }

  static async create(opts: LlamaCppOptions): Promise<LlamaCppProvider> {
    // The file first: a wrong file is the user's to fix whatever the runtime, and llama.cpp would
    // only say "Failed to load model".
    const info = await readGguf(opts.file);
    const mod = await loadRuntime<NodeLlamaCpp>(opts.runtimeDir);
    const logs: string[] = [];
    const started = performance.now();
    let llama: Llama;
    try {
      llama = await mod.getLlama({
        gpu: opts.gpu === 'none' ? false : opts.gpu,
        build: 'never', // never download and compile llama.cpp behind the user's back
        progressLogs: false,
        logLevel: mod.LlamaLogLevel.warn,
        logger: (level, message) => {
          if (level === mod.LlamaLogLevel.error || level === mod.LlamaLogLevel.fatal) logs.push(message.trim());
        },
      });
    } catch (e) {
      if ((e as Error).name === 'NoBinaryFoundError') {
        throw new UserError('E_LLM_RUNTIME', `--set llmGpu=${opts.gpu}: the runtime has no llama.cpp build for it: run \`planarena llm setup --gpu ${opts.gpu}\`, or use --set llmGpu=auto.`);
      }
      throw new UserError('E_LLM_RUNTIME', `the llama.cpp runtime did not start (${(e as Error).message}): run \`planarena llm setup\` again.`);
    }
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: opts.file, gpuLayers: opts.gpuLayers });
    } catch (e) {
      await llama.dispose();
      const reason = logs.find((l) => /error loading model/.test(l))?.replace(/^.*error loading model:\s*/, '') ?? (e as Error).message;
      const arch = info.architecture ?? '(none)';
      const known = Object.values(mod.GgufArchitectureType).includes(arch);
      const why = known ? reason : `architecture "${arch}" is not supported by llama.cpp in node-llama-cpp ${RUNTIME_VERSION}`;
      throw new UserError('E_LLM_MODEL', `model ${opts.file} could not be loaded: ${why}; use a GGUF model of a supported architecture (llama, qwen2, gemma, phi3, ...).`);
    }
    let context: LlamaContext;
    try {
      context = await model.createContext({ contextSize: opts.contextSize, threads: opts.threads || undefined, sequences: 1 });
    } catch (e) {
      await model.dispose();
      await llama.dispose();
      throw new UserError('E_LLM_MODEL', `model ${opts.file}: a context of ${opts.contextSize} tokens does not fit in memory (${(e as Error).message}): lower --set llmContextSize.`);
    }
    const ms = performance.now() - started;
    const vramMb = llama.gpu ? (await llama.getVramState()).used / 1e6 : 0;
    return new LlamaCppProvider(mod, llama, model, context, opts, { ms, vramMb });
  }

  complete(req: ChatRequest): Promise<ChatResult> {
    return this.limit.run(() => this.generate(req));
  }

  /** Per-planner figures for `episodeStats` (merged into every episode's plannerStats). */
  runtimeStats(): Record<string, number> {
    return {
      llmLoadMs: round(this.load.ms),
      llmModelMb: round(this.model.size / 1e6),
      llmContextMb: round((this.context.memoryUsage.ram + this.context.memoryUsage.vram) / 1e6),
      llmVramMb: round(this.load.vramMb),
      llmGpuLayers: this.model.gpuLayers,
      llmThreads: this.context.currentThreads,
      llmContextSize: this.context.contextSize,
    };
  }

  private async generate(req: ChatRequest): Promise<ChatResult> {
    const last = req.messages[req.messages.length - 1];
    if (!last || last.role !== 'user') throw new LlmCallError('bad_response', 'the conversation must end with a user message');
    const session = new this.mod.LlamaChatSession({ contextSequence: this.sequence, autoDisposeSequence: false });
    const started = performance.now();
    let firstToken = 0;
    try {
      const history = req.messages.slice(0, -1).map(toHistory);
      const g = req.schema ? await this.grammarFor(req.schema.schema) : undefined;
      // With a grammar the reply is bounded by the grammar; the token limit must not cut it.
      const maxTokens = g ? Math.max(req.maxTokens, g.compiled.maxBytes) : req.maxTokens;
      const promptTokens = session.chatWrapper
        .generateContextState({ chatHistory: [...history, { type: 'user', text: last.content }, { type: 'model', response: [] }] })
        .contextText.tokenize(this.model.tokenizer).length;
      if (promptTokens + maxTokens > this.context.contextSize) {
        throw new LlmCallError(
          'bad_response',
          `the prompt (${promptTokens} tokens) and the longest reply (${maxTokens}) do not fit the context of ${this.context.contextSize} tokens: raise --set llmContextSize`,
        );
      }
      session.setChatHistory(history);
      const meterIn = this.sequence.tokenMeter.usedInputTokens;
      const meterOut = this.sequence.tokenMeter.usedOutputTokens;
      const res = await session.promptWithMeta(last.content, {
        grammar: g?.grammar,
        maxTokens,
        temperature: req.temperature,
        seed: req.temperature > 0 ? req.seed : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        repeatPenalty: false,
        onToken: () => {
          if (!firstToken) firstToken = performance.now();
        },
      });
      const done = performance.now();
      const completionTokens = this.sequence.tokenMeter.usedOutputTokens - meterOut;
      const firstAt = firstToken || done;
      return {
        content: res.responseText,
        usage: { promptTokens, completionTokens, estimated: false },
        latencyMs: done - started,
        attempts: 1,
        replayed: false,
        ...(res.stopReason === 'maxTokens' ? { truncated: true } : {}),
        runtime: { evaluatedPromptTokens: this.sequence.tokenMeter.usedInputTokens - meterIn, promptMs: firstAt - started, generationMs: done - firstAt },
      };
    } catch (e) {
      if (e instanceof LlmCallError) throw e;
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new LlmCallError('timeout', `the embedded model did not answer within ${this.opts.timeoutMs} ms (raise --llm-timeout)`);
      }
      throw new LlmCallError('bad_response', `the embedded model failed: ${err.message}`);
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  private grammarFor(schema: Record<string, unknown>): Promise<{ grammar: unknown; compiled: CompiledGrammar }> {
    const key = JSON.stringify(schema);
    let g = this.grammars.get(key);
    if (!g) {
      const compiled = compileJsonGrammar(schema);
      g = this.llama.createGrammar({ grammar: compiled.gbnf }).then((grammar) => ({ grammar, compiled }));
      this.grammars.set(key, g);
    }
    return g;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

function toHistory(m: ChatMessage): HistoryItem {
  if (m.role === 'assistant') return { type: 'model', response: [m.content] };
  return { type: m.role, text: m.content };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
