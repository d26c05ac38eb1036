/**
 * The configurator's stall response (`wm-stall`): the memory counts decisions since the last
 * 0.1 m of route gain; after `stall` of them, outside the goal's tolerance, the decisions search
 * with the behaviour prior off and the whole action range, until the route length has fallen
 * `wm-stall-release` below its best when the response fired. Driven here in a real Rapier world
 * with the shipped diffdrive checkpoint and an evaluator that prefers standing still (so the
 * robot gains nothing), then one that drives it towards the goal (so it gains again).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { taskSpec } from '../../planners/Planner.ts';
import { STALL_GAIN } from '../../planners/world-model/Configurator.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { loadCheckpoint } from '../../planners/world-model/io/Checkpoint.ts';
import { observationLayout } from '../../planners/world-model/io/observationLayout.ts';
import { Memory } from '../../planners/world-model/model/Memory.ts';
import { plannerForModel, SHIPPED_CHECKPOINTS } from '../../planners/world-model/WorldModelPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { createEnv } from '../../sim/Env.ts';
import { join } from 'node:path';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('memory: progress towards the goal', () => {
  it('counts decisions since the distance last fell by the gain below its best', () => {
    const mem = new Memory();
    expect(mem.progress(5, 0.1)).toBe(0); // the first reading is the best so far
    expect(mem.progress(4.95, 0.1)).toBe(1); // less than the gain: no progress
    expect(mem.progress(5.4, 0.1)).toBe(2); // backing away: none either
    expect(mem.progress(4.85, 0.1)).toBe(0); // 0.15 below the best: a gain
    expect(mem.progress(4.8, 0.1)).toBe(1);
    mem.clear();
    expect(mem.progress(9, 0.1)).toBe(0);
  });
});

describe('stall response', () => {
  type Prefer = 'still' | 'forward';
  const run = async (scenario: Scenario, config: Record<string, unknown>, steps: number, prefer: Prefer | ((decision: number) => Prefer)) => {
    const env = await createEnv(scenario);
    const { model, meta } = loadCheckpoint(join(SHIPPED_CHECKPOINTS, 'diffdrive'), { robot: 'diffdrive', actionDim: env.actionSpace.dim, obsLayout: observationLayout('diffdrive') });
    const priors: number[] = [];
    /** Per decision: whether the first batch the search scored held the all-zero sequence. */
    const braking: boolean[] = [];
    let decision = 0;
    // Costs that ignore the model: the sum of |a| (standing still is best) or of (1 − a) (full
    // speed ahead on both wheels is best).
    const planner = plannerForModel(model, meta, config, {
      evaluator: (ctx) => {
        priors.push(ctx.plan.cost.prior);
        const mode = typeof prefer === 'function' ? prefer(decision) : prefer;
        let first = true;
        return (seqs, n) => {
          const L = seqs.length / n;
          if (first) braking.push(Array.from({ length: n }, (_, i) => seqs.subarray(i * L, (i + 1) * L).every((v) => v === 0)).some(Boolean));
          first = false;
          return Float32Array.from({ length: n }, (_, i) => {
            let c = 0;
            for (let j = 0; j < L; j++) c += mode === 'still' ? Math.abs(seqs[i * L + j]) : 1 - seqs[i * L + j];
            return c;
          });
        };
      },
    });
    try {
      let { obs } = env.reset({ seed: 2 });
      await planner.reset(taskSpec(scenario, env.actionSpace), 2);
      const stalled: boolean[] = [];
      const distance: number[] = [];
      for (; decision < steps; decision++) {
        const p = [obs.robot.pose.x, obs.robot.pose.y];
        const goal = obs.goal.position;
        distance.push(Math.hypot(p[0] - goal[0], p[1] - goal[1]));
        const { action, info } = await planner.act(obs);
        stalled.push(!!(info.worldModel as { stalled?: boolean }).stalled);
        const r = env.step(action);
        obs = r.obs;
      }
      return { stalled, priors, braking, distance, stats: planner.episodeStats!() };
    } finally {
      await planner.dispose();
      model.dispose();
      env.dispose();
    }
  };

  it('turns on after `stall` decisions without gain, drops the prior for those decisions only, and is counted', async () => {
    const { stalled, priors, stats } = await run(loadScenario('open-field'), { wmStall: 4 }, 8, 'still');
    // Decisions 0-3 (the first sets the best, then 1, 2, 3 without gain): off; from the 5th on: on.
    expect(stalled).toEqual([false, false, false, false, true, true, true, true]);
    // The default diffdrive prior (10) while searching near the actor; 0 while stalled.
    expect(priors.slice(0, 4).every((p) => p > 0)).toBe(true);
    expect(priors.slice(4)).toEqual([0, 0, 0, 0]);
    expect(stats.wmStalledDecisions).toBe(4);
  }, 120_000);

  it('stays off while the robot gains, when switched off, and near the goal', async () => {
    // Driving ahead on open field (the goal ahead within ±45°): it gains 0.1 m every few decisions.
    const moving = await run(loadScenario('open-field'), { wmStall: 4, wmStallRelease: 0.1 }, 12, 'forward');
    expect(moving.stalled.slice(0, 4)).toEqual([false, false, false, false]);
    expect(moving.stalled.filter(Boolean).length).toBeLessThan(4);
    const off = await run(loadScenario('open-field'), { wmStall: 0 }, 8, 'still');
    expect(off.stalled.every((s) => !s)).toBe(true);
    expect(off.stats.wmStalledDecisions).toBeUndefined();
    // Standing inside the goal's tolerance (0.3 m): no stall response.
    const open = loadScenario('open-field');
    const g = open.goal.position;
    const inside: Scenario = { ...open, robot: { ...open.robot, start: { position: [g[0] - 0.2, g[1]], yaw: 0 } }, randomize: {} };
    const still = await run(inside, { wmStall: 2 }, 6, 'still');
    expect(still.stalled.every((s) => !s)).toBe(true);
    expect(STALL_GAIN).toBe(0.1);
  }, 120_000);

  it('stays on until the route has fallen by the release, braking still among the candidates', async () => {
    // Stand still for 6 decisions (the response fires at the 5th), then drive at the goal.
    const prefer = (d: number): Prefer => (d < 6 ? 'still' : 'forward');
    const wide = await run(loadScenario('open-field'), { wmStall: 4, wmStallRelease: 0.5 }, 24, prefer);
    const fired = wide.stalled.indexOf(true);
    expect(fired).toBe(4);
    // With the settle cost (a diffdrive default) braking is offered at every decision.
    expect(wide.braking.every(Boolean)).toBe(true);
    // It turns off once the robot is 0.5 m nearer than its best when it fired, not before (in
    // open field the route is the straight line, read off a 0.1 m grid).
    const off = wide.stalled.indexOf(false, fired);
    expect(off).toBeGreaterThan(fired);
    const best = Math.min(...wide.distance.slice(0, fired + 1));
    expect(best - wide.distance[off]).toBeGreaterThan(0.4);
    expect(best - wide.distance[off - 1]).toBeLessThan(0.55);
    // The default release, 0.1 m, turns it off sooner.
    const narrow = await run(loadScenario('open-field'), { wmStall: 4, wmStallRelease: 0.1 }, 24, prefer);
    expect(narrow.stalled.indexOf(false, 4)).toBeLessThan(off);
  }, 180_000);
});
