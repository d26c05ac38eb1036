import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { loadRun } from '../../core/runStore.ts';
import type { EpisodeRecord } from '../../core/records.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Two short scenarios × two cheap deterministic planners × two seeds: 8 episodes.
const PLAN = ['--scenarios', 'open-field,arm-reach', '--planners', 'random,scripted', '--seeds', '2'];

async function run(...args: string[]): Promise<number> {
  return main(['run', ...PLAN, ...args]);
}

/** scenario/planner/seed → trajectory hash. */
function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(loadRun(dir).records.map((r) => [`${r.scenario}/${r.planner}/${r.seed}`, r.trajectoryHash]));
}

let reference: Record<string, string>;
beforeAll(async () => {
  expect(await run('--out', join(tmp, 'seq'))).toBe(0);
  reference = hashes(join(tmp, 'seq'));
  expect(Object.keys(reference)).toHaveLength(8);
});

describe('parallel and sharded runs', () => {
  it('2 workers, shards merged, and a re-run from the manifest all reproduce the sequential hashes', async () => {
    expect(await run('--workers', '2', '--out', join(tmp, 'par'))).toBe(0);
    expect(hashes(join(tmp, 'par'))).toEqual(reference);

    expect(await run('--shard', '0/2', '--out', join(tmp, 'shard0'))).toBe(0);
    expect(await run('--shard', '1/2', '--workers', '2', '--out', join(tmp, 'shard1'))).toBe(0);
    const s0 = hashes(join(tmp, 'shard0'));
    const s1 = hashes(join(tmp, 'shard1'));
    expect(Object.keys(s0).length + Object.keys(s1).length).toBe(8);
    // A (scenario, seed) unit keeps all its planners in one shard: head-to-head pairs stay together.
    expect(Object.keys(s0).some((k) => k in s1)).toBe(false);
    expect(loadRun(join(tmp, 'shard1')).manifest.config.shard).toEqual({ index: 1, count: 2 });
    expect(await main(['merge', join(tmp, 'shard1'), join(tmp, 'shard0'), '--out', join(tmp, 'merged'), '--require-complete'])).toBe(0);
    expect(hashes(join(tmp, 'merged'))).toEqual(reference);
    expect(loadRun(join(tmp, 'merged')).records.map((r) => `${r.scenario}/${r.planner}/${r.seed}`)).toEqual(Object.keys(reference));

    expect(await main(['run', '--from', join(tmp, 'seq', 'manifest.json'), '--out', join(tmp, 'again')])).toBe(0);
    expect(hashes(join(tmp, 'again'))).toEqual(reference);
  });

  it('isolates a worker that dies mid-episode: that episode is an error, the run goes on', async () => {
    process.env.PLANARENA_WORKER_FAULT = 'exit:open-field:scripted:1';
    try {
      // The run completes and says, by its exit status (3), that an episode crashed.
      expect(await run('--workers', '2', '--out', join(tmp, 'crash'))).toBe(3);
    } finally {
      delete process.env.PLANARENA_WORKER_FAULT;
    }
    const records = loadRun(join(tmp, 'crash')).records;
    expect(records).toHaveLength(8);
    // The dead worker's queued episode went back to the pool: every episode ran exactly once.
    expect(new Set(records.map((r) => `${r.scenario}/${r.planner}/${r.seed}`)).size).toBe(8);
    const crashed = records.find((r) => r.scenario === 'open-field' && r.planner === 'scripted' && r.seed === 1)!;
    expect(crashed).toMatchObject({ success: false, failure: 'error' });
    expect(crashed.error).toMatch(/worker crashed: exit code 70/);
    for (const r of records) if (r !== crashed) expect(r.trajectoryHash).toBe(reference[`${r.scenario}/${r.planner}/${r.seed}`]);
  });

  it('resumes a killed run: only the missing episodes run, and the result equals an uninterrupted run', async () => {
    const dir = join(tmp, 'killed');
    const episodes = join(dir, 'episodes.jsonl');
    // Paced so that the kill lands mid-run; pacing only sleeps, it never changes results.
    const child = spawn(process.execPath, ['bin/planarena.mjs', 'run', ...PLAN, '--pace', '20', '--out', dir], { stdio: 'ignore' });
    const lines = () => (existsSync(episodes) ? readFileSync(episodes, 'utf8').split('\n').filter(Boolean).length : 0);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (lines() >= 2) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve();
      });
      child.on('error', reject);
    });
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    const before = lines();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(8);
    // A crash mid-write leaves a torn line; resume must not keep it.
    appendFileSync(episodes, '{"scenario":"open-fi');

    expect(await main(['run', '--resume', dir])).toBe(0);
    const records: EpisodeRecord[] = readFileSync(episodes, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(records).toHaveLength(8); // each episode exactly once: nothing re-ran
    expect(hashes(dir)).toEqual(reference);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).rows).toHaveLength(4);
  });

  it('Ctrl-C on a parallel run finishes the episodes in flight and leaves a valid partial run', async () => {
    const dir = join(tmp, 'interrupted');
    const episodes = join(dir, 'episodes.jsonl');
    const child = spawn(process.execPath, ['bin/planarena.mjs', 'run', ...PLAN, '--workers', '2', '--pace', '20', '--out', dir], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = () => (existsSync(episodes) ? readFileSync(episodes, 'utf8').split('\n').filter(Boolean).length : 0);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (lines() >= 1 || child.exitCode !== null) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 10);
    });
    expect(await exited).toBe(130);
    const partial = loadRun(dir).records;
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(8);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).rows.length).toBeGreaterThan(0);
    for (const r of partial) expect(r.trajectoryHash).toBe(reference[`${r.scenario}/${r.planner}/${r.seed}`]);

    expect(await main(['run', '--resume', dir, '--workers', '2'])).toBe(0);
    expect(hashes(dir)).toEqual(reference);
  });
});
