/**
 * The scripted baseline's global route on real scenario observations: around the U, through
 * the passage, and none when the goal is walled in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRoute } from '../../planners/baselines/RoutePlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Environment, Observation } from '../../sim/types.ts';

const envs: Environment[] = [];
const obsOf: Record<string, Observation> = {};

beforeAll(async () => {
  for (const id of ['u-trap', 'narrow-passage']) {
    const env = await createEnv(loadScenario(id));
    obsOf[id] = env.reset({ seed: 0 }).obs;
    envs.push(env);
  }
});
afterAll(() => envs.forEach((e) => e.dispose()));

describe('planRoute', () => {
  it('goes round an arm of the U instead of into it', () => {
    const obs = obsOf['u-trap'];
    const { x, y } = obs.robot.pose;
    const [gx, gy] = obs.goal.position;
    const route = planRoute(obs, x, y, gx, gy, { arena: [12, 10], clearance: 0.37 })!;
    expect(route).not.toBeNull();
    expect(route[route.length - 1]).toEqual([gx, gy]);
    // Some waypoint clears the U's arms (|y| > 2.1 m), and the route is a few corners, not cells.
    expect(route.some(([, wy]) => Math.abs(wy) > 2.1)).toBe(true);
    expect(route.length).toBeLessThanOrEqual(6);
  });

  it('threads the 1 m gap of narrow-passage', () => {
    const obs = obsOf['narrow-passage'];
    const route = planRoute(obs, obs.robot.pose.x, obs.robot.pose.y, obs.goal.position[0], obs.goal.position[1], { arena: [10, 8], clearance: 0.37 })!;
    // The wall is at x = 0; the gap spans y from 0.5 to 1.5.
    const crossing = route.find(([wx]) => Math.abs(wx) < 0.5);
    expect(crossing).toBeDefined();
    expect(crossing![1]).toBeGreaterThan(0.5);
    expect(crossing![1]).toBeLessThan(1.5);
  });

  it('returns null when the clearance closes every way through', () => {
    const obs = obsOf['narrow-passage'];
    expect(planRoute(obs, obs.robot.pose.x, obs.robot.pose.y, obs.goal.position[0], obs.goal.position[1], { arena: [10, 8], clearance: 0.7 })).toBeNull();
  });
});
