/**
 * `planarena run` as a real subprocess: the run directory's files, reproducibility of
 * trajectory hashes, refusal to overwrite, and one-line errors.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord, RunManifest, RunSummary } from '../../core/records.ts';
import { readRecording } from '../../sim/recording.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'planarena.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function planarena(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: '1' }, timeout: 110_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EpisodeRecord);

const RUN = ['run', '--suite', 'smoke', '--planners', 'random,scripted', '--seeds', '2'];

describe('planarena run', () => {
  let first: Awaited<ReturnType<typeof planarena>>;
  beforeAll(async () => {
    first = await planarena([...RUN, '--out', 'a']);
  });

  it('writes a well-formed manifest, episode log and summary', () => {
    expect(first.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(first.code).toBe(0);
    const dir = join(tmp, 'a');

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.config).toMatchObject({ suite: 'smoke', planners: ['random', 'scripted'], seeds: [0, 1], physics: 'deterministic', record: false, clock: 'turn', plannerConfig: {} });
    expect(manifest.command).toEqual(['planarena', ...RUN, '--out', 'a']);
    expect(manifest.versions['@dimforge/rapier3d-deterministic-compat']).toBe('0.21.0');
    expect(manifest.machine.cores).toBeGreaterThan(0);
    expect(manifest.git.commit === null || /^[0-9a-f]{40}$/.test(manifest.git.commit)).toBe(true);

    const scenarios = manifest.config.scenarios;
    expect(Object.keys(manifest.config.scenarioHashes ?? {})).toEqual(scenarios);
    for (const h of Object.values(manifest.config.scenarioHashes ?? {})) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarios.length).toBeGreaterThan(0);
    const records = readJsonl(join(dir, 'episodes.jsonl'));
    expect(records).toHaveLength(scenarios.length * 2 * 2);
    for (const r of records) {
      expect(r.trajectoryHash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.steps).toBeGreaterThan(0);
      expect(r.simTime).toBeGreaterThan(0);
      expect(r.success === (r.failure === null)).toBe(true);
      expect(r.error).toBeUndefined();
      for (const k of ['return', 'pathLength', 'collisions', 'finalGoalDistance', 'plannerMsP50', 'plannerMsP95', 'wallSeconds', 'shortestPath', 'shortestTime', 'efficiency', 'spl'] as const) {
        expect(Number.isFinite(r[k]), k).toBe(true);
      }
      expect(r.plannerMsP95).toBeGreaterThanOrEqual(r.plannerMsP50);
    }
    // Scenario, then seed, then planner.
    expect(records.slice(0, 4).map((r) => `${r.seed}:${r.planner}`)).toEqual(['0:random', '0:scripted', '1:random', '1:scripted']);

    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.suite).toBe('smoke');
    expect(summary.rows).toHaveLength(scenarios.length * 2);
    for (const row of summary.rows) {
      expect(row.episodes).toBe(2);
      expect(row.ci95[0]).toBeLessThanOrEqual(row.successRate);
      expect(row.ci95[1]).toBeGreaterThanOrEqual(row.successRate);
      // Success first, then efficiency; the normalised return uses the frozen anchors even
      // though no oracle ran here.
      expect(row.efficiency).toBeGreaterThanOrEqual(0);
      expect(row.efficiency).toBeLessThanOrEqual(1);
      expect(row.normalizedScore).not.toBeNull();
      expect(row.normalizedScore).toBeGreaterThanOrEqual(0);
      expect(row.normalizedScore).toBeLessThanOrEqual(1);
    }

    // The table and the paths on stdout.
    expect(first.stdout).toMatch(/scenario\s+planner\s+n\s+success % \[95% CI\]\s+efficiency \[95% CI\]/);
    expect(first.stdout).toContain(`${join('a', 'episodes.jsonl')} (${records.length} episodes)`);
  });

  it('reproduces trajectory hashes in a second run directory', async () => {
    const second = await planarena([...RUN, '--out', 'b']);
    expect(second.code).toBe(0);
    const hashes = (dir: string) => readJsonl(join(tmp, dir, 'episodes.jsonl')).map((r) => `${r.scenario}/${r.planner}/${r.seed} ${r.trajectoryHash} ${r.return}`);
    expect(hashes('b')).toEqual(hashes('a'));
  });

  it('--lidar rapier (Rapier ray casts) is recorded in the manifest and gives the analytic run\'s results', async () => {
    const r = await planarena([...RUN, '--out', 'lidar-rapier', '--lidar', 'rapier']);
    expect(r.code, r.stderr).toBe(0);
    expect(readManifest('lidar-rapier').config.lidar).toBe('rapier');
    expect(readManifest('a').config.lidar).toBe('analytic');
    const key = (e: EpisodeRecord) => `${e.scenario}/${e.planner}/${e.seed}`;
    const base = new Map(readJsonl(join(tmp, 'a', 'episodes.jsonl')).map((e) => [key(e), e]));
    const rapier = readJsonl(join(tmp, 'lidar-rapier', 'episodes.jsonl'));
    expect(rapier).toHaveLength(base.size);
    // Ranges agree to ~1e-6 m, so the same decisions follow: success and collisions are the same.
    for (const e of rapier) {
      expect(e.success, key(e)).toBe(base.get(key(e))!.success);
      expect(e.collisions, key(e)).toBe(base.get(key(e))!.collisions);
    }
  });

  it('refuses to overwrite an existing run directory', async () => {
    const before = readFileSync(join(tmp, 'a', 'episodes.jsonl'), 'utf8');
    const again = await planarena([...RUN, '--out', 'a']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/run directory a already exists and is not empty\. Pass a new --out DIR, or --force/);
    expect(readFileSync(join(tmp, 'a', 'episodes.jsonl'), 'utf8')).toBe(before);
  });

  it('--force replaces only the run files', async () => {
    mkdirSync(join(tmp, 'c'));
    writeFileSync(join(tmp, 'c', 'notes.txt'), 'mine');
    writeFileSync(join(tmp, 'c', 'episodes.jsonl'), 'stale\n');
    const forced = await planarena(['run', '--scenarios', readManifest('a').config.scenarios[0], '--planners', 'random', '--seeds', '7-7', '--out', 'c', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(tmp, 'c', 'notes.txt'), 'utf8')).toBe('mine');
    const records = readJsonl(join(tmp, 'c', 'episodes.jsonl'));
    expect(records.map((r) => r.seed)).toEqual([7]);
  });

  it('--record writes a replayable recording per episode with the same trajectory hash', async () => {
    const r = await planarena(['run', '--scenarios', 'arm-reach', '--planners', 'scripted', '--seeds', '2', '--record', '--out', 'rec']);
    expect(r.code).toBe(0);
    const records = readJsonl(join(tmp, 'rec', 'episodes.jsonl'));
    expect(records.map((x) => x.recording)).toEqual([join('recordings', 'arm-reach', 'scripted', 'seed-0.json'), join('recordings', 'arm-reach', 'scripted', 'seed-1.json')]);
    for (const record of records) {
      const recording = await readRecording(join(tmp, 'rec', record.recording!));
      expect(recording.trajectoryHash).toBe(record.trajectoryHash);
      expect(recording.steps).toHaveLength(record.steps);
      expect(recording.meta).toMatchObject({ scenario: 'arm-reach', planner: 'scripted', seed: record.seed, result: { success: record.success } });
    }
    expect(r.stdout).toContain('recordings/ (2 recordings)');
  });

  it.each([
    [['run', '--suite', 'smoke', '--planners', 'nope'], /unknown planner "nope"\. Valid planners: random, scripted, oracle/],
    [['run', '--suite', 'nosuch', '--planners', 'random'], /unknown suite "nosuch".*valid suites: .*smoke/i],
    [['run', '--scenarios', 'nosuch', '--planners', 'random'], /unknown scenario "nosuch".*valid scenarios:/i],
    [['run', '--suite', 'smoke', '--planners', 'random', '--bogus'], /unknown flag --bogus\. Valid flags: --suite/],
    [['run', '--suite', 'smoke', '--planners', 'random', '--clock', 'wall'], /--clock must be one of turn, realtime; got "wall"/],
    [['run', '--suite', 'smoke', '--planners', 'random', '--seeds', 'x'], /--seeds "x"/],
    [['run', '--suite', 'smoke', '--planners', 'random', '--lidar', 'sonar'], /--lidar must be one of analytic, rapier; got "sonar"/],
    // Misspelt flags and planners get a "did you mean"; parser wording never leaks.
    [['run', '--suite', 'smoke', '--plannerz', 'random'], /^planarena run: unknown flag --plannerz; did you mean --planners\? See `planarena run --help`\.$/],
    [['run', '--suite', 'smoke', '--planners', 'scriptd'], /unknown planner "scriptd"; did you mean "scripted"\?/],
    [['run', '--planners', 'random', '--suite'], /^planarena run: --suite needs a value \(--suite VALUE, or --suite=VALUE for a value starting with "-"\)\./],
    [['run', '--suite', '--planners', 'random'], /^planarena run: --suite needs a value/],
    [['run', '--force=yes', '--suite', 'smoke'], /^planarena run: --force is a switch and takes no value/],
    [['run', 'smoke'], /^planarena run: unexpected argument "smoke": planarena run takes flags only/],
    [['train', '--suite', '--steps', '5', 'world-model'], /^planarena train: --suite needs a value/],
    [['train'], /^planarena train: what to train\? "world-model" or "bc"/],
    [['train', 'bc'], /^planarena train: train bc needs --suite <id> or --scenarios <ids>: planarena train bc --suite <suite> --out <dir>\.$/],
    [['train', 'bc', '--scenarios', 'open-field', '--episodes', 'x'], /^planarena train: --episodes must be an integer >= 1, got "x"\.$/],
    [['train', 'bc', '--scenarios', 'open-field', '--episode', '3'], /^planarena train: unknown flag --episode; did you mean --episodes\?/],
    [['serve', 'runs/demo-1'], /^planarena serve: serve takes the runs to show as a flag: planarena serve --runs runs\/demo-1 /],
  ])('%j is a one-line error', async (args, message) => {
    const r = await planarena(args);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^planarena ${args[0]}: `));
    expect(lines[0]).not.toMatch(/planarena \w+: planarena|ambiguous|positional argument|Did you forget/);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

function readManifest(dir: string): RunManifest {
  return JSON.parse(readFileSync(join(tmp, dir, 'manifest.json'), 'utf8')) as RunManifest;
}
