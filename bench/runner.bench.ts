/**
 * Runner overhead: control steps per second through `runEpisode` (planner call, action checks,
 * transforms and trajectory hash every step, path length, collision counting, observer hooks)
 * against a bare `reset` + `step` loop over the same environment and actions. Target >= 0.9:
 * the runner should cost little next to the physics.
 */
import type { ActResult, Planner, TaskSpec } from '../planners/Planner.ts';
import { runEpisode } from '../runner/episode.ts';
import { loadScenario } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import { Rng } from '../sim/rng.ts';
import type { Observation } from '../sim/types.ts';
import { cpuMs, type Bench, type BenchLine } from './types.ts';

const SCENES = ['open-field', 'push-box'];
const EPISODES = 4;
const REPEATS = 3;

/** Seeded random actions, the same stream for the runner and the bare loop. */
class ReplayPlanner implements Planner {
  readonly name = 'replay';
  private rng = Rng.fromKey('bench-runner');
  private dim = 2;
  async reset(task: TaskSpec, seed: number): Promise<void> {
    this.dim = task.actionSpace.dim;
    this.rng = Rng.stream(task.scenario.id, seed, 'bench-runner');
  }
  async act(_obs: Observation): Promise<ActResult> {
    const action = new Array<number>(this.dim);
    for (let i = 0; i < this.dim; i++) action[i] = this.rng.uniform(-1, 1);
    return { action, info: {} };
  }
  dispose(): void {}
}

async function runnerRate(id: string): Promise<number> {
  const scenario = loadScenario(id);
  const planner = new ReplayPlanner();
  let steps = 0;
  const t0 = cpuMs();
  for (let seed = 0; seed < EPISODES; seed++) {
    const { record } = await runEpisode({ scenario: id, planner: 'replay', seed }, { physics: 'deterministic', clock: 'turn', record: false, pace: 0, scenario, planner, privileged: false, observer: { onStep: () => {} } });
    steps += record.steps;
  }
  return (steps * 1000) / (cpuMs() - t0);
}

async function bareRate(id: string): Promise<number> {
  const scenario = loadScenario(id);
  let steps = 0;
  const t0 = cpuMs();
  for (let seed = 0; seed < EPISODES; seed++) {
    // A fresh environment per episode, as the runner makes one.
    const env = await createEnv(scenario, { physics: 'deterministic' });
    const rng = Rng.stream(id, seed, 'bench-runner');
    env.reset({ seed });
    for (;;) {
      const action = [];
      for (let i = 0; i < env.actionSpace.dim; i++) action.push(rng.uniform(-1, 1));
      const r = env.step(action);
      steps++;
      if (r.terminated || r.truncated) break;
    }
    env.dispose();
  }
  return (steps * 1000) / (cpuMs() - t0);
}

async function lines(): Promise<BenchLine[]> {
  const out: BenchLine[] = [];
  for (const id of SCENES) {
    await runnerRate(id);
    await bareRate(id);
    let runner = 0;
    let bare = 0;
    for (let i = 0; i < REPEATS; i++) {
      runner = Math.max(runner, await runnerRate(id));
      bare = Math.max(bare, await bareRate(id));
    }
    out.push({ figure: `runner control steps/s, ${id}`, value: runner, unit: 'steps/cpu-s', baseline: { name: 'bare env loop', value: bare }, ratio: runner / bare, target: 0.9 });
  }
  return out;
}

export const benches: Bench[] = [{ name: 'runner-overhead', run: lines }];
