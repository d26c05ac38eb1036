/**
 * Simulator speed, for both physics flavours:
 * - env steps/s vs raw Rapier: physics steps per second through `Environment.step` (clipping,
 *   kinematic obstacles, events, observation with lidar, predicates, reward) against the same
 *   world built by the same builder and stepped directly (robot controller + `world.step`).
 *   The ratio is the environment's overhead; target >= 0.9. Each stretch (one episode from a
 *   fresh reset, a few milliseconds) is timed on the wall clock, env and raw alternately, and the
 *   fastest of REPEATS runs of each stretch counts: a stretch can only be slowed by other work
 *   (a context switch, V8 optimising Rapier's WebAssembly or collecting garbage on another
 *   thread, which process CPU time would charge to whichever loop was running), never sped up.
 *   All scenes are warmed first, so that the timed runs use optimised code.
 * - oracle rollouts/s: restore a snapshot into a scratch fork and roll out 20 control steps,
 *   the oracle planner's inner loop.
 * - snapshot, restore and fork+dispose cost in milliseconds.
 */
import { loadScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createEnv } from '../sim/Env.ts';
import { resolveLayout } from '../sim/layout.ts';
import { loadRapier } from '../sim/physics.ts';
import { Rng } from '../sim/rng.ts';
import type { LidarMethod, PhysicsFlavor } from '../sim/types.ts';
import { buildWorld } from '../sim/world.ts';
import { fastestTotal, rate, sum, type Bench, type BenchLine } from './types.ts';

/** Scenes: a light one per robot type and a cluttered one. */
const SCENES = ['open-field', 'cluttered-field', 'push-box', 'arm-reach'];
/** Control steps per timed stretch (one episode's worth, from a fresh reset). */
const STRETCH = 100;
const ROUNDS = 6;
const HORIZON = 20;
const REPEATS = 7;
/** Untimed env + raw passes over every scene before timing, for V8 to optimise both paths. */
const WARM_PASSES = 3;

/** A fixed, seeded sequence of actions shared by both loops. */
function actions(dim: number, n: number): number[][] {
  const rng = Rng.fromKey(`bench\u0000actions\u0000${dim}`);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
}

/** Milliseconds per stretch (one per round). */
interface Timing {
  ms: number[];
}

async function timeEnv(scenario: Scenario, flavor: PhysicsFlavor, acts: number[][], lidar: LidarMethod = 'analytic'): Promise<Timing & { stretchSteps: number[] }> {
  const env = await createEnv(scenario, { physics: flavor, lidar });
  const stretchSteps: number[] = [];
  const ms: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      env.reset({ seed: round });
      let n = 0;
      const t0 = performance.now();
      for (; n < acts.length; n++) {
        const r = env.step(acts[n]);
        if (r.terminated || r.truncated) {
          n++;
          break;
        }
      }
      ms.push(performance.now() - t0);
      stretchSteps.push(n);
    }
  } finally {
    env.dispose();
  }
  return { ms, stretchSteps };
}

async function timeRaw(scenario: Scenario, flavor: PhysicsFlavor, acts: number[][], stretchSteps: number[]): Promise<Timing> {
  const R = await loadRapier(flavor);
  const substeps = Math.round(scenario.controlPeriod / scenario.physicsDt);
  const dt = scenario.physicsDt;
  const ms: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const built = buildWorld(R, scenario, resolveLayout(scenario, round));
    const queue = new R.EventQueue(true);
    const a = new Float64Array(acts[0].length);
    try {
      const t0 = performance.now();
      for (let n = 0; n < stretchSteps[round]; n++) {
        for (let i = 0; i < a.length; i++) a[i] = acts[n][i];
        built.robot.applyAction(a);
        for (let s = 0; s < substeps; s++) {
          built.robot.beforePhysicsStep?.(dt);
          built.world.step(queue);
        }
        queue.drainCollisionEvents(() => {});
      }
      ms.push(performance.now() - t0);
    } finally {
      queue.free();
      built.world.free();
    }
  }
  return { ms };
}

async function flavourLines(flavor: PhysicsFlavor): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const scenes = SCENES.map((id) => {
    const scenario = loadScenario(id);
    return { id, scenario, acts: actions(scenario.robot.type === 'arm' ? 3 : 2, STRETCH) };
  });
  for (let pass = 0; pass < WARM_PASSES; pass++) {
    for (const { scenario, acts } of scenes) await timeRaw(scenario, flavor, acts, (await timeEnv(scenario, flavor, acts)).stretchSteps);
  }
  for (const { id, scenario, acts } of scenes) {
    // Alternate env and raw on exactly the same stretches; keep each stretch's fastest run.
    const substeps = Math.round(scenario.controlPeriod / scenario.physicsDt);
    const envRuns: number[][] = [];
    const rawRuns: number[][] = [];
    let steps = 0;
    for (let rep = 0; rep < REPEATS; rep++) {
      const env = await timeEnv(scenario, flavor, acts);
      const raw = await timeRaw(scenario, flavor, acts, env.stretchSteps);
      steps = sum(env.stretchSteps) * substeps;
      envRuns.push(env.ms);
      rawRuns.push(raw.ms);
    }
    const envRate = (steps * 1000) / fastestTotal(envRuns);
    const rawRate = (steps * 1000) / fastestTotal(rawRuns);
    lines.push({
      figure: `env physics steps/s, ${id} (${flavor})`,
      value: envRate,
      unit: 'steps/s',
      baseline: { name: 'raw Rapier', value: rawRate },
      ratio: envRate / rawRate,
      target: 0.9,
    });
  }

  // What `--lidar rapier` costs: the cluttered scene, env steps/s with Rapier ray casts vs analytic.
  {
    const { scenario, acts } = scenes.find((s) => s.id === 'cluttered-field')!;
    const substeps = Math.round(scenario.controlPeriod / scenario.physicsDt);
    const analyticRuns: number[][] = [];
    const rapierRuns: number[][] = [];
    let steps = 0;
    for (let rep = 0; rep < REPEATS; rep++) {
      const a = await timeEnv(scenario, flavor, acts, 'analytic');
      rapierRuns.push((await timeEnv(scenario, flavor, acts, 'rapier')).ms);
      analyticRuns.push(a.ms);
      steps = sum(a.stretchSteps) * substeps;
    }
    const analytic = fastestTotal(analyticRuns);
    const rapier = fastestTotal(rapierRuns);
    lines.push({
      figure: `env physics steps/s, cluttered-field, --lidar rapier (${flavor})`,
      value: (steps * 1000) / rapier,
      unit: 'steps/s',
      baseline: { name: '--lidar analytic', value: (steps * 1000) / analytic },
      ratio: analytic / rapier,
    });
  }

  // Oracle rollouts and snapshot costs on a scene with movable and moving things.
  const scenario = loadScenario('push-box');
  const env = await createEnv(scenario, { physics: flavor });
  try {
    env.reset({ seed: 0 });
    const acts = actions(2, HORIZON);
    for (let i = 0; i < 10; i++) env.step(acts[i]);
    const snap = env.snapshot();
    const scratch = env.fork(snap);
    try {
      const rollouts = rate(() => {
        scratch.restore(snap);
        for (let h = 0; h < HORIZON; h++) scratch.step(acts[h]);
      }, 1500, 5);
      const stepRate = rate(() => {
        scratch.restore(snap);
        scratch.step(acts[0]);
      }, 500, 5);
      lines.push({
        figure: `oracle rollouts/s, ${HORIZON} steps, push-box (${flavor})`,
        value: rollouts,
        unit: 'rollouts/cpu-s',
      });
      lines.push({ figure: `restore + 1 step, push-box (${flavor})`, value: 1000 / stepRate, unit: 'ms' });
      lines.push({ figure: `snapshot(), push-box (${flavor})`, value: 1000 / rate(() => env.snapshot(), 500), unit: 'ms' });
      lines.push({ figure: `restore(), push-box (${flavor})`, value: 1000 / rate(() => scratch.restore(snap), 500), unit: 'ms' });
      lines.push({ figure: `fork() + dispose(), push-box (${flavor})`, value: 1000 / rate(() => env.fork(snap).dispose(), 500), unit: 'ms' });
    } finally {
      scratch.dispose();
    }
  } finally {
    env.dispose();
  }
  return lines;
}

export const benches: Bench[] = [
  { name: 'sim-deterministic', run: () => flavourLines('deterministic') },
  { name: 'sim-fast', run: () => flavourLines('fast') },
];
