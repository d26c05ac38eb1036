/**
 * From the resolved config to the `ChatProvider` the planner talks to, and the model name that
 * goes into every request (and every cassette key):
 *
 * | config                          | provider                                             |
 * |---------------------------------|------------------------------------------------------|
 * | --llm-url                       | OpenAI-compatible HTTP                               |
 * | --llm-gguf, or a cached model   | embedded llama.cpp (node-llama-cpp, `llm setup`)     |
 * | --llm-cassette + --llm-record   | cassette in front of one of the above                |
 * | --llm-cassette + --llm-replay   | cassette alone; the model defaults to the recorded one |
 */
import { basename } from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { ChatProvider } from './ChatProvider.ts';
import { Cassette } from './Cassette.ts';
import { CassetteProvider } from './CassetteProvider.ts';
import { runtimeDir, runtimeInstalled } from './LlamaRuntime.ts';
import { defaultModelFile } from './ModelStore.ts';
import { apiKeyFromEnv, type LlmConfig } from './LlmConfig.ts';
import { OpenAiProvider } from './OpenAiProvider.ts';

export const HOW_TO_CONNECT =
  'no LLM configured: connect one with --llm-url http://127.0.0.1:11434/v1 --llm-model llama3.1 (any OpenAI-compatible server; API key, if needed, in PLANARENA_LLM_API_KEY), ' +
  'embed one with `planarena llm setup && planarena llm pull` (or --llm-gguf FILE.gguf), or replay a cassette recorded for these scenarios with --llm-cassette FILE --llm-replay ' +
  '(the shipped planners/llm/cassettes/ci.json covers the smoke suite only); the other planners run without it';

/**
 * Why the LLM planner cannot run with `config`, in at most two short lines (the demo prints it
 * as its skip line), or null when it can: a URL, a replayed cassette, a model file, or a cached
 * model with the runtime installed.
 */
export function whyNoLlm(config: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | null {
  const has = (k: string) => config[k] !== undefined && config[k] !== null && config[k] !== '' && config[k] !== false;
  if (has('llmUrl') || has('llmGguf') || (has('llmCassette') && has('llmReplay'))) return null;
  const model = defaultModelFile(env);
  const runtime = runtimeInstalled(runtimeDir(env));
  if (model && runtime) return null;
  const server = 'or serve one: --llm-url URL --llm-model NAME';
  if (model) return `${model} is cached but the llama.cpp runtime is not installed:\n  run \`planarena llm setup\` (~85 MB), ${server}`;
  const steps = runtime ? '`planarena llm pull`' : '`planarena llm setup && planarena llm pull`';
  return `no LLM: ${steps} gets a 1 GB local model,\n  ${server}`;
}

export async function connectProvider(cfg: Readonly<LlmConfig>): Promise<{ provider: ChatProvider; model: string }> {
  const live = cfg.replay ? null : await liveProvider(cfg);
  let model = cfg.model;
  let provider: ChatProvider;
  if (cfg.cassette && (cfg.record || cfg.replay)) {
    const cassette = Cassette.open(cfg.cassette, cfg.replay ? 'replay' : 'record');
    provider = new CassetteProvider(cassette, cfg.replay ? 'replay' : 'record', live);
    if (!model && cfg.replay) {
      const models = cassette.models();
      if (models.length !== 1) {
        throw new UserError('E_LLM_CONFIG', `--llm-replay: ${cfg.cassette} holds ${models.length ? `models ${models.join(', ')}` : 'no exchanges'}; name one with --llm-model.`);
      }
      model = models[0];
    }
  } else if (live) {
    provider = live;
  } else {
    throw new UserError('E_LLM_CONFIG', `llm: ${HOW_TO_CONNECT}.`);
  }
  return { provider, model: model ?? (cfg.gguf ? basename(cfg.gguf) : 'default') };
}

/** The live model: HTTP or embedded llama.cpp; null when neither is configured. */
async function liveProvider(cfg: Readonly<LlmConfig>): Promise<ChatProvider | null> {
  if (cfg.url) {
    return new OpenAiProvider({
      url: cfg.url,
      apiKey: apiKeyFromEnv(),
      timeoutMs: cfg.timeoutS * 1000,
      retries: cfg.retries,
      backoffMs: cfg.backoffS * 1000,
      maxRetryWaitMs: cfg.maxRetryWaitS * 1000,
      concurrency: cfg.concurrency,
      responseFormat: cfg.responseFormat,
    });
  }
  if (cfg.gguf) {
    const { LlamaCppProvider } = await import('./LlamaCppProvider.ts');
    return LlamaCppProvider.create({
      file: cfg.gguf,
      timeoutMs: cfg.timeoutS * 1000,
      threads: cfg.threads,
      contextSize: cfg.contextSize,
      gpu: cfg.gpu,
      gpuLayers: cfg.gpuLayers,
      runtimeDir: runtimeDir(),
    });
  }
  return null;
}
