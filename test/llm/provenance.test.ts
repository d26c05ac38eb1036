/**
 * Which model answered is part of every LLM result: the model the server reports (a concrete
 * build of the name asked for) and its `system_fingerprint` go into each episode record's
 * `plannerMeta`, through a cassette too; the prompt templates, the price table and a replayed
 * cassette are hashed into the manifest (`config.inputHashes`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { factory } from '../../planners/llm/LlmPlanner.ts';
import { competentPolicy, startLlmServer } from '../support/llmServer.ts';
import { llmEpisode } from './harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-llm-provenance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LLM provenance', () => {
  it("records the server's reported model and fingerprint per episode, and replays them from a cassette", async () => {
    const server = await startLlmServer({ fallback: competentPolicy, reportedModel: 'llama3.1:8b-instruct-q4_K_M', fingerprint: 'fp_44709d6fcb' });
    const cassette = join(tmp, 'c.json');
    try {
      const live = await llmEpisode('arm-reach', { llmUrl: server.url, llmModel: 'llama3.1', llmCassette: cassette, llmRecord: true }, 0, 'turn', 2);
      expect(live.record.plannerMeta).toMatchObject({ llmModel: 'llama3.1', llmModelReported: 'llama3.1:8b-instruct-q4_K_M', llmFingerprint: 'fp_44709d6fcb' });
      expect(live.record.plannerMeta!.llmProvider).toMatch(/openai-compatible/);
    } finally {
      await server.close();
    }
    const replay = await llmEpisode('arm-reach', { llmModel: undefined, llmCassette: cassette, llmReplay: true }, 0, 'turn', 2);
    expect(replay.record.plannerMeta).toMatchObject({ llmModelReported: 'llama3.1:8b-instruct-q4_K_M', llmFingerprint: 'fp_44709d6fcb' });
    expect(replay.record.trajectoryHash).toBeTruthy();
  });

  it('names the inputs whose content shapes its results', () => {
    const inputs = factory.inputs!({ config: { llmCassette: 'planners/llm/cassettes/ci.json', llmReplay: true } }, ['arm']);
    expect(Object.keys(inputs).sort()).toEqual(['cassette', 'prices', 'prompts']);
  });
});
