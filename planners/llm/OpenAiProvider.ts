/**
 * OpenAI-compatible Chat Completions over HTTP: OpenAI, vLLM, Ollama (`/v1`), llama.cpp server,
 * LM Studio. One `POST {url}/chat/completions` per attempt, non-streaming.
 *
 * Reliability: a timeout per attempt; retries with exponential backoff on 408/429/5xx, refused
 * connections and timeouts, honouring `Retry-After` (seconds or an HTTP date); one concurrency
 * limit per endpoint shared by every planner in the process.
 *
 * Structured output: `responseFormat: 'auto'` sends `response_format: json_schema` and, when the
 * server rejects it with a 400 that mentions it, falls back to `json_object`, then to none, and
 * remembers the choice for the endpoint. The reply is validated by the planner either way.
 *
 * The API key travels only in the Authorization header. It is registered with the process-wide
 * scrubber (`core/secrets.ts`) and every reply and error message is scrubbed of it before anyone
 * sees it, so a server that echoes the header cannot put the key into a prompt, a recording, a
 * cassette or a log; and scrubbing here, before the cassette stores the reply, keeps record and
 * replay identical.
 */
import { performance } from 'node:perf_hooks';
import { registerSecret, scrubSecrets } from '../../core/secrets.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  estimatePromptTokens,
  estimateTokens,
  LlmCallError,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
} from './ChatProvider.ts';
import { sharedLimit, type ConcurrencyLimit } from './ConcurrencyLimit.ts';

export type ResponseFormatMode = 'auto' | 'json_schema' | 'json_object' | 'none';

/** Most bytes of one HTTP reply read. A 600-token plan is a few kilobytes; reading a runaway or
 * hostile 10 MB body whole cost ~600 MB of memory in strings and JSON. */
export const MAX_REPLY_BYTES = 1 << 20;
/** Largest token count believed in `usage` (a server reporting more is broken). */
export const MAX_USAGE_TOKENS = 10_000_000;

export interface OpenAiProviderOptions {
  /** Base URL including the API prefix, e.g. http://127.0.0.1:11434/v1. */
  url: string;
  apiKey?: string;
  /** Per-attempt timeout, ms. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff, ms; doubles per retry. */
  backoffMs: number;
  /** Longest wait between attempts, ms, whatever Retry-After says. */
  maxRetryWaitMs: number;
  concurrency: number;
  responseFormat: ResponseFormatMode;
}

/** Per-endpoint memory of the response_format the server accepted (auto mode). */
const ACCEPTED_FORMAT = new Map<string, ResponseFormatMode>();
const FALLBACK: Record<ResponseFormatMode, ResponseFormatMode | null> = { auto: 'json_schema', json_schema: 'json_object', json_object: 'none', none: null };
const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

export class OpenAiProvider implements ChatProvider {
  readonly describe: string;
  private readonly endpoint: string;
  private readonly limit: ConcurrencyLimit;

  constructor(private readonly opts: OpenAiProviderOptions) {
    const base = opts.url.replace(/\/+$/, '');
    this.endpoint = base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
    this.describe = `openai-compatible ${base}`;
    this.limit = sharedLimit(this.endpoint, opts.concurrency);
    registerSecret(opts.apiKey);
  }

  complete(req: ChatRequest): Promise<ChatResult> {
    return this.limit.run(() => this.withRetries(req));
  }

  private async withRetries(req: ChatRequest): Promise<ChatResult> {
    let last: LlmCallError | undefined;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      const outcome = await this.attempt(req);
      if (!(outcome instanceof LlmCallError)) return { ...outcome, attempts: attempt + 1 };
      last = outcome;
      const retryable = outcome.kind === 'timeout' || outcome.kind === 'connection' || (outcome.kind === 'http' && RETRYABLE.has(outcome.status ?? 0));
      if (!retryable || attempt === this.opts.retries) break;
      const wait = outcome.retryAfterMs ?? this.opts.backoffMs * 2 ** attempt;
      await sleep(Math.min(wait, this.opts.maxRetryWaitMs));
    }
    const tries = this.opts.retries + 1;
    throw new LlmCallError(last!.kind, `${last!.message} (after ${tries} attempt${tries === 1 ? '' : 's'})`, last!.status);
  }

  /** One HTTP exchange; returns the error instead of throwing so the retry loop stays flat. */
  private async attempt(req: ChatRequest): Promise<Omit<ChatResult, 'attempts'> | RetryableError> {
    for (;;) {
      const format = this.formatFor(req);
      const started = performance.now();
      let res: Response;
      let text: string;
      try {
        res = await fetch(this.endpoint, {
          method: 'POST',
          headers: this.headers(),
          body: JSON.stringify(this.body(req, format)),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        const body = await readCapped(res, MAX_REPLY_BYTES);
        if (body === null) {
          return new RetryableError('bad_response', `LLM server ${this.endpoint} sent a reply of more than ${MAX_REPLY_BYTES} bytes (HTTP ${res.status}), the limit; lower --set llm-max-tokens or check the server (limits: docs/limits.md)`);
        }
        text = body;
      } catch (e) {
        return this.transportError(e);
      }
      const latencyMs = performance.now() - started;
      if (res.status === 400 && this.opts.responseFormat === 'auto' && format !== 'none' && /response_format|json_schema|json_object|schema/i.test(text)) {
        // The server does not take this structured-output mode: step down and ask again.
        ACCEPTED_FORMAT.set(this.endpoint, FALLBACK[format]!);
        continue;
      }
      if (!res.ok) {
        const err = new RetryableError('http', `LLM server ${this.endpoint} answered HTTP ${res.status}: ${this.scrub(text).slice(0, 200)}`, res.status);
        err.retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        return err;
      }
      if (req.schema && format !== 'none') ACCEPTED_FORMAT.set(this.endpoint, format);
      return this.parse(text, req, latencyMs);
    }
  }

  private formatFor(req: ChatRequest): ResponseFormatMode {
    if (!req.schema) return 'none';
    if (this.opts.responseFormat !== 'auto') return this.opts.responseFormat;
    return ACCEPTED_FORMAT.get(this.endpoint) ?? 'json_schema';
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.apiKey) h.authorization = `Bearer ${this.opts.apiKey}`;
    return h;
  }

  private body(req: ChatRequest, format: ResponseFormatMode): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: req.model,
      messages: req.messages,
      temperature: req.temperature,
      max_tokens: req.maxTokens,
      stream: false,
    };
    if (req.seed !== undefined) body.seed = req.seed;
    if (req.schema && format === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name: req.schema.name, schema: req.schema.schema, strict: false } };
    } else if (req.schema && format === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    return body;
  }

  private parse(text: string, req: ChatRequest, latencyMs: number): Omit<ChatResult, 'attempts'> | RetryableError {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return new RetryableError('bad_response', `LLM server ${this.endpoint} sent a body that is not JSON: ${this.scrub(text).slice(0, 120)}`);
    }
    const j = json as { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[]; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } };
    const raw = j.choices?.[0]?.message?.content;
    // Some servers send content as an array of typed parts.
    const content = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('') : null;
    if (content === null) {
      return new RetryableError('bad_response', `LLM server ${this.endpoint} sent no choices[0].message.content`);
    }
    const pt = j.usage?.prompt_tokens;
    const ct = j.usage?.completion_tokens;
    const hasUsage = pt !== undefined || ct !== undefined;
    for (const [name, v] of [['prompt_tokens', pt], ['completion_tokens', ct]] as const) {
      if (hasUsage && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_USAGE_TOKENS)) {
        // Counts feed token totals and cost: a negative or absurd one would corrupt both silently.
        return new RetryableError('bad_response', `LLM server ${this.endpoint} sent usage.${name} = ${this.scrub(JSON.stringify(v) ?? 'nothing').slice(0, 40)}; token counts must be whole numbers from 0 to ${MAX_USAGE_TOKENS}`);
      }
    }
    return {
      // Scrubbed here, before a cassette stores it: a server echoing the key must not put it into
      // the next prompt, a recording or a file, and replay must see what record saw.
      content: this.scrub(content),
      usage: hasUsage
        ? { promptTokens: pt as number, completionTokens: ct as number, estimated: false }
        : { promptTokens: estimatePromptTokens(req.messages), completionTokens: estimateTokens(content), estimated: true },
      latencyMs,
      replayed: false,
      ...(j.choices?.[0]?.finish_reason === 'length' ? { truncated: true } : {}),
    };
  }

  private transportError(e: unknown): RetryableError {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return new RetryableError('timeout', `LLM server ${this.endpoint} did not answer within ${this.opts.timeoutMs} ms (raise it with --llm-timeout SECONDS)`);
    }
    const why = err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
    return new RetryableError('connection', `cannot reach LLM server ${this.endpoint}: ${this.scrub(why)} (is it running? check --llm-url)`);
  }

  private scrub(text: string): string {
    return scrubSecrets(text);
  }
}

class RetryableError extends LlmCallError {
  retryAfterMs?: number;
}

/**
 * The body as text, reading at most `cap` bytes; null (and the rest of the body discarded) when
 * it is longer, whatever Content-Length says.
 */
async function readCapped(res: Response, cap: number): Promise<string | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel().catch(() => undefined); // the connection is dropped either way
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined); // as above
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Retry-After: delta-seconds (fractions tolerated) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
