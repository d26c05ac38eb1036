/**
 * The LLM planner's configuration: the settings declared in `settings.ts` (defaults and doc lines
 * live there), resolved once from `PlannerOptions.config`, checked for how they combine, then
 * frozen. Errors name the flag and the fix.
 *
 * The API key is not configuration: it is read from the environment by `apiKeyFromEnv` and
 * never stored here, because the resolved config is written into every run's manifest.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';
import { readSettings } from '../../core/settings.ts';
import type { GpuChoice } from './LlamaRuntime.ts';
import { defaultModelFile } from './ModelStore.ts';
import type { ResponseFormatMode } from './OpenAiProvider.ts';
import { LLM_SETTINGS } from './settings.ts';

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
  /** Append the scenario's strategy `hint`, when it has one, to the instruction (--llm-hints,
   * llmHints). An ablation: instructions state the task only; a hint says how. */
  hints: boolean;
}

/** Default K for direct mode when llmReplanEvery is not set: one decision per 10 control steps. */
export const DIRECT_DEFAULT_EVERY = 10;

/**
 * Resolves the declared settings (`planners/llm/settings.ts`) into the typed config, then checks
 * how they combine. `env` supplies the default embedded model (PLANARENA_LLM_GGUF,
 * PLANARENA_MODELS): with no --llm-url, --llm-gguf or --llm-replay, a model `planarena llm pull`
 * cached is used.
 */
export function resolveLlmConfig(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Readonly<LlmConfig> {
  const s = readSettings(LLM_SETTINGS.settings, raw);
  const text = (k: string) => (s[k] === null || s[k] === '' ? null : (s[k] as string));
  const mode = s.llmMode as LlmMode;
  const c: LlmConfig = {
    url: text('llmUrl'),
    model: text('llmModel'),
    mode,
    cassette: text('llmCassette'),
    record: s.llmRecord as boolean,
    replay: s.llmReplay as boolean,
    gguf: text('llmGguf'),
    threads: s.llmThreads as number,
    contextSize: s.llmContextSize as number,
    gpu: s.llmGpu as GpuChoice,
    gpuLayers: gpuLayers(s.llmGpuLayers as string),
    timeoutS: s.llmTimeout as number,
    replanEvery: (s.llmReplanEvery as number | null) ?? (mode === 'direct' ? DIRECT_DEFAULT_EVERY : 0),
    maxInvalid: s.llmMaxInvalid as number,
    maxAttempts: s.llmMaxAttempts as number,
    concurrency: s.llmConcurrency as number,
    retries: s.llmRetries as number,
    backoffS: s.llmBackoff as number,
    maxRetryWaitS: s.llmMaxRetryWait as number,
    prices: text('llmPrices'),
    temperature: s.llmTemperature as number,
    maxTokens: s.llmMaxTokens as number,
    responseFormat: s.llmResponseFormat as ResponseFormatMode,
    prompts: text('llmPrompts'),
    history: s.llmHistory as number,
    hints: s.llmHints as boolean,
  };

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

/** `auto`, `max` or a whole number of layers (`--set llm-gpu-layers`). */
function gpuLayers(v: string): LlmConfig['gpuLayers'] {
  if (v === 'auto' || v === 'max') return v;
  const n = /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) throw new UserError('E_LLM_CONFIG', `--set llm-gpu-layers must be auto, max or a whole number of layers >= 0; got ${JSON.stringify(v)}.`);
  return n;
}
