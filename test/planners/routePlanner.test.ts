/**
 * The scripted baseline's global route on real scenario observations: around the U, through
 * the passage, and none when the goal is walled in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRoute } from '../../planners/baselines/RoutePlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Environment, Observation, SceneObject } from '../../sim/types.ts';

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

  it('10,000 small obstacles (ten times the scenario limit) still give a route around them', () => {
    // Issue 16: the grid used to test every cell against every obstacle. Pillars fill the
    // arena's right half except a 1 m lane at y = 0; the route must take the lane.
    const base = obsOf['narrow-passage'];
    const pillars: SceneObject[] = [];
    for (let k = 0; pillars.length < 10_000; k++) {
      const x = 0.5 + (k % 100) * 0.045;
      const y = -3.9 + Math.floor(k / 100) * 0.08;
      if (Math.abs(y) < 0.5) continue;
      pillars.push({ id: `p${k}`, kind: 'obstacle', shape: 'cylinder', size: [0.02, 0.02, 0.3], x, y, z: 0.15, yaw: 0, vx: 0, vy: 0 } as SceneObject);
    }
    const obs: Observation = { ...base, objects: [...base.objects.filter((o) => o.kind === 'wall'), ...pillars] };
    const route = planRoute(obs, -4, -3, 4.5, 0, { arena: [10, 8], clearance: 0.3 })!;
    expect(route).not.toBeNull();
    expect(route[route.length - 1]).toEqual([4.5, 0]);
    // Every waypoint inside the pillar field lies in the lane.
    for (const [x, y] of route) if (x > 0.5) expect(Math.abs(y)).toBeLessThan(0.5);
  });
});
