/**
 * Strategy hints are an ablation: a scenario's `hint` reaches the LLM's prompt only with
 * --llm-hints (llmHints), and the manifest records the setting. Against the scripted test
 * server (which ignores the text) the outcome is the same either way; what this proves is the
 * plumbing, not what a hint is worth to a real model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveLlmConfig } from '../../planners/llm/LlmConfig.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunFlags, plannerConfigFromFlags } from '../../cli/runFlags.ts';
import { runPipeline } from '../../runner/pipeline.ts';
import { CI_CASSETTE } from './recordCiCassette.ts';
import { startLlmServer, type ScriptedLlmServer } from '../support/llmServer.ts';
import { llmEpisode } from './harness.ts';

let server: ScriptedLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const userPrompt = (s: ScriptedLlmServer, k: number) => s.requests[k].body.messages.find((m) => m.role === 'user')!.content;

describe('--llm-hints', () => {
  it('is off by default, a switch, and named in errors', () => {
    expect(resolveLlmConfig({}).hints).toBe(false);
    expect(resolveLlmConfig({ llmHints: true }).hints).toBe(true);
    expect(() => resolveLlmConfig({ llmHints: 'sometimes' })).toThrow(/--llm-hints must be true or false \(default false\); got "sometimes"/);
  });

  it('the hint reaches the prompt only with llmHints; the instruction always does', async () => {
    const scenario = loadScenario('u-trap');
    expect(scenario.hint).toMatch(/go around the outside of the wall/);
    expect(scenario.instruction).not.toMatch(/outside of the wall|dead end/);
    server = await startLlmServer();
    const plain = await llmEpisode('u-trap', { llmUrl: server.url }, 0);
    const nPlain = server.requests.length;
    const hinted = await llmEpisode('u-trap', { llmUrl: server.url, llmHints: true }, 0);
    expect(userPrompt(server, 0)).toContain(`Task: ${scenario.instruction}\n`);
    expect(userPrompt(server, 0)).not.toContain('Hint:');
    expect(userPrompt(server, nPlain)).toContain(`Task: ${scenario.instruction}\nHint: ${scenario.hint}\n`);
    // The scripted server plans straight at the goal whatever it is told: same outcome.
    expect(hinted.record.success).toBe(plain.record.success);
  });

  it('a generated level carries a hint too, shown only with llmHints', async () => {
    const scenario = loadScenario('rooms-test-0');
    server = await startLlmServer();
    await llmEpisode('rooms-test-0', { llmUrl: server.url, llmHints: true, llmMaxInvalid: 0 }, 0);
    expect(userPrompt(server, 0)).toContain(`Task: ${scenario.instruction}\nHint: ${scenario.hint}`);
  });

  it('the run flag becomes llmHints in the planner config, which the manifest records', async () => {
    expect(plannerConfigFromFlags({ 'llm-hints': true })).toEqual({ llmHints: true });
    const out = mkdtempSync(join(tmpdir(), 'planarena-hints-'));
    try {
      const { source, exec } = parseRunFlags({ scenarios: 'open-field', planners: 'llm', seeds: '1', 'llm-hints': true, 'llm-cassette': CI_CASSETTE, 'llm-replay': true, out: join(out, 'run') });
      const result = await runPipeline(source, exec, { log: () => {}, progressStream: { write: () => true } }, { command: ['test'] });
      expect(result.config.plannerConfig).toMatchObject({ llmHints: true });
      expect(JSON.parse(readFileSync(join(out, 'run', 'manifest.json'), 'utf8')).config.plannerConfig).toMatchObject({ llmHints: true });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
