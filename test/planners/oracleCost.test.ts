/**
 * The oracle's objective counts time: of two rollouts that both end with the goal held, the
 * sooner costs clearly less (the rewards alone barely tell them apart: both make the same
 * progress and earn the same bonus), and a rollout still short of the settle dwell costs more
 * than one that served it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RolloutCost } from '../../planners/baselines/oracle.ts';
import { ScenarioSpec } from '../../scenarios/schema.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import type { Observation } from '../../sim/types.ts';
import { fixture } from '../sim/helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

/** A bare arena, the robot facing a goal 0.7 m ahead. */
async function env(): Promise<SimEnv> {
  const base = fixture('nav');
  const s = ScenarioSpec.parse({ ...base, obstacles: [], objects: [], movingObstacles: [], perturbations: [], randomize: {}, robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } }, goal: { type: 'reach', position: [0.7, 0], tolerance: 0.3 } });
  const e = await createEnv(s);
  envs.push(e);
  return e;
}

/** Drives at `speed` until the robot is `stopAt` m along, then brakes, for `steps` steps at most;
 * returns the rollout's cost, its length, whether the goal held, and the summed rewards. */
function rollout(e: SimEnv, speed: number, stopAt: number, steps: number): { cost: number; steps: number; success: boolean; reward: number } {
  const reset = e.reset({ seed: 0 });
  let obs: Observation = reset.obs;
  const run = new RolloutCost(null, obs.goal.position[0], 0.1).startAt(reset.info.subject);
  let reward = 0;
  let success = false;
  for (let i = 0; i < steps; i++) {
    const r = e.step(obs.robot.pose.x < stopAt ? [speed, speed] : [0, 0]);
    reward += r.reward;
    success = r.info.success;
    obs = r.obs;
    if (run.add(r)) break;
  }
  return { cost: run.total(), steps: run.steps, success, reward };
}

describe('oracle objective', () => {
  it('ranks the sooner of two held goals first by the time it saves, where the rewards barely differ', async () => {
    const e = await env();
    const fast = rollout(e, 1, 0.45, 30);
    const slow = rollout(e, 0.4, 0.45, 30);
    expect(fast.success).toBe(true);
    expect(slow.success).toBe(true);
    expect(fast.steps).toBeLessThan(slow.steps);
    // The shaped return hardly sees the difference...
    expect(Math.abs(fast.reward - slow.reward)).toBeLessThan(0.1);
    // ...the oracle's cost charges every second until the goal holds.
    expect(slow.cost - fast.cost).toBeGreaterThan(0.5 * (slow.steps - fast.steps) * 0.1);
  });

  it('charges the settle dwell still to serve', async () => {
    const e = await env();
    const done = rollout(e, 1, 0.45, 30);
    // The same drive, cut two steps before the dwell is served.
    const arrived = rollout(e, 1, 0.45, done.steps - 2);
    expect(arrived.success).toBe(false);
    expect(done.success).toBe(true);
    expect(done.cost).toBeLessThan(arrived.cost);
  });
});
