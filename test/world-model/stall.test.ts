/**
 * The configurator's stall response (`wm-stall`): the memory counts decisions since the last
 * 0.1 m of route gain; after `stall` of them, farther than 0.5 m beyond the goal's tolerance, the
 * decision searches with the behaviour prior off and the whole action range. Driven here in a real
 * Rapier world with the shipped diffdrive checkpoint and an evaluator that prefers standing still
 * (so the robot gains nothing), then one that drives it towards the goal (so it gains again).
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
  const run = async (scenario: Scenario, config: Record<string, unknown>, steps: number, prefer: 'still' | 'forward') => {
    const env = await createEnv(scenario);
    const { model, meta } = loadCheckpoint(join(SHIPPED_CHECKPOINTS, 'diffdrive'), { robot: 'diffdrive', actionDim: env.actionSpace.dim, obsLayout: observationLayout('diffdrive') });
    const priors: number[] = [];
    // Costs that ignore the model: the sum of |a| (standing still is best) or of (1 − a) (full
    // speed ahead on both wheels is best).
    const planner = plannerForModel(model, meta, config, {
      evaluator: (ctx) => {
        priors.push(ctx.plan.cost.prior);
        return (seqs, n) => {
          const L = seqs.length / n;
          return Float32Array.from({ length: n }, (_, i) => {
            let c = 0;
            for (let j = 0; j < L; j++) c += prefer === 'still' ? Math.abs(seqs[i * L + j]) : 1 - seqs[i * L + j];
            return c;
          });
        };
      },
    });
    try {
      let { obs } = env.reset({ seed: 2 });
      await planner.reset(taskSpec(scenario, env.actionSpace), 2);
      const stalled: boolean[] = [];
      for (let step = 0; step < steps; step++) {
        const { action, info } = await planner.act(obs);
        stalled.push(!!(info.worldModel as { stalled?: boolean }).stalled);
        const r = env.step(action);
        obs = r.obs;
      }
      return { stalled, priors, stats: planner.episodeStats!() };
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
    const moving = await run(loadScenario('open-field'), { wmStall: 4 }, 12, 'forward');
    expect(moving.stalled.slice(0, 4)).toEqual([false, false, false, false]);
    expect(moving.stalled.filter(Boolean).length).toBeLessThan(4);
    const off = await run(loadScenario('open-field'), { wmStall: 0 }, 8, 'still');
    expect(off.stalled.every((s) => !s)).toBe(true);
    expect(off.stats.wmStalledDecisions).toBeUndefined();
    // Standing 0.6 m from the goal (tolerance 0.3): within 0.5 m beyond it, no stall response.
    const open = loadScenario('open-field');
    const g = open.goal.position;
    const near: Scenario = { ...open, robot: { ...open.robot, start: { position: [g[0] - 0.6, g[1]], yaw: 0 } }, randomize: {} };
    const still = await run(near, { wmStall: 2 }, 6, 'still');
    expect(still.stalled.every((s) => !s)).toBe(true);
    expect(STALL_GAIN).toBe(0.1);
  }, 120_000);
});
