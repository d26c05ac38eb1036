/**
 * Race mode: the planners of one scenario and seed run in lockstep of simulated time, and every
 * episode stays bit-identical to its sequential run (same trajectory hash, same record); an
 * episode that ends early (success, a planner error) ends at once while the others race on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from '../../core/runStore.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { ActResult, Planner, TaskSpec } from '../../planners/Planner.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import type { EpisodeOptions } from '../../runner/episode.ts';
import { executeRun, type PlannerHandle } from '../../runner/executeRun.ts';
import { expandPlan } from '../../runner/plan.ts';
import { executeRace, raceGroups } from '../../runner/race.ts';
import type { EpisodeKey } from '../../runner/types.ts';
import { readRecording } from '../../sim/recording.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-race-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const options: EpisodeOptions = { physics: 'deterministic', clock: 'turn', record: true, pace: 0 };

/** The fields of a record that a run reproduces (not wall-clock figures). */
const outcome = (r: EpisodeRecord) => ({ scenario: r.scenario, seed: r.seed, planner: r.planner, success: r.success, failure: r.failure, steps: r.steps, return: r.return, collisions: r.collisions, trajectoryHash: r.trajectoryHash });

/** A scenario shortened so the random planner's timeout comes soon (the others finish first). */
function short(id: string, seconds: number): Scenario {
  return Object.freeze({ ...loadScenario(id), timeLimit: seconds });
}

/** Zero actions; throws at its fifth decision. */
class Breaker implements Planner {
  readonly name = 'breaker';
  private dim = 0;
  private n = 0;
  async reset(task: TaskSpec): Promise<void> {
    this.dim = task.actionSpace.dim;
    this.n = 0;
  }
  async act(): Promise<ActResult> {
    if (++this.n === 5) throw new Error('broke at decision 5');
    return { action: new Array(this.dim).fill(0), info: {} };
  }
  dispose(): void {}
}

describe('race mode', () => {
  it('keeps every deterministic planner bit-identical to its sequential run, and steps them in lockstep', async () => {
    const scenarios = [short('open-field', 8), short('push-box', 4)];
    const catalog = { loadScenario: (id: string) => scenarios.find((s) => s.id === id)!, loadSuite: () => loadSuite('smoke') };
    const names = ['random', 'scripted', 'oracle', 'world-model'];
    const plan = expandPlan({ scenarios: scenarios.map((s) => s.id), planners: names, seeds: [1] }, catalog);
    const handles = new Map<string, PlannerHandle>();
    for (const name of names) {
      const f = await getPlannerFactory(name);
      handles.set(name, { planner: await f.create({ config: {} }), privileged: f.privileged === true });
    }
    try {
      const sequential = await executeRun(plan, plan.episodes, handles, options, RunDir.create(join(tmp, 'seq')));

      // Every start, step and end as the race runs them, in order.
      const log: { kind: 'start' | 'step' | 'end'; key: string; t: number }[] = [];
      const id = (k: EpisodeKey) => `${k.scenario}/${k.planner}`;
      const observer = {
        onEpisodeStart: (k: EpisodeKey) => log.push({ kind: 'start', key: id(k), t: 0 }),
        onStep: (k: EpisodeKey, s: { result: { info: { t: number } } }) => log.push({ kind: 'step', key: id(k), t: s.result.info.t }),
        onEpisodeEnd: (k: EpisodeKey) => log.push({ kind: 'end', key: id(k), t: 0 }),
      };
      const raceDir = RunDir.create(join(tmp, 'race'));
      const raced = await executeRace(plan, plan.episodes, handles, { ...options, observer }, raceDir);

      // Same episodes, same outcomes, same trajectories; the recordings check their own hashes.
      const byKey = (rs: EpisodeRecord[]) => Object.fromEntries(rs.map((r) => [`${r.scenario}/${r.planner}`, outcome(r)]));
      expect(byKey(raced)).toEqual(byKey(sequential));
      expect(raced).toHaveLength(8);
      for (const r of raced) expect((await readRecording(join(raceDir.path, r.recording!))).steps).toHaveLength(r.steps);

      // Lockstep: every planner of a race starts before any steps, and no running episode's
      // simulated clock is ever more than one control step ahead of a running rival's.
      const period = scenarios[0].controlPeriod;
      const clocks = new Map<string, number>();
      for (const e of log) {
        if (e.kind === 'start') {
          expect([...clocks.values()].every((t) => t === 0)).toBe(true);
          clocks.set(e.key, 0);
        } else if (e.kind === 'end') {
          clocks.delete(e.key);
        } else {
          clocks.set(e.key, e.t);
          for (const t of clocks.values()) expect(Math.abs(e.t - t)).toBeLessThanOrEqual(period + 1e-9);
        }
      }
      expect(clocks.size).toBe(0);
      // Whoever finishes first ends first: records are written in the order the race finished them.
      const lines = readFileSync(raceDir.episodesPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpisodeRecord);
      const openField = lines.filter((r) => r.scenario === 'open-field');
      expect(openField.map((r) => r.steps)).toEqual([...openField.map((r) => r.steps)].sort((a, b) => a - b));
    } finally {
      for (const { planner } of handles.values()) await planner.dispose();
    }
  }, 300_000);

  it('records a planner error at once and races the others on', async () => {
    const scenario = short('open-field', 2);
    const catalog = { loadScenario: () => scenario, loadSuite: () => loadSuite('smoke') };
    const plan = expandPlan({ scenarios: [scenario.id], planners: ['breaker', 'random'], seeds: [0] }, catalog);
    const random = await (await getPlannerFactory('random')).create({ config: {} });
    const handles = new Map<string, PlannerHandle>([
      ['breaker', { planner: new Breaker(), privileged: false }],
      ['random', { planner: random, privileged: false }],
    ]);
    const records = await executeRace(plan, plan.episodes, handles, { ...options, record: false }, RunDir.create(join(tmp, 'broken')));
    expect(records.map((r) => [r.planner, r.failure, r.steps])).toEqual([
      ['breaker', 'planner_error', 4],
      ['random', 'timeout', 20],
    ]);
    expect(records[0].error).toBe('act: broke at decision 5');
  });

  it('groups the plan by scenario and seed, keeping plan order', () => {
    const e = (scenario: string, seed: number, planner: string) => ({ scenario, seed, planner });
    const groups = raceGroups([e('a', 0, 'x'), e('a', 0, 'y'), e('a', 1, 'x'), e('b', 0, 'x'), e('a', 1, 'y')]);
    expect(groups.map((g) => g.map(({ spec, index }) => `${spec.scenario}${spec.seed}${spec.planner}@${index}`))).toEqual([['a0x@0', 'a0y@1'], ['a1x@2', 'a1y@4'], ['b0x@3']]);
  });
});
