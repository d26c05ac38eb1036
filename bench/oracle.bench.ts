/**
 * The oracle's cost per decision, with its default settings (`planners/baselines/oracle.ts`):
 * milliseconds of CPU per planning decision (CEM over rollouts of the true physics) on one scene
 * per robot type, against one environment control step on the same scene (its baseline). The
 * ratio is the decision's cost in control-step equivalents: about samples × iterations × horizon
 * plus the route cost-to-go and bookkeeping. Decisions are taken along a real episode (the
 * oracle acting), so rollouts see the scenes the oracle meets, not only the start.
 *
 * Timed in process CPU time (`cpuMs`), fastest of REPEATS passes per scene.
 */
import { factory } from '../planners/baselines/oracle.ts';
import { taskSpec } from '../planners/Planner.ts';
import { loadScenario } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import { Rng } from '../sim/rng.ts';
import type { Environment } from '../sim/types.ts';
import { cpuMs, type Bench, type BenchLine } from './types.ts';

const SCENES = ['open-field', 'push-box', 'arm-reach'];
/** Planning decisions timed per pass. */
const DECISIONS = 12;
const REPEATS = 3;

/** CPU ms per planning decision over DECISIONS decisions of an episode, and the sim steps each rolled out. */
async function decisionCost(id: string): Promise<{ ms: number; simSteps: number }> {
  const scenario = loadScenario(id);
  const env = await createEnv(scenario);
  let scratch: Environment | null = null;
  const oracle = await factory.create({ config: {} });
  try {
    let obs = env.reset({ seed: 0 }).obs;
    await oracle.reset(taskSpec(scenario, env.actionSpace, { snapshot: () => env.snapshot(), scratch: () => (scratch ??= env.fork()) }), 0);
    let ms = 0;
    let plans = 0;
    while (plans < DECISIONS) {
      const before = oracle.episodeStats!().plans;
      const t0 = cpuMs();
      const { action } = await oracle.act(obs);
      const t = cpuMs() - t0;
      if (oracle.episodeStats!().plans > before) {
        ms += t;
        plans++;
      }
      const r = env.step(action);
      obs = r.obs;
      if (r.terminated || r.truncated) obs = env.reset({ seed: plans }).obs;
    }
    const stats = oracle.episodeStats!();
    return { ms: ms / plans, simSteps: stats.simSteps / stats.plans };
  } finally {
    (scratch as Environment | null)?.dispose();
    env.dispose();
    oracle.dispose();
  }
}

/** CPU ms of one control step of the scene with random actions. */
async function stepCost(id: string): Promise<number> {
  const scenario = loadScenario(id);
  const env = await createEnv(scenario);
  const rng = Rng.fromKey('bench-oracle');
  try {
    env.reset({ seed: 0 });
    let steps = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < 300) {
      const r = env.step(Array.from({ length: env.actionSpace.dim }, () => rng.uniform(-1, 1)));
      steps++;
      if (r.terminated || r.truncated) env.reset({ seed: steps });
    }
    return (cpuMs() - t0) / steps;
  } finally {
    env.dispose();
  }
}

async function lines(): Promise<BenchLine[]> {
  const out: BenchLine[] = [];
  for (const id of SCENES) {
    await decisionCost(id); // warm-up
    let best = { ms: Infinity, simSteps: 0 };
    let step = Infinity;
    for (let i = 0; i < REPEATS; i++) {
      const d = await decisionCost(id);
      if (d.ms < best.ms) best = d;
      step = Math.min(step, await stepCost(id));
    }
    out.push({ figure: `oracle ms/decision (defaults), ${id}`, value: best.ms, unit: 'ms', baseline: { name: 'one env control step', value: step }, ratio: best.ms / step });
    out.push({ figure: `oracle simulated control steps/decision, ${id}`, value: best.simSteps, unit: 'steps' });
  }
  return out;
}

export const benches: Bench[] = [{ name: 'oracle-decision', run: lines }];
