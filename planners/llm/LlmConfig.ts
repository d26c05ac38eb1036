/**
 * The LLM planner's configuration: typed defaults with a doc line each, resolved once from
 * `PlannerOptions.config` (CLI flags --llm-* and `--set key=value`, whose values arrive as
 * strings), validated, then frozen. Errors name the flag and the fix.
 *
 * The API key is not configuration: it is read from the environment by `apiKeyFromEnv` and
 * never stored here, because the resolved config is written into every run's manifest.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';
import { GPU_CHOICES, type GpuChoice } from './LlamaRuntime.ts';
import { defaultModelFile } from './ModelStore.ts';
import type { ResponseFormatMode } from './OpenAiProvider.ts';

export type LlmMode = 'skills' | 'direct';

export interface LlmConfig {
  /** OpenAI-compatible base URL including /v1 (--llm-url). */
  url: string | null;
  /** Model name sent to the server (--llm-model); for replay, defaults to the cassette's model. */
  model: string | null;
  /** skills: the LLM plans skill calls; direct: it outputs the low-level action (--llm-mode). */
  mode: LlmMode;
  /** Cassette file for record/replay (--llm-cassette). */
  cassette: string | null;
  /** Record new exchanges into the cassette (--llm-record). */
  record: boolean;
  /** Answer only from the cassette; no server needed (--llm-replay). */
  replay: boolean;
  /** Embedded llama.cpp model file (--llm-gguf). When neither this nor --llm-url nor a replay is
   * given, the default model: PLANARENA_LLM_GGUF, else a model `planarena llm pull` cached. */
  gguf: string | null;
  /** Embedded model: CPU threads, 0 = one per physical core (llmThreads). */
  threads: number;
  /** Embedded model: context window in tokens; the prompt and the longest reply must fit (llmContextSize). */
  contextSize: number;
  /** Embedded model: auto | cuda | vulkan | metal | none, the GPU backend (llmGpu). */
  gpu: GpuChoice;
  /** Embedded model: layers offloaded to the GPU, auto (what fits in free VRAM) | max | a number (llmGpuLayers). */
  gpuLayers: 'auto' | 'max' | number;
  /** Per-request timeout in seconds (--llm-timeout). */
  timeoutS: number;
  /** skills mode: seconds of simulated time between forced re-plans (0 = only when the plan ends or
   * a skill fails). direct mode: control steps between LLM decisions. (llmReplanEvery) */
  replanEvery: number;
  /** Invalid outputs allowed per episode before the episode is abandoned (llmMaxInvalid). */
  maxInvalid: number;
  /** Attempts per decision (first ask plus corrections) before the robot holds still and asks
   * again at the next step (llmMaxAttempts). */
  maxAttempts: number;
  /** In-flight requests per endpoint, shared by parallel episodes in a process (llmConcurrency). */
  concurrency: number;
  /** HTTP retries after the first attempt on 429/5xx/timeouts/refused connections (llmRetries). */
  retries: number;
  /** First retry backoff in seconds, doubling per retry, unless Retry-After says otherwise (llmBackoff). */
  backoffS: number;
  /** Longest wait between retries, seconds (llmMaxRetryWait). */
  maxRetryWaitS: number;
  /** Price table JSON file, USD per million tokens by model (llmPrices). */
  prices: string | null;
  /** Sampling temperature (llmTemperature). */
  temperature: number;
  /** Longest reply in tokens (llmMaxTokens). An embedded model answering under a grammar may
   * go up to the grammar's longest reply instead, so that no reply is cut mid-JSON. */
  maxTokens: number;
  /** auto | json_schema | json_object | none: how to ask for structured output (llmResponseFormat). */
  responseFormat: ResponseFormatMode;
  /** Directory of prompt templates replacing planners/llm/prompts (llmPrompts). */
  prompts: string | null;
  /** Lines of recent history shown to the model (llmHistory). */
  history: number;
}

const DEFAULTS: LlmConfig = {
  url: null,
  model: null,
  mode: 'skills',
  cassette: null,
  record: false,
  replay: false,
  gguf: null,
  threads: 0,
  contextSize: 8192,
  gpu: 'auto',
  gpuLayers: 'auto',
  timeoutS: 60,
  replanEvery: 0,
  maxInvalid: 10,
  maxAttempts: 3,
  concurrency: 4,
  retries: 3,
  backoffS: 1,
  maxRetryWaitS: 60,
  prices: null,
  temperature: 0,
  maxTokens: 600,
  responseFormat: 'auto',
  prompts: null,
  history: 8,
};

/** Default K for direct mode when llmReplanEvery is not set: one decision per 10 control steps. */
export const DIRECT_DEFAULT_EVERY = 10;

/** How each setting is spelled by the user, for error messages. */
const FLAG: Record<string, string> = {
  llmUrl: '--llm-url',
  llmModel: '--llm-model',
  llmMode: '--llm-mode',
  llmCassette: '--llm-cassette',
  llmRecord: '--llm-record',
  llmReplay: '--llm-replay',
  llmGguf: '--llm-gguf',
  llmTimeout: '--llm-timeout',
};
const flag = (key: string) => FLAG[key] ?? `--set ${key}`;

/**
 * Resolves and validates the planner's settings. `env` supplies the default embedded model
 * (PLANARENA_LLM_GGUF, PLANARENA_MODELS): with no --llm-url, --llm-gguf or --llm-replay, a model
 * `planarena llm pull` cached is used.
 */
export function resolveLlmConfig(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Readonly<LlmConfig> {
  const c: LlmConfig = { ...DEFAULTS };
  c.url = str(raw, 'llmUrl');
  c.model = str(raw, 'llmModel');
  c.mode = choice(raw, 'llmMode', ['skills', 'direct'], DEFAULTS.mode);
  c.cassette = str(raw, 'llmCassette');
  c.record = bool(raw, 'llmRecord');
  c.replay = bool(raw, 'llmReplay');
  c.gguf = str(raw, 'llmGguf');
  c.threads = int(raw, 'llmThreads', DEFAULTS.threads, 0);
  c.contextSize = int(raw, 'llmContextSize', DEFAULTS.contextSize, 256);
  c.gpu = choice(raw, 'llmGpu', GPU_CHOICES, DEFAULTS.gpu);
  c.gpuLayers = gpuLayers(raw);
  c.timeoutS = seconds(raw, 'llmTimeout', DEFAULTS.timeoutS);
  c.replanEvery = num(raw, 'llmReplanEvery', c.mode === 'direct' ? DIRECT_DEFAULT_EVERY : DEFAULTS.replanEvery, 0);
  c.maxInvalid = int(raw, 'llmMaxInvalid', DEFAULTS.maxInvalid, 0);
  c.maxAttempts = int(raw, 'llmMaxAttempts', DEFAULTS.maxAttempts, 1);
  c.concurrency = int(raw, 'llmConcurrency', DEFAULTS.concurrency, 1);
  c.retries = int(raw, 'llmRetries', DEFAULTS.retries, 0);
  c.backoffS = num(raw, 'llmBackoff', DEFAULTS.backoffS, 0);
  c.maxRetryWaitS = num(raw, 'llmMaxRetryWait', DEFAULTS.maxRetryWaitS, 0);
  c.prices = str(raw, 'llmPrices');
  c.temperature = num(raw, 'llmTemperature', DEFAULTS.temperature, 0);
  c.maxTokens = int(raw, 'llmMaxTokens', DEFAULTS.maxTokens, 16);
  c.responseFormat = choice(raw, 'llmResponseFormat', ['auto', 'json_schema', 'json_object', 'none'], DEFAULTS.responseFormat);
  c.prompts = str(raw, 'llmPrompts');
  c.history = int(raw, 'llmHistory', DEFAULTS.history, 0);

  if (c.mode === 'direct' && (c.replanEvery < 1 || !Number.isInteger(c.replanEvery))) {
    throw new UserError('E_LLM_CONFIG', `--set llmReplanEvery must be a whole number of control steps >= 1 in direct mode; got ${c.replanEvery}.`);
  }
  // The default model: only when nothing else answers (a configured --llm-url always wins).
  const fromEnv = !c.url && !c.gguf && !c.replay ? defaultModelFile(env) : null;
  if (fromEnv) c.gguf = fromEnv;
  if (c.record && c.replay) throw new UserError('E_LLM_CONFIG', '--llm-record and --llm-replay exclude each other: record once, then replay.');
  if ((c.record || c.replay) && !c.cassette) {
    throw new UserError('E_LLM_CONFIG', `${c.record ? '--llm-record' : '--llm-replay'} needs --llm-cassette FILE.`);
  }
  if (c.cassette && !c.record && !c.replay) {
    throw new UserError('E_LLM_CONFIG', `--llm-cassette ${c.cassette} needs --llm-record (write it) or --llm-replay (answer from it).`);
  }
  if (c.record && !c.url && !c.gguf) throw new UserError('E_LLM_CONFIG', '--llm-record needs a live model to record: add --llm-url URL (or --llm-gguf FILE).');
  if (c.url) {
    let u: URL;
    try {
      u = new URL(c.url);
    } catch {
      throw new UserError('E_LLM_CONFIG', `--llm-url "${c.url}" is not a URL; e.g. --llm-url http://127.0.0.1:11434/v1`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError('E_LLM_CONFIG', `--llm-url must be http:// or https://; got "${c.url}".`);
    if (u.username || u.password) throw new UserError('E_LLM_CONFIG', '--llm-url must not carry credentials; put the key in PLANARENA_LLM_API_KEY.');
    if (!c.model && !c.replay) throw new UserError('E_LLM_CONFIG', '--llm-url needs --llm-model NAME (e.g. --llm-model llama3.1).');
  }
  if (c.gguf && !c.replay && !existsSync(c.gguf)) {
    const given = fromEnv && env.PLANARENA_LLM_GGUF ? 'PLANARENA_LLM_GGUF' : '--llm-gguf';
    throw new UserError('E_LLM_CONFIG', `${given} ${c.gguf}: no such file.`);
  }
  if (c.prices && !existsSync(c.prices)) throw new UserError('E_LLM_CONFIG', `--set llmPrices=${c.prices}: no such file.`);
  if (c.prompts && !existsSync(c.prompts)) throw new UserError('E_LLM_CONFIG', `--set llmPrompts=${c.prompts}: no such directory.`);
  return Object.freeze(c);
}

/** The API key from PLANARENA_LLM_API_KEY, falling back to OPENAI_API_KEY. Local servers need none. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.PLANARENA_LLM_API_KEY || env.OPENAI_API_KEY || undefined;
}

function str(raw: Record<string, unknown>, key: string): string | null {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new UserError('E_LLM_CONFIG', `${flag(key)} must be a string; got ${JSON.stringify(v)}.`);
  return v;
}

function bool(raw: Record<string, unknown>, key: string): boolean {
  const v = raw[key];
  if (v === undefined || v === null || v === false || v === 'false' || v === '0') return false;
  if (v === true || v === 'true' || v === '1' || v === '') return true;
  throw new UserError('E_LLM_CONFIG', `${flag(key)} is a switch (true or false); got ${JSON.stringify(v)}.`);
}

function num(raw: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min) throw new UserError('E_LLM_CONFIG', `${flag(key)} must be a number >= ${min}; got ${JSON.stringify(v)}.`);
  return n;
}

/** Seconds, or a number with a unit: "30", "30s", "500ms". */
function seconds(raw: Record<string, unknown>, key: string, fallback: number): number {
  const v = raw[key];
  if (typeof v === 'string') {
    const m = v.trim().match(/^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?$/);
    if (m) {
      const n = Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
      if (n > 0) return n;
    }
    if (v.trim() !== '') throw new UserError('E_LLM_CONFIG', `${flag(key)} must be a time in seconds (e.g. 30, 30s or 500ms); got ${JSON.stringify(v)}.`);
  }
  return num(raw, key, fallback, 0.001);
}

function int(raw: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const n = num(raw, key, fallback, min);
  if (!Number.isInteger(n)) throw new UserError('E_LLM_CONFIG', `${flag(key)} must be a whole number >= ${min}; got ${JSON.stringify(raw[key])}.`);
  return n;
}

function gpuLayers(raw: Record<string, unknown>): LlmConfig['gpuLayers'] {
  const v = raw.llmGpuLayers;
  if (v === undefined || v === null || v === '') return DEFAULTS.gpuLayers;
  if (v === 'auto' || v === 'max') return v;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new UserError('E_LLM_CONFIG', `--set llmGpuLayers must be auto, max or a whole number of layers >= 0; got ${JSON.stringify(v)}.`);
  return n;
}

function choice<C extends string>(raw: Record<string, unknown>, key: string, choices: readonly C[], fallback: C): C {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new UserError('E_LLM_CONFIG', `${flag(key)} must be one of ${choices.join(', ')}; got ${JSON.stringify(v)}.`);
  }
  return v as C;
}
