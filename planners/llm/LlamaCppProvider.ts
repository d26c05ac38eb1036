/**
 * An embedded local model through the optional `node-llama-cpp` (v3) package: `--llm-gguf FILE`.
 * Output is constrained by a grammar compiled from the reply's JSON schema, so the model can
 * only produce well-formed plans (SayCan's "invalid by construction is impossible", for format).
 *
 * node-llama-cpp is a peer dependency, not installed by default (it downloads native binaries):
 * `npm install node-llama-cpp`. Its API is reached through a narrow structural type below, so
 * planarena type-checks without it. One generation at a time per model (one context sequence).
 */
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { LlmCallError, type ChatMessage, type ChatProvider, type ChatRequest, type ChatResult } from './ChatProvider.ts';
import { ConcurrencyLimit } from './ConcurrencyLimit.ts';

/** The slice of node-llama-cpp v3 used here. */
interface NodeLlamaCpp {
  getLlama(): Promise<Llama>;
  LlamaChatSession: new (opts: { contextSequence: unknown }) => ChatSession;
}
interface Llama {
  loadModel(opts: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: unknown): Promise<unknown>;
}
interface LlamaModel {
  createContext(): Promise<{ getSequence(): { dispose(): void }; dispose(): Promise<void> }>;
  tokenize(text: string): unknown[];
  dispose(): Promise<void>;
}
type HistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface ChatSession {
  setChatHistory(history: HistoryItem[]): void;
  prompt(text: string, opts: { grammar?: unknown; maxTokens?: number; temperature?: number; seed?: number; signal?: AbortSignal }): Promise<string>;
  dispose(): void;
}

/** JSON-schema keywords node-llama-cpp's grammar compiler understands. */
const KEEP = new Set(['type', 'properties', 'required', 'items', 'enum', 'const', 'oneOf', 'minItems', 'maxItems', 'additionalProperties', 'description']);

export class LlamaCppProvider implements ChatProvider {
  readonly describe: string;
  private readonly limit = new ConcurrencyLimit(1);
  private readonly grammars = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly mod: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: Awaited<ReturnType<LlamaModel['createContext']>>,
    private readonly timeoutMs: number,
    file: string,
  ) {
    this.describe = `node-llama-cpp ${basename(file)}`;
  }

  static async create(file: string, timeoutMs: number): Promise<LlamaCppProvider> {
    let mod: NodeLlamaCpp;
    try {
      const name = 'node-llama-cpp'; // a variable, so type-checking does not require the package
      mod = (await import(name)) as NodeLlamaCpp;
    } catch {
      throw new UserError(
        'E_LLM_GGUF',
        '--llm-gguf needs the optional package node-llama-cpp: run `npm install node-llama-cpp`, or serve the model with llama.cpp or Ollama and use --llm-url.',
      );
    }
    const llama = await mod.getLlama();
    const model = await llama.loadModel({ modelPath: file });
    const context = await model.createContext();
    return new LlamaCppProvider(mod, llama, model, context, timeoutMs, file);
  }

  complete(req: ChatRequest): Promise<ChatResult> {
    return this.limit.run(() => this.generate(req));
  }

  private async generate(req: ChatRequest): Promise<ChatResult> {
    const last = req.messages[req.messages.length - 1];
    if (!last || last.role !== 'user') throw new LlmCallError('bad_response', 'the conversation must end with a user message');
    const sequence = this.context.getSequence();
    const session = new this.mod.LlamaChatSession({ contextSequence: sequence });
    const started = performance.now();
    try {
      session.setChatHistory(req.messages.slice(0, -1).map(toHistory));
      const grammar = req.schema ? await this.grammarFor(req.schema.name, req.schema.schema) : undefined;
      const content = await session.prompt(last.content, {
        grammar,
        maxTokens: req.maxTokens,
        temperature: req.temperature,
        seed: req.seed,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const promptText = req.messages.map((m) => m.content).join('\n');
      return {
        content,
        usage: { promptTokens: this.model.tokenize(promptText).length, completionTokens: this.model.tokenize(content).length, estimated: false },
        latencyMs: performance.now() - started,
        attempts: 1,
        replayed: false,
      };
    } catch (e) {
      if (e instanceof LlmCallError) throw e;
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new LlmCallError('timeout', `the embedded model did not answer within ${this.timeoutMs} ms (raise --llm-timeout)`);
      }
      throw new LlmCallError('bad_response', `the embedded model failed: ${err.message}`);
    } finally {
      session.dispose();
      sequence.dispose();
    }
  }

  private grammarFor(name: string, schema: Record<string, unknown>): Promise<unknown> {
    const key = `${name}:${JSON.stringify(schema)}`;
    let g = this.grammars.get(key);
    if (!g) {
      g = this.llama.createGrammarForJsonSchema(grammarSchema(schema));
      this.grammars.set(key, g);
    }
    return g;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

function toHistory(m: ChatMessage): HistoryItem {
  if (m.role === 'assistant') return { type: 'model', response: [m.content] };
  return { type: m.role, text: m.content };
}

/** The schema in the dialect of node-llama-cpp's grammar compiler: `anyOf` becomes `oneOf`, and
 * keywords it does not know (numeric bounds) are dropped; the validator still checks them. */
export function grammarSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(grammarSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const key = k === 'anyOf' ? 'oneOf' : k;
    if (!KEEP.has(key)) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, grammarSchema(s)])) : grammarSchema(v);
  }
  return out;
}
