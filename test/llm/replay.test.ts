/**
 * Record → replay through the real CLI: identical trajectory hashes with no server, under the
 * realtime clock too, and the API key in no output file. Plus the shipped CI cassette.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { startLlmServer } from '../support/llmServer.ts';
import { llmEpisode, scripted, variant } from './harness.ts';
import { CI_CASSETTE, CI_MODEL } from './recordCiCassette.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'sk-replay-test-NEVER-WRITE-ME-7f3a';

/** `planarena run ...` as a child process (async, so the in-process server keeps answering). */
async function planarena(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/planarena.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

function episodes(dir: string): EpisodeRecord[] {
  return readFileSync(join(dir, 'episodes.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EpisodeRecord);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('record and replay', () => {
  it('replay needs no server and reproduces every trajectory hash; the key is in no output file', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'llm-replay-'));
    const cassette = join(tmp, 'cassette.json');
    // One malformed answer, so the correction exchange is recorded and replayed too.
    const server = await startLlmServer({ fallback: scripted(variant.malformed) });
    const common = ['run', '--scenarios', 'open-field,push-box', '--seeds', '2', '--planners', 'llm', '--clock', 'realtime', '--record', '--no-live', '--llm-cassette', cassette];
    let rec;
    try {
      rec = await planarena([...common, '--out', join(tmp, 'rec'), '--llm-url', server.url, '--llm-model', 'scripted', '--llm-record'], { PLANARENA_LLM_API_KEY: KEY });
    } finally {
      await server.close();
    }
    expect(rec.code, rec.output).toBe(0);
    expect(server.requests.length).toBeGreaterThanOrEqual(5);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);

    const rep = await planarena([...common, '--out', join(tmp, 'rep'), '--llm-replay'], { PLANARENA_LLM_API_KEY: KEY });
    expect(rep.code, rep.output).toBe(0);

    const recorded = episodes(join(tmp, 'rec'));
    const replayed = episodes(join(tmp, 'rep'));
    expect(recorded).toHaveLength(4);
    const key = (e: EpisodeRecord) => `${e.scenario}/${e.seed}`;
    const byKey = new Map(recorded.map((e) => [key(e), e]));
    for (const e of replayed) {
      const r = byKey.get(key(e))!;
      expect(e.trajectoryHash, key(e)).toBe(r.trajectoryHash);
      expect(e.steps).toBe(r.steps);
      expect(e.success).toBe(r.success);
      expect(e.failureCategories).toEqual(r.failureCategories);
      expect(e.plannerStats.llmReplayedCalls).toBe(e.plannerStats.llmCalls);
      expect(e.plannerStats.llmTokensIn).toBe(r.plannerStats.llmTokensIn);
    }
    expect(recorded[0].failureCategories).toEqual({ format_error: 1 });

    const outputs = [...filesUnder(join(tmp, 'rec')), ...filesUnder(join(tmp, 'rep')), cassette];
    expect(outputs.some((f) => f.includes('recordings'))).toBe(true);
    for (const f of outputs) expect(readFileSync(f, 'utf8').includes(KEY), f).toBe(false);
    expect(rec.output + rep.output).not.toContain(KEY);
  });

  it('the shipped CI cassette replays the smoke scenarios with no server', async () => {
    expect(existsSync(CI_CASSETTE)).toBe(true);
    const cassette = JSON.parse(readFileSync(CI_CASSETTE, 'utf8'));
    expect(cassette.note).toMatch(/not a real LLM/);
    const recorded = Object.values(cassette.entries) as { label: string; latencyMs: number }[];
    for (const scenario of ['open-field', 'push-box', 'arm-reach']) {
      const { record, thinkMs } = await llmEpisode(scenario, { llmModel: undefined, llmCassette: CI_CASSETTE, llmReplay: true }, 0);
      // The recorded latency is what --clock realtime charges, so realtime replays are exact too.
      expect(thinkMs[0]).toBe(recorded.find((e) => e.label === `${scenario} seed 0 decision 1`)!.latencyMs);
      expect(record.success, `${scenario}: ${record.error ?? ''} (prompts changed? re-record: npx tsx test/llm/recordCiCassette.ts)`).toBe(true);
      expect(record.plannerStats.llmReplayedCalls).toBeGreaterThan(0);
      expect(record.plannerStats.llmReplayedCalls).toBe(record.plannerStats.llmCalls);
    }
    expect(CI_MODEL).toBe('scripted-competent-policy');
  });

  it('a replay miss fails the run (not the episode) with one line naming the decision, in process and on workers', async () => {
    await expect(llmEpisode('open-field', { llmModel: undefined, llmCassette: CI_CASSETTE, llmReplay: true, llmTemperature: 0.7 }, 0)).rejects.toThrow(
      /has no reply for open-field seed 0 decision 1 \(model scripted-competent-policy.*record again with --llm-record/,
    );
    for (const workers of ['1', '2']) {
      const out = mkdtempSync(join(tmpdir(), 'planarena-miss-'));
      const r = spawnSync(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'open-field', '--planners', 'llm', '--seeds', '2', '--workers', workers, '--llm-cassette', CI_CASSETTE, '--llm-replay', '--set', 'llm-temperature=0.7', '--out', join(out, 'run')], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('planarena run:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/has no reply for open-field seed \d decision 1/);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
      rmSync(out, { recursive: true, force: true });
    }
  });
});
