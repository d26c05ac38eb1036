/**
 * The seam between the LLM planner and whatever produces text: an OpenAI-compatible HTTP server,
 * an embedded llama.cpp model, or a cassette replaying either. The planner only ever sees
 * `ChatProvider.complete`, so record/replay and the failure taxonomy work the same for all.
 */
import type { FailureCategory } from '../Planner.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A JSON schema the reply must follow; sent as `response_format` where the server supports it,
 * compiled into a grammar by llama.cpp. */
export interface OutputSchema {
  name: string;
  schema: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** Sampling seed, for servers that honour it (OpenAI, vLLM, llama.cpp, Ollama). */
  seed?: number;
  schema?: OutputSchema;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the server sent no `usage` and the counts are estimated from the text. */
  estimated: boolean;
}

export interface ChatResult {
  content: string;
  usage: ChatUsage;
  /** Latency of the successful call, ms (recorded in cassettes and replayed for `--clock realtime`). */
  latencyMs: number;
  /** HTTP attempts made, including retries (1 when replayed). */
  attempts: number;
  /** True when the reply came from a cassette. */
  replayed: boolean;
  /** True when the server stopped at the token limit (`finish_reason: "length"`). */
  truncated?: boolean;
  /** Timings of an embedded model (absent for HTTP servers and replays). */
  runtime?: RuntimeTiming;
}

/** Where an embedded model's time went in one call. */
export interface RuntimeTiming {
  /** Prompt tokens actually evaluated (the rest were reused from the previous call's prefix). */
  evaluatedPromptTokens: number;
  /** From the call to the first generated token: prompt evaluation. */
  promptMs: number;
  /** From the first generated token to the last. */
  generationMs: number;
}

export interface ChatProvider {
  /** A short, key-free description for logs and the manifest, e.g. "openai-compatible http://127.0.0.1:11434/v1". */
  readonly describe: string;
  /** Asks for one completion. Throws `LlmCallError` when no usable reply came back. */
  complete(req: ChatRequest): Promise<ChatResult>;
  /** Per-planner figures of an embedded runtime (load time, memory, threads), merged into every
   * episode's plannerStats; absent for HTTP servers and replays. */
  runtimeStats?(): Record<string, number>;
  dispose?(): Promise<void> | void;
}

export type LlmCallErrorKind = 'timeout' | 'connection' | 'http' | 'bad_response' | 'unavailable';

/** A call that produced no usable reply, after retries. The message never contains the API key. */
export class LlmCallError extends Error {
  override readonly name = 'LlmCallError';
  constructor(
    readonly kind: LlmCallErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** Where the failure lands in the taxonomy: slow servers are `timeout`, the rest `llm_error`. */
  get category(): FailureCategory {
    return this.kind === 'timeout' ? 'timeout' : 'llm_error';
  }
}

/** Rough token count for servers that report no usage: ~4 characters per token for English and JSON. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  // Chat templates add a few tokens of framing per message.
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}
