/**
 * The episode loop against the real simulator: planner exceptions become records and the run
 * goes on; the realtime clock charges thinking time in simulated time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActResult, OracleAccess, Planner, TaskSpec } from '../../planners/Planner.ts';
import { runEpisode, type EpisodeOptions } from '../../runner/episode.ts';
import { executeRun } from '../../runner/executeRun.ts';
import { expandPlan } from '../../runner/plan.ts';
import { RunDir } from '../../core/runStore.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import type { Environment, Observation, StepInfo } from '../../sim/types.ts';

/** A short version of the smoke suite's first scenario, to keep the tests fast. */
function shortScenario(seconds: number): Scenario {
  const base = loadScenario(loadSuite('smoke').scenarios[0]);
  return Object.freeze({ ...base, timeLimit: seconds, perturbations: [] });
}

/** Zero actions; remembers the simulated time of every observation it was asked about. */
class StillPlanner implements Planner {
  readonly seen: number[] = [];
  private dim = 0;
  constructor(
    readonly name: string,
    private readonly thinkMs?: number,
  ) {}
  async reset(task: TaskSpec): Promise<void> {
    this.dim = task.actionSpace.dim;
    this.seen.length = 0;
    this.lastT.length = 0;
  }
  readonly lastT: (number | undefined)[] = [];
  async act(obs: Observation, last?: StepInfo): Promise<ActResult> {
    this.seen.push(obs.t);
    this.lastT.push(last?.t);
    return { action: new Array(this.dim).fill(0), info: {}, ...(this.thinkMs !== undefined ? { thinkMs: this.thinkMs } : {}) };
  }
  dispose(): void {}
}

/** Throws on its third decision. */
class ThrowingPlanner extends StillPlanner {
  override async act(obs: Observation): Promise<ActResult> {
    if (this.seen.length === 2) throw new Error('planner exploded at decision 3');
    return super.act(obs);
  }
}

const options: EpisodeOptions = { physics: 'deterministic', clock: 'turn', record: false, pace: 0 };
const tmp = mkdtempSync(join(tmpdir(), 'planarena-episode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runEpisode', () => {
  it('records a throwing planner as planner_error, and the run goes on', async () => {
    const scenario = shortScenario(1);
    const catalog = { loadScenario: () => scenario, loadSuite: () => loadSuite('smoke') };
    const plan = expandPlan({ scenarios: [scenario.id], planners: ['thrower', 'still'], seeds: [0] }, catalog);
    const runDir = RunDir.create(join(tmp, 'throw'));
    const planners = new Map([
      ['thrower', { planner: new ThrowingPlanner('thrower'), privileged: false }],
      ['still', { planner: new StillPlanner('still'), privileged: false }],
    ]);
    const records = await executeRun(plan, plan.episodes, planners, options, runDir);

    expect(records.map((r) => r.planner)).toEqual(['thrower', 'still']);
    const [bad, good] = records;
    expect(bad.success).toBe(false);
    expect(bad.failure).toBe('planner_error');
    expect(bad.error).toBe('act: planner exploded at decision 3');
    expect(bad.steps).toBe(2);
    expect(good.failure).toBe('timeout');
    expect(good.error).toBeUndefined();
    expect(good.steps).toBe(Math.round(scenario.timeLimit / scenario.controlPeriod));
    // Both were appended to episodes.jsonl as they finished.
    const lines = readFileSync(runDir.episodesPath, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).planner)).toEqual(['thrower', 'still']);
  });

  it('records an invalid action as planner_error', async () => {
    const scenario = shortScenario(1);
    const wrong: Planner = {
      name: 'wrong',
      reset: async () => {},
      act: async () => ({ action: [Number.NaN], info: {} }),
      dispose: () => {},
    };
    const { record } = await runEpisode({ scenario: scenario.id, planner: 'wrong', seed: 0 }, { ...options, scenario, planner: wrong, privileged: false });
    expect(record.failure).toBe('planner_error');
    expect(record.error).toMatch(/^act: act returned/);
  });

  it('charges thinking time in simulated time under the realtime clock', async () => {
    const scenario = shortScenario(2);
    const cp = scenario.controlPeriod;
    const steps = Math.round(scenario.timeLimit / cp);
    // Three control periods of thinking per decision: the world runs 3 steps, then the action applies for 1.
    const thinkMs = 3 * cp * 1000;

    const turnPlanner = new StillPlanner('still', thinkMs);
    const turn = await runEpisode({ scenario: scenario.id, planner: 'still', seed: 0 }, { ...options, scenario, planner: turnPlanner, privileged: false });
    const turnSeen = [...turnPlanner.seen];

    const thinking: boolean[] = [];
    const rtPlanner = new StillPlanner('still', thinkMs);
    const rt = await runEpisode(
      { scenario: scenario.id, planner: 'still', seed: 0 },
      {
        ...options,
        clock: 'realtime',
        scenario,
        planner: rtPlanner,
        privileged: false,
        observer: { onStep: (_k, s) => thinking.push(s.decision.info.thinking === true) },
      },
    );

    // Same simulated time, a quarter of the decisions.
    expect(turn.record.steps).toBe(steps);
    expect(rt.record.steps).toBe(steps);
    expect(turn.record.simTime).toBeCloseTo(rt.record.simTime, 9);
    expect(turnSeen).toHaveLength(steps);
    expect(rtPlanner.seen).toHaveLength(Math.ceil(steps / 4));
    // Between two decisions the world moved on by 4 control periods instead of 1.
    expect(turnSeen[1] - turnSeen[0]).toBeCloseTo(cp, 9);
    expect(rtPlanner.seen[1] - rtPlanner.seen[0]).toBeCloseTo(4 * cp, 9);
    expect(thinking.slice(0, 8)).toEqual([true, true, true, false, true, true, true, false]);
    // Each decision after the first hears of the latest step (its info carries that step's time).
    expect(rtPlanner.lastT.slice(1)).toEqual(rtPlanner.seen.slice(1));
  });

  it('gives the oracle access only to privileged planners, without touching the live world', async () => {
    const scenario = shortScenario(1);
    const seen: { privileged: boolean; hadOracle: boolean }[] = [];
    /** Rolls the scratch world forward before every decision, then acts like StillPlanner. */
    class PeekingPlanner extends StillPlanner {
      private task?: TaskSpec;
      override async reset(task: TaskSpec): Promise<void> {
        this.task = task;
        await super.reset(task);
      }
      override async act(obs: Observation): Promise<ActResult> {
        const oracle = this.task?.oracle;
        if (oracle) {
          const snap = oracle.snapshot();
          expect(snap.t).toBeCloseTo(obs.t, 9);
          const scratch = oracle.scratch();
          scratch.restore(snap);
          for (let i = 0; i < 5; i++) scratch.step([1, 1, 1].slice(0, scratch.actionSpace.dim));
        }
        return super.act(obs);
      }
    }
    const hashes: string[] = [];
    const worlds: Environment[] = [];
    for (const privileged of [true, false]) {
      const planner = new PeekingPlanner('peek');
      let oracle: OracleAccess | undefined;
      const { record } = await runEpisode(
        { scenario: scenario.id, planner: 'peek', seed: 3 },
        {
          ...options,
          scenario,
          planner,
          privileged,
          observer: {
            onEpisodeStart: (_k, _s, _t, task, env) => {
              seen.push({ privileged, hadOracle: task.oracle !== undefined });
              oracle = task.oracle;
              worlds.push(env);
            },
          },
        },
      );
      expect(record.failure).toBe('timeout');
      hashes.push(record.trajectoryHash);
      if (oracle) worlds.push(oracle.scratch());
    }
    // The runner owns the live and scratch worlds: all are disposed when the episode ends.
    expect(worlds).toHaveLength(3);
    for (const w of worlds) expect(() => w.step([0, 0, 0].slice(0, w.actionSpace.dim))).toThrow(/after dispose/);
    expect(seen).toEqual([
      { privileged: true, hadOracle: true },
      { privileged: false, hadOracle: false },
    ]);
    // Rollouts in the scratch world leave the live trajectory exactly as without them.
    expect(hashes[0]).toBe(hashes[1]);
  });

  it('tells a realtime planner about every event since its last decision', async () => {
    // The shove scenario pushes the robot between 2.5 and 4.5 s; stop soon after.
    const scenario = Object.freeze({ ...loadScenario('shove'), timeLimit: 5 });
    const heard: string[] = [];
    const happened: string[] = [];
    class Listener extends StillPlanner {
      override async act(obs: Observation, last?: StepInfo): Promise<ActResult> {
        for (const e of last?.events ?? []) if (e.type === 'perturbation') heard.push(`${e.t}`);
        return super.act(obs);
      }
    }
    await runEpisode(
      { scenario: scenario.id, planner: 'listener', seed: 0 },
      {
        ...options,
        clock: 'realtime',
        scenario,
        planner: new Listener('listener', 5 * scenario.controlPeriod * 1000),
        privileged: false,
        observer: { onStep: (_k, s) => s.result.info.events.forEach((e) => e.type === 'perturbation' && happened.push(`${e.t}`)) },
      },
    );
    expect(happened.length).toBeGreaterThan(0);
    // Six steps per decision: most steps happen while the planner thinks, yet it hears of every shove.
    expect(heard).toEqual(happened);
  });
});
