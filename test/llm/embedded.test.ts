/**
 * The embedded LLM for real: llama.cpp (node-llama-cpp, installed by `planarena llm setup`)
 * runs the tiny random-weight GGUF model that test/support/tinyLlm.ts builds. Loading,
 * tokenising, grammar-constrained decoding, the planner over real episodes, token and latency
 * accounting, cassette record and replay. The model writes nonsense; what is proven is that
 * every reply it ends is valid against the reply schema, and that the plumbing around it works.
 *
 * Needs the runtime: without it these tests are skipped, unless PLANARENA_REQUIRE_LLM_RUNTIME=1
 * (CI sets it after `llm setup`), which turns the absence into a failure.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { LlmCallError, type ChatRequest } from '../../planners/llm/ChatProvider.ts';
import { LlamaCppProvider, type LlamaCppOptions } from '../../planners/llm/LlamaCppProvider.ts';
import { factory, type LlmPlanner } from '../../planners/llm/LlmPlanner.ts';
import { runtimeDir, runtimeInstalled } from '../../planners/llm/LlamaRuntime.ts';
import { PromptBuilder } from '../../planners/llm/PromptBuilder.ts';
import { PromptTemplates } from '../../planners/llm/PromptTemplates.ts';
import { directActionSchema, skillPlanSchema, validateDirectAction, validateSkillPlan } from '../../planners/llm/ReplyValidator.ts';
import { taskSpec } from '../../planners/Planner.ts';
import { skillsFor } from '../../planners/skills/index.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import { schemaViolation } from '../support/jsonSchemaCheck.ts';
import { writeTinyLlm } from '../support/tinyLlm.ts';
import { llmEpisode } from './harness.ts';

const installed = runtimeInstalled(runtimeDir());
if (!installed && process.env.PLANARENA_REQUIRE_LLM_RUNTIME === '1') {
  throw new Error(`PLANARENA_REQUIRE_LLM_RUNTIME=1 but the llama.cpp runtime is not in ${runtimeDir()}: run \`planarena llm setup\` first`);
}

const dir = mkdtempSync(join(tmpdir(), 'embedded-llm-'));
const tiny = join(dir, 'tiny.gguf');
/** One thread: the test machine is shared, and llama.cpp's spinning threads collapse under load. */
const FAST = { llmThreads: 1, llmContextSize: 16384 };

function options(file = tiny): LlamaCppOptions {
  return { file, timeoutMs: 60_000, threads: 1, contextSize: 16384, gpu: 'auto', gpuLayers: 'auto', runtimeDir: runtimeDir() };
}

/** The real first prompt of a scenario, as the planner builds it. */
async function firstPrompt(scenarioId: string, mode: 'skills' | 'direct') {
  const scenario = loadScenario(scenarioId);
  const env = await createEnv(scenario, { physics: 'deterministic' });
  try {
    const { obs } = env.reset({ seed: 3 });
    const task = taskSpec(scenario, env.actionSpace);
    const skills = mode === 'skills' ? skillsFor(scenario.robot.type, { arena: scenario.arena.size }) : [];
    const builder = new PromptBuilder(PromptTemplates.load(), task, mode, skills, mode === 'direct' ? 10 : 0, 8);
    const schema = mode === 'skills' ? skillPlanSchema(skills) : directActionSchema(env.actionSpace);
    return { messages: builder.messages(obs, [], []), schema, skills, obs, space: env.actionSpace };
  } finally {
    env.dispose();
  }
}

describe.skipIf(!installed)('embedded llama.cpp on a tiny random model', () => {
  let provider: LlamaCppProvider;
  beforeAll(async () => {
    await writeTinyLlm(tiny);
    provider = await LlamaCppProvider.create(options());
  });
  afterAll(async () => {
    await provider?.dispose();
  });

  it('loads, tokenises and decodes under the schema; counts tokens; greedy decoding repeats itself', async () => {
    const p = await firstPrompt('open-field', 'skills');
    const req: ChatRequest = { model: 'tiny.gguf', messages: p.messages, temperature: 0, maxTokens: 600, seed: 1, schema: p.schema };
    const a = await provider.complete(req);
    const b = await provider.complete(req);
    expect(b.content).toBe(a.content);
    const reply = JSON.parse(a.content);
    expect(schemaViolation(p.schema.schema, reply)).toBeNull();
    // Byte-level vocabulary with a few merges: tokens are between half the bytes and all of them,
    // plus the chat template's framing.
    const bytes = Buffer.byteLength(p.messages.map((m) => m.content).join(''), 'utf8');
    expect(a.usage.promptTokens).toBeGreaterThan(bytes / 2);
    expect(a.usage.promptTokens).toBeLessThan(bytes + 64);
    expect(a.usage.completionTokens).toBeGreaterThan(10);
    expect(a.usage.completionTokens).toBeLessThanOrEqual(Buffer.byteLength(a.content) + 1);
    expect(a.usage.estimated).toBe(false);
    expect(a.latencyMs).toBeGreaterThan(0);
    // The second call reuses the first's prompt prefix: far fewer tokens are evaluated.
    expect(a.runtime!.evaluatedPromptTokens).toBeGreaterThanOrEqual(a.usage.promptTokens - 1);
    expect(b.runtime!.evaluatedPromptTokens).toBeLessThan(a.usage.promptTokens / 4);
    const s = provider.runtimeStats();
    expect(s.llmLoadMs).toBeGreaterThan(0);
    expect(s.llmModelMb).toBeGreaterThan(1);
    expect(s.llmModelMb).toBeLessThan(4);
    expect(s).toMatchObject({ llmThreads: 1, llmContextSize: 16384, llmGpuLayers: expect.any(Number), llmContextMb: expect.any(Number) });
  });

  it('every reply is valid against its schema, over many seeds, in both modes', async () => {
    for (const mode of ['skills', 'direct'] as const) {
      const p = await firstPrompt(mode === 'skills' ? 'push-box' : 'open-field', mode);
      const seen = new Set<string>();
      const seeds = mode === 'skills' ? 6 : 8;
      for (let seed = 0; seed < seeds; seed++) {
        const res = await provider.complete({ model: 'tiny.gguf', messages: p.messages, temperature: 1, maxTokens: 600, seed, schema: p.schema });
        expect(res.truncated).toBeUndefined();
        const value = JSON.parse(res.content);
        expect(schemaViolation(p.schema.schema, value), `${mode} seed ${seed}: ${res.content}`).toBeNull();
        seen.add(res.content);
        if (mode === 'direct') {
          // Numbers within [-1, 1] by construction: the planner's own validator accepts every one.
          expect(validateDirectAction(res.content, p.space)).toMatchObject({ ok: true });
        } else {
          // Shape is guaranteed; object ids and ranges are the scene's to judge, never a format error.
          const v = validateSkillPlan(res.content, p.skills, p.obs);
          if (!v.ok) expect(v.category).not.toBe('format_error');
        }
      }
      expect(seen.size).toBeGreaterThan(seeds / 2); // the seed matters at temperature 1
    }
  });

  it('drives a real episode: the cached model is used with no flags; decisions, tokens and speed are recorded', async () => {
    process.env.PLANARENA_LLM_GGUF = tiny;
    try {
      const { record, decisions } = await llmEpisode('open-field', { ...FAST, llmModel: undefined, llmMode: 'direct' }, 1, 'turn', 2);
      expect(record.error).toBeUndefined();
      expect(decisions.length).toBeGreaterThanOrEqual(2);
      expect(record.failureCategories).toEqual({}); // direct mode: every action valid
      const s = record.plannerStats;
      expect(s.llmDecisions).toBe(decisions.length);
      expect(s.llmCalls).toBe(decisions.length);
      expect(s.llmTokensIn).toBeGreaterThan(1000 * decisions.length);
      expect(s.llmTokensOut).toBeGreaterThan(0);
      expect(s.llmGenTokensPerS).toBeGreaterThan(0);
      expect(s.llmPromptTokensPerS).toBeGreaterThan(0);
      expect(s.llmLatencyMsMean).toBeGreaterThan(0);
      expect(s).toMatchObject({ llmLoadMs: expect.any(Number), llmModelMb: expect.any(Number), llmThreads: 1 });
      for (const d of decisions) expect((d.llm as { validation: string }).validation).toBe('ok');
    } finally {
      delete process.env.PLANARENA_LLM_GGUF;
    }
  });

  it('records a cassette from the embedded model and replays it without the model, bit for bit', async () => {
    const cassette = join(dir, 'tiny-cassette.json');
    const base = { ...FAST, llmMode: 'direct', llmCassette: cassette };
    const rec = await llmEpisode('open-field', { ...base, llmGguf: tiny, llmRecord: true, llmModel: undefined }, 2, 'turn', 1.5);
    expect(rec.record.plannerStats.llmReplayedCalls).toBe(0);
    const file = JSON.parse(readFileSync(cassette, 'utf8')) as { entries: Record<string, { model: string }> };
    expect(Object.values(file.entries).map((e) => e.model)).toEqual(new Array(rec.decisions.length).fill('tiny.gguf'));
    const rep = await llmEpisode('open-field', { ...base, llmReplay: true, llmModel: undefined }, 2, 'turn', 1.5);
    expect(rep.record.trajectoryHash).toBe(rec.record.trajectoryHash);
    expect(rep.decisions.map((d) => (d.llm as { response: string }).response)).toEqual(rec.decisions.map((d) => (d.llm as { response: string }).response));
    expect(rep.record.plannerStats.llmReplayedCalls).toBe(rec.decisions.length);
    expect(rep.record.plannerStats.llmTokensIn).toBe(rec.record.plannerStats.llmTokensIn);
    expect(rep.record.plannerStats.llmLoadMs).toBeUndefined(); // no model was loaded
  });

  it('names its provider, model file and runtime for the manifest', async () => {
    const planner = (await factory.create({ config: { ...FAST, llmGguf: tiny } })) as LlmPlanner;
    try {
      expect(planner.provenance()).toEqual({ provider: expect.stringMatching(/^node-llama-cpp 3\.21\.1 tiny\.gguf \((cpu|cuda|vulkan|metal)\)$/), model: 'tiny.gguf', modelFile: tiny, modelSha256: null });
    } finally {
      await planner.dispose();
    }
  });

  it('a reply slower than --llm-timeout is a timeout (the episode ends with that category)', async () => {
    const slow = await LlamaCppProvider.create({ ...options(), timeoutMs: 1 });
    try {
      const p = await firstPrompt('open-field', 'direct');
      const req: ChatRequest = { model: 'tiny.gguf', messages: p.messages, temperature: 0, maxTokens: 600, schema: p.schema };
      const err = await slow.complete(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmCallError);
      expect(err).toMatchObject({ kind: 'timeout', category: 'timeout', message: expect.stringMatching(/did not answer within 1 ms \(raise --llm-timeout\)/) });
    } finally {
      await slow.dispose();
    }
  });

  it('a truncated file, a file that is not GGUF and an unsupported architecture each give one line naming the file', async () => {
    const whole = readFileSync(tiny);
    const cut = join(dir, 'cut.gguf');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const text = join(dir, 'notes.gguf');
    writeFileSync(text, 'these are not the weights you are looking for\n');
    const alien = join(dir, 'alien.gguf');
    await writeTinyLlm(alien, { architecture: 'planarena-nope' });
    const cases: [string, RegExp][] = [
      [cut, /is truncated: it has \d+ bytes of the \d+ its header describes/],
      [text, /is not a GGUF file \(it starts with "thes"/],
      [alien, /architecture "planarena-nope" is not supported by llama\.cpp in node-llama-cpp 3\.21\.1/],
    ];
    for (const [file, why] of cases) {
      const err = await LlamaCppProvider.create(options(file)).catch((e: unknown) => e);
      expect(isUserError(err) && err.code).toBe('E_LLM_MODEL');
      const msg = (err as Error).message;
      expect(msg).toContain(file);
      expect(msg).toMatch(why);
      expect(msg).not.toContain('\n');
    }
  });
});
