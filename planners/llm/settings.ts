/**
 * Settings of the LLM planner, declared once (see core/settings.ts); `LlmConfig.ts` resolves them
 * into the typed, frozen `LlmConfig` and checks how they combine. The API key is not a setting:
 * it comes from the environment only (PLANARENA_LLM_API_KEY or OPENAI_API_KEY).
 */
import type { SettingsGroup } from '../../core/settings.ts';

export const LLM_SETTINGS: SettingsGroup = {
  planners: ['llm'],
  settings: [
    { key: 'llmUrl', type: 'string', default: null, flag: true, doc: 'OpenAI-compatible base URL including /v1, e.g. http://127.0.0.1:11434/v1' },
    { key: 'llmModel', type: 'string', default: null, flag: true, doc: "model name sent to the server (replay: defaults to the cassette's model)" },
    { key: 'llmMode', type: 'choice', default: 'skills', choices: ['skills', 'direct'], flag: true, doc: 'skills: the LLM plans skill calls; direct: it outputs the low-level action' },
    { key: 'llmTimeout', type: 'seconds', default: 60, flag: true, doc: 'per-request timeout' },
    { key: 'llmCassette', type: 'string', default: null, flag: true, doc: 'cassette file for record/replay of every exchange' },
    { key: 'llmRecord', type: 'boolean', default: false, flag: true, doc: 'record new exchanges into the cassette (needs a live model)' },
    { key: 'llmReplay', type: 'boolean', default: false, flag: true, doc: 'answer only from the cassette; no server needed' },
    { key: 'llmGguf', type: 'string', default: null, flag: true, doc: 'embedded llama.cpp model file (GGUF), run in process (default: PLANARENA_LLM_GGUF, else a model `planarena llm pull` cached)' },
    { key: 'llmThreads', type: 'integer', default: 0, min: 0, max: 1024, doc: 'embedded model: CPU threads (0 = one per physical core)' },
    { key: 'llmContextSize', type: 'integer', default: 8192, min: 256, max: 1048576, doc: 'embedded model: context window in tokens (prompt plus the longest reply must fit)' },
    { key: 'llmGpu', type: 'choice', default: 'auto', choices: ['auto', 'cuda', 'vulkan', 'metal', 'none'], doc: 'embedded model: GPU backend (none = CPU only)' },
    { key: 'llmGpuLayers', type: 'string', default: 'auto', doc: 'embedded model: layers offloaded to the GPU: auto, max or a number' },
    { key: 'llmReplanEvery', type: 'number', default: null, min: 0, doc: 'skills: simulated seconds between forced re-plans (default 0: only when the plan ends or a skill fails); direct: control steps between decisions (default 10)' },
    { key: 'llmMaxInvalid', type: 'integer', default: 10, min: 0, doc: 'invalid outputs allowed per episode before the episode is abandoned' },
    { key: 'llmMaxAttempts', type: 'integer', default: 3, min: 1, doc: 'attempts per decision (first ask plus corrections) before the robot holds still' },
    { key: 'llmConcurrency', type: 'integer', default: 4, min: 1, doc: 'in-flight requests per endpoint, shared by parallel episodes in a process' },
    { key: 'llmRetries', type: 'integer', default: 3, min: 0, doc: 'HTTP retries on 429/5xx, timeouts and refused connections' },
    { key: 'llmBackoff', type: 'number', default: 1, min: 0, doc: 'first retry backoff in seconds, doubling per retry, unless Retry-After says otherwise' },
    { key: 'llmMaxRetryWait', type: 'number', default: 60, min: 0, doc: 'longest wait between retries, seconds' },
    { key: 'llmPrices', type: 'string', default: null, doc: 'price table JSON file, USD per million tokens by model (default planners/llm/prices.json)' },
    { key: 'llmTemperature', type: 'number', default: 0, min: 0, doc: 'sampling temperature' },
    { key: 'llmMaxTokens', type: 'integer', default: 600, min: 16, doc: 'longest reply in tokens' },
    { key: 'llmResponseFormat', type: 'choice', default: 'auto', choices: ['auto', 'json_schema', 'json_object', 'none'], doc: 'how to ask the server for structured output' },
    { key: 'llmPrompts', type: 'string', default: null, doc: 'directory of prompt templates replacing planners/llm/prompts' },
    { key: 'llmHistory', type: 'integer', default: 8, min: 0, doc: 'lines of recent history shown to the model' },
    { key: 'llmHints', type: 'boolean', default: false, flag: true, doc: "ablation: add each scenario's strategy hint to the instruction (instructions state the task only)" },
  ],
};
