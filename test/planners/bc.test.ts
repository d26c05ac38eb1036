/**
 * The behaviour-cloning baseline end to end: `planarena train bc` on one scenario with a tiny
 * budget writes a checkpoint; it loads; the planner reads the world model's input and acts the
 * same way twice; `run --planners bc` reports it under its name with its input layout in the
 * manifest; a damaged checkpoint is one line naming the file and the fix; without a checkpoint
 * the planner is unavailable with the command that makes one.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord, RunManifest } from '../../core/records.ts';
import { loadBcCheckpoint } from '../../planners/baselines/bc/BcCheckpoint.ts';
import { taskSpec } from '../../planners/Planner.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { observationLayout } from '../../planners/world-model/io/observationLayout.ts';
import { inputLayout } from '../../planners/world-model/io/sceneFeatures.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-bc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function planarena(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), ...args], { cwd: tmp, timeout: 170_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The first `steps` actions of a fresh bc planner on open-field, seed 5. */
async function actions(config: Record<string, unknown>, steps: number): Promise<number[][]> {
  const scenario = loadScenario('open-field');
  const env = await createEnv(scenario);
  const planner = await (await getPlannerFactory('bc')).create({ config });
  try {
    let { obs } = env.reset({ seed: 5 });
    await planner.reset(taskSpec(scenario, env.actionSpace), 5);
    const out: number[][] = [];
    for (let t = 0; t < steps; t++) {
      const { action } = await planner.act(obs);
      out.push(action);
      const r = env.step(action);
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    return out;
  } finally {
    await planner.dispose();
    env.dispose();
  }
}

describe('bc', () => {
  const ck = join(tmp, 'ck');
  let trained: Awaited<ReturnType<typeof planarena>>;
  beforeAll(async () => {
    await selectBackend('wasm');
    trained = await planarena(['train', 'bc', '--scenarios', 'open-field', '--out', ck, '--steps', '20', '--episodes', '1']);
  }, 180_000);

  it('trains on one scenario into a checkpoint that loads with the world model\'s input layout', () => {
    expect(trained.stderr).not.toMatch(/Error|internal/);
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout.trim().split('\n').at(-1)!) as { robot: string; step: number; episodes: number; finalLoss: number };
    expect(summary).toMatchObject({ robot: 'diffdrive', step: 20, episodes: 2 });
    expect(Number.isFinite(summary.finalLoss)).toBe(true);
    const { policy, meta } = loadBcCheckpoint(join(ck, 'diffdrive'), { robot: 'diffdrive', actionDim: 2, obsLayout: observationLayout('diffdrive') });
    try {
      expect(meta.obsLayout).toEqual(inputLayout(observationLayout('diffdrive'), true));
      expect(meta.training).toMatchObject({ step: 20, episodes: 2 });
    } finally {
      policy.dispose();
    }
  });

  it('acts deterministically: two planners give the same actions, in [-1, 1]', async () => {
    const a = await actions({ bcCheckpoint: ck }, 25);
    const b = await actions({ bcCheckpoint: ck }, 25);
    expect(a.length).toBe(25);
    expect(b).toEqual(a);
    for (const act of a) for (const v of act) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(new Set(a.map((x) => x.join(','))).size).toBeGreaterThan(1);
  }, 60_000);

  it('runs from the CLI under its name; the manifest records its input layout', async () => {
    const r = await planarena(['run', '--scenarios', 'open-field', '--planners', 'bc,scripted', '--seeds', '2-2', '--bc-checkpoint', ck, '--out', 'run']);
    expect(r.stderr).not.toMatch(/Error|skipping/);
    expect(r.code).toBe(0);
    const records = readFileSync(join(tmp, 'run', 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpisodeRecord);
    expect(records.map((x) => x.planner).sort()).toEqual(['bc', 'scripted']);
    const manifest = JSON.parse(readFileSync(join(tmp, 'run', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.config.observationSpecs!.bc).toEqual({ tier: 'state', reads: 'obs.flat, then every listed object as a set (io/sceneFeatures.ts)', inputLayout: { diffdrive: inputLayout(observationLayout('diffdrive'), true) } });
    expect(manifest.config.observationSpecs!.scripted).toMatchObject({ tier: 'state' });
    expect(Object.keys(manifest.config.inputHashes)).toContain('bc:checkpoint:diffdrive');
  }, 180_000);

  it('refuses a corrupt checkpoint in one line naming the file and the fix', async () => {
    const bad = join(tmp, 'bad');
    cpSync(ck, bad, { recursive: true });
    const weights = join(bad, 'diffdrive', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[100] ^= 0xff;
    writeFileSync(weights, bytes);
    const r = await planarena(['run', '--scenarios', 'open-field', '--planners', 'bc', '--seeds', '1', '--bc-checkpoint', bad, '--out', 'bad-run']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^planarena run: .*diffdrive\/policy\.json: .*weights\.bin is corrupt \(SHA-256 does not match policy\.json\)\. Retrain it with `planarena train bc/);

    writeFileSync(join(bad, 'diffdrive', 'policy.json'), '{"format": "planarena-bc", ');
    const r2 = await planarena(['run', '--scenarios', 'open-field', '--planners', 'bc', '--seeds', '1', '--bc-checkpoint', bad, '--out', 'bad-run2']);
    expect(r2.code).toBe(1);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toMatch(/policy\.json is not valid JSON .*Retrain it with `planarena train bc/);
  }, 120_000);

  it('runs on the shipped checkpoints by default; a missing --bc-checkpoint is unavailable, saying how to make one', async () => {
    const factory = await getPlannerFactory('bc');
    expect(factory.unavailable?.({ config: {} })).toBeNull();
    expect(factory.unavailable?.({ config: { bcCheckpoint: join(tmp, 'nowhere') } })).toMatch(/--bc-checkpoint .*nowhere does not exist; train one with `planarena train bc/);
  });
});
