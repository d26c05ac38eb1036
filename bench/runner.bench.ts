/**
 * Runner overhead: control steps per second through `runEpisode` (planner call, action checks,
 * transforms and trajectory hash every step, path length, collision counting, observer hooks)
 * against a bare `reset` + `step` loop over the same environment and actions. Target >= 0.9:
 * the runner should cost little next to the physics.
 *
 * Like the sim bench, each episode is timed on the wall clock and its fastest of REPEATS runs
 * counts (process CPU time would also charge V8's background threads to whichever loop ran).
 */
import type { ActResult, Planner, TaskSpec } from '../planners/Planner.ts';
import { runEpisode } from '../runner/episode.ts';
import { loadScenario } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import { Rng } from '../sim/rng.ts';
import type { Observation } from '../sim/types.ts';
import { fastestTotal, sum, type Bench, type BenchLine } from './types.ts';

const SCENES = ['open-field', 'push-box'];
const EPISODES = 4;
const REPEATS = 5;

/** Seeded random actions, the same stream for the runner and the bare loop. */
class ReplayPlanner implements Planner {
  readonly name = 'replay';
  private rng = Rng.fromKey('bench-runner');
  private dim = 2;
  async reset(task: TaskSpec, seed: number): Promise<void> {
    this.dim = task.actionSpace.dim;
    this.rng = Rng.stream(task.scenarioId, seed, 'bench-runner');
  }
  async act(_obs: Observation): Promise<ActResult> {
    const action = new Array<number>(this.dim);
    for (let i = 0; i < this.dim; i++) action[i] = this.rng.uniform(-1, 1);
    return { action, info: {} };
  }
  dispose(): void {}
}

/** Steps and wall milliseconds of each episode. */
interface Episodes {
  steps: number[];
  ms: number[];
}

async function runnerTimes(id: string): Promise<Episodes> {
  const scenario = loadScenario(id);
  const planner = new ReplayPlanner();
  const out: Episodes = { steps: [], ms: [] };
  for (let seed = 0; seed < EPISODES; seed++) {
    const t0 = performance.now();
    const { record } = await runEpisode({ scenario: id, planner: 'replay', seed }, { physics: 'deterministic', clock: 'turn', record: false, pace: 0, scenario, planner, privileged: false, observer: { onStep: () => {} } });
    out.ms.push(performance.now() - t0);
    out.steps.push(record.steps);
  }
  return out;
}

async function bareTimes(id: string): Promise<Episodes> {
  const scenario = loadScenario(id);
  const out: Episodes = { steps: [], ms: [] };
  for (let seed = 0; seed < EPISODES; seed++) {
    const t0 = performance.now();
    let steps = 0;
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
    out.ms.push(performance.now() - t0);
    out.steps.push(steps);
  }
  return out;
}

async function lines(): Promise<BenchLine[]> {
  const out: BenchLine[] = [];
  for (const id of SCENES) {
    await runnerTimes(id);
    await bareTimes(id);
    const runnerRuns: number[][] = [];
    const bareRuns: number[][] = [];
    let steps = 0;
    for (let i = 0; i < REPEATS; i++) {
      const r = await runnerTimes(id);
      const b = await bareTimes(id);
      if (r.steps.some((n, k) => n !== b.steps[k])) throw new Error(`runner bench: runner and bare loop diverged on ${id}`);
      steps = sum(r.steps);
      runnerRuns.push(r.ms);
      bareRuns.push(b.ms);
    }
    const runner = (steps * 1000) / fastestTotal(runnerRuns);
    const bare = (steps * 1000) / fastestTotal(bareRuns);
    out.push({ figure: `runner control steps/s, ${id}`, value: runner, unit: 'steps/s', baseline: { name: 'bare env loop', value: bare }, ratio: runner / bare, target: 0.9 });
  }
  return out;
}

export const benches: Bench[] = [{ name: 'runner-overhead', run: lines }];
