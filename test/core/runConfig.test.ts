/**
 * The run configuration's one path, manifest -> config -> manifest: every field survives the
 * round trip in memory and through the real commands that re-read manifests (`run --from`,
 * `run --resume`, `baseline update`, `ci`), single seeds included.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { isUserError } from '../../core/errors.ts';
import type { RunManifest } from '../../core/records.ts';
import { manifestConfig, parseRunConfig, type RunConfig } from '../../core/runConfig.ts';
import { loadRun } from '../../core/runStore.ts';
import { readBaseline } from '../../evaluation/baseline.ts';
import { readRecording } from '../../sim/recording.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const quiet = async (argv: string[]): Promise<{ code: number; err: string }> => {
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const log = console.error;
  console.error = (...a: unknown[]) => void (err += `${a.join(' ')}\n`);
  try {
    return { code: await main(argv), err };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
    console.error = log;
  }
};

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RunManifest;

const BASE: RunConfig = {
  suite: null,
  scenarios: ['arm-reach'],
  planners: ['scripted'],
  seeds: [3],
  physics: 'deterministic',
  lidar: 'analytic',
  observation: 'state',
  record: false,
  clock: 'turn',
  plannerConfig: {},
  scenarioHashes: { 'arm-reach': 'a'.repeat(64) },
  inputHashes: {},
};

describe('manifest -> config -> manifest', () => {
  it('round-trips every field in memory', () => {
    const variants: RunConfig[] = [
      BASE,
      { ...BASE, suite: 'smoke', seeds: [0, 1, 2] },
      { ...BASE, seeds: [7, 3, 11] },
      { ...BASE, lidar: 'rapier', physics: 'fast', clock: 'realtime', record: true, observation: 'sensor' },
      { ...BASE, plannerConfig: { wmSamples: 64, oraclePrior: false, llmUrl: 'http://127.0.0.1:1/v1', llmTimeout: 2.5 } },
      { ...BASE, shard: { index: 1, count: 3 }, skippedPlanners: { llm: 'no LLM configured' }, inputHashes: { 'world-model:checkpoint:arm': 'b'.repeat(64) } },
      { ...BASE, scenarioFiles: { 'arm-reach': '/tmp/elsewhere/arm-reach.json' } },
      { ...BASE, observationSpecs: { scripted: { tier: 'state', reads: 'robot state, goal, objects, lidar' }, bc: { tier: 'sensor', reads: 'obs.flat', inputLayout: { arm: ['goal@7+4', 'lidar@11+16'] } } } },
    ];
    for (const c of variants) {
      const json = JSON.parse(JSON.stringify(manifestConfig(c)));
      const back = parseRunConfig(json, 'manifest.json');
      expect(back).toEqual(manifestConfig(c));
      expect(JSON.parse(JSON.stringify(manifestConfig(back)))).toEqual(json);
    }
  });

  it('refuses a manifest with wrong types in one line naming the field', () => {
    const bad = { ...BASE, seeds: ['3'] };
    let message = '';
    try {
      parseRunConfig(bad, 'runs/x/manifest.json');
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^runs\/x\/manifest\.json: \$\.config\.seeds\[0\]: expected a number, found a string "3"/);
    expect(message).not.toMatch(/\n/);
  });

  it('reads manifests written before lidar and scenario hashes existed', () => {
    const { lidar: _l, scenarioHashes: _h, observation: _o, inputHashes: _i, ...old } = BASE;
    expect(parseRunConfig(old, 'm.json')).toMatchObject({ lidar: 'analytic', observation: 'state', scenarioHashes: {}, inputHashes: {} });
  });

  it('keeps a single seed, lidar, clock and planner settings through run --from and --resume', async () => {
    const first = join(tmp, 'single');
    const args = ['run', '--scenarios', 'arm-reach', '--planners', 'scripted,random', '--seeds', '3-3', '--lidar', 'rapier', '--physics', 'fast', '--set', 'random-hold=2', '--out', first];
    expect((await quiet(args)).code).toBe(0);
    const m1 = manifestOf(first);
    expect(m1.config).toMatchObject({ seeds: [3], lidar: 'rapier', physics: 'fast', plannerConfig: { randomHold: 2 } });
    const hashes = loadRun(first).records.map((r) => r.trajectoryHash);

    // --from: the same configuration, the same episodes.
    const again = join(tmp, 'again');
    expect((await quiet(['run', '--from', join(first, 'manifest.json'), '--out', again])).code).toBe(0);
    expect(manifestOf(again).config).toEqual(m1.config);
    expect(loadRun(again).records.map((r) => r.trajectoryHash)).toEqual(hashes);

    // --resume after losing the last episode runs exactly that one, seed 3, again.
    const lines = readFileSync(join(first, 'episodes.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(first, 'episodes.jsonl'), `${lines[0]}\n`);
    const resumed = await quiet(['run', '--resume', first]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/1 of 2 episodes already done/);
    const after = loadRun(first);
    expect(after.records.map((r) => `${r.planner}/${r.seed}`)).toEqual(['scripted/3', 'random/3']);
    expect(after.records.map((r) => r.trajectoryHash)).toEqual(hashes);
    expect(manifestOf(first).config).toEqual(m1.config);

    // The realtime clock charges measured thinking time, so only its configuration is compared.
    const rt = join(tmp, 'realtime');
    expect((await quiet(['run', '--scenarios', 'arm-reach', '--planners', 'random', '--seeds', '5', '--clock', 'realtime', '--out', rt])).code).toBe(0);
    expect((await quiet(['run', '--from', rt, '--out', join(tmp, 'realtime-again')])).code).toBe(0);
    expect(manifestOf(join(tmp, 'realtime-again')).config).toEqual(manifestOf(rt).config);
    expect(manifestOf(rt).config).toMatchObject({ clock: 'realtime', seeds: [0, 1, 2, 3, 4] });
  });

  it('baseline update keeps a single seed and the lidar; ci re-runs that same configuration', async () => {
    const file = join(tmp, 'baseline.json');
    const made = await quiet(['baseline', 'update', '--suite', 'smoke', '--planners', 'scripted', '--seeds', '2-2', '--lidar', 'rapier', '--out', file, '--run-dir', join(tmp, 'b-run')]);
    expect(made.code).toBe(0);
    const baseline = readBaseline(file);
    expect(baseline.config.seeds).toEqual([2]);
    expect(baseline.config.lidar).toBe('rapier');
    const ci = await quiet(['ci', '--baseline', file, '--out', join(tmp, 'ci-run')]);
    expect(ci.code).toBe(0);
    expect(manifestOf(join(tmp, 'ci-run')).config).toMatchObject({ seeds: [2], lidar: 'rapier' });
  });
});

describe('the pipeline', () => {
  it('--workers 2 --record leaves a complete recording for every episode when the run returns', async () => {
    const dir = join(tmp, 'rec');
    expect((await quiet(['run', '--scenarios', 'arm-reach,open-field', '--planners', 'random,scripted', '--seeds', '2', '--workers', '2', '--record', '--out', dir])).code).toBe(0);
    const { records } = loadRun(dir);
    expect(records).toHaveLength(8);
    for (const r of records) {
      expect(r.recording).toBeDefined();
      expect(existsSync(join(dir, r.recording!))).toBe(true);
      const rec = await readRecording(join(dir, r.recording!));
      expect(rec.trajectoryHash).toBe(r.trajectoryHash);
      expect(rec.steps).toHaveLength(r.steps);
    }
  });

  it('refuses --live with more than one worker instead of silently not streaming', async () => {
    const r = await quiet(['run', '--scenarios', 'arm-reach', '--planners', 'random', '--seeds', '1', '--live', '--workers', '2', '--out', join(tmp, 'live2')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--live shows episodes as they run in this process; it cannot watch worker threads\. Drop --workers 2/);
  });

  it('refuses an unknown --set key before anything runs', async () => {
    const r = await quiet(['run', '--scenarios', 'arm-reach', '--planners', 'world-model', '--seeds', '1', '--set', 'wm-samplez=2', '--out', join(tmp, 'typo')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--set wm-samplez: unknown planner setting; did you mean "wm-samples"\?/);
    expect(existsSync(join(tmp, 'typo'))).toBe(false);
  });
});

describe('provenance', () => {
  it("hashes the planners' inputs into the manifest; --from and --resume refuse drift unless --allow-drift", async () => {
    const base = join(tmp, 'drift');
    const scenario = join(tmp, 'mine.json');
    writeFileSync(scenario, readFileSync(join('scenarios', 'files', 'arm-reach.json'), 'utf8').replace('"id": "arm-reach"', '"id": "mine"'));
    const args = ['run', '--scenarios', scenario, '--planners', 'random,world-model', '--seeds', '1', '--out', base];
    expect((await quiet(args)).code).toBe(0);
    const m = manifestOf(base);
    expect(Object.keys(m.config.inputHashes)).toEqual(['world-model:checkpoint:arm']);
    for (const h of Object.values(m.config.inputHashes)) expect(h).toMatch(/^[0-9a-f]{64}$/);

    // Edit the scenario file: both --from and --resume name what changed and refuse.
    writeFileSync(scenario, readFileSync(scenario, 'utf8').replace('"timeLimit": 10', '"timeLimit": 11'));
    const from = await quiet(['run', '--from', base, '--out', join(tmp, 'drift-again')]);
    expect(from.code).toBe(1);
    expect(from.err).toMatch(/--from .*: scenario mine changed \(hash [0-9a-f]{12} → [0-9a-f]{12}\)\. The results would not be comparable/);
    const resume = await quiet(['run', '--resume', base]);
    expect(resume.code).toBe(1);
    expect(resume.err).toMatch(/scenario mine changed/);
    const allowed = await quiet(['run', '--from', base, '--out', join(tmp, 'drift-allowed'), '--allow-drift']);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/going on despite drift \(--allow-drift\): scenario mine changed/);
  });
});
