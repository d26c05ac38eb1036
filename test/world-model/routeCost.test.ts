import { describe, expect, it } from 'vitest';
import { ROUTE_CELL, RouteField, RouteFieldCache, routeObstacles } from '../../planners/world-model/planning/routeCost.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { SceneObject } from '../../sim/types.ts';

const wall = (id: string, x: number, y: number, sx: number, sy: number): SceneObject => ({ id, kind: 'wall', shape: 'box', size: [sx, sy, 0.5], x, y, z: 0.25, yaw: 0, vx: 0, vy: 0 });

describe('route cost field (hard-wired cost-to-go around the listed obstacles)', () => {
  it('equals the straight line in the open and goes around a wall', () => {
    const open = new RouteField([10, 10], [2, 0], [], 0.25);
    expect(open.distance(-2, 0)).toBeCloseTo(4, 1);
    expect(open.distance(2, 0.05)).toBeCloseTo(0.05, 6);
    // A wall from y = -3 to 3 at x = 0: from (-1, 0) to (1, 0) the route passes its end.
    const walled = new RouteField([10, 10], [1, 0], [wall('w', 0, 0, 0.2, 6)], 0.25);
    const around = 2 * Math.hypot(1, 3 + 0.25);
    const d = walled.distance(-1, 0);
    expect(d).toBeGreaterThan(around - 0.2);
    expect(d).toBeLessThan(around * 1.15); // octile moves (≤ 8% longer than straight) on 0.1 m cells
    // Inside the wall (the margin costs 100× to cross): never cheaper than going round.
    expect(walled.distance(0, 0)).toBeGreaterThan(around);
  });

  it('on the real u-trap, the cup is farther from the goal by route than in a straight line', async () => {
    const env = await createEnv(loadScenario('u-trap'));
    const { obs } = env.reset({ seed: 0 });
    env.dispose();
    const goal = obs.goal.position;
    const field = new RouteFieldCache().get([20, 20], goal, obs.objects, 0.25);
    const r = obs.robot.pose;
    const straight = Math.hypot(r.x - goal[0], r.y - goal[1]);
    expect(field.distance(r.x, r.y)).toBeGreaterThan(straight + 1);
    expect(routeObstacles(obs.objects).every((o) => o.kind !== 'moving')).toBe(true);
  });

  it('on the real slope, a goal up on the platform is reached by the ramp, not through the platform\'s wall', async () => {
    const env = await createEnv(loadScenario('slope'));
    const { obs } = env.reset({ seed: 500 });
    env.dispose();
    const goal = obs.goal.position;
    const field = new RouteField([12, 8], goal, obs.objects, 0.25);
    const platform = obs.objects.find((o) => o.kind === 'step')!;
    const ramp = obs.objects.find((o) => o.kind === 'slope')!;
    // Beside the platform's east wall, 1.3 m from the goal in a straight line: the route goes
    // round to the ramp on the west side and up (over 4 m).
    const east = [platform.x + platform.size[0] / 2 + 0.4, goal[1]];
    expect(Math.hypot(east[0] - goal[0], east[1] - goal[1])).toBeLessThan(2);
    expect(field.distance(east[0], east[1])).toBeGreaterThan(4);
    // At the ramp's foot the route is about the straight line (up the ramp).
    const foot = [ramp.x - ramp.size[0] / 2 - 0.3, ramp.y];
    expect(field.distance(foot[0], foot[1])).toBeLessThan(Math.hypot(foot[0] - goal[0], foot[1] - goal[1]) * 1.15);
  });

  it('its shape: a softer margin costs less inside it, and slack reads the lowest value within reach', () => {
    const objs = [wall('w', 0, 0, 0.2, 6)];
    const hard = new RouteField([10, 10], [1, 0], objs, { inflate: 0.25, marginCost: 100, slack: 0 });
    const soft = new RouteField([10, 10], [1, 0], objs, { inflate: 0.25, marginCost: 10, slack: 0 });
    // (-0.25, 0): 0.15 m from the wall's face, inside the 0.25 m margin.
    const inside = [-0.25, 0] as const;
    expect(hard.distance(...inside)).toBeGreaterThan(soft.distance(...inside));
    // Out in the open both read the same route.
    expect(hard.distance(-2, 0)).toBeCloseTo(soft.distance(-2, 0), 6);
    // Slack 0.2 m: the point reads as well as the free cell 0.2 m from it (at -0.45, 0), not its own.
    const slack = new RouteField([10, 10], [1, 0], objs, { inflate: 0.25, marginCost: 100, slack: 0.2 });
    expect(slack.distance(...inside)).toBeLessThan(hard.distance(...inside));
    expect(slack.distance(...inside)).toBeCloseTo(Math.min(hard.distance(-0.45, 0), hard.distance(-0.25 - 0.2 * Math.SQRT1_2, 0.2 * Math.SQRT1_2), hard.distance(-0.25, 0.2), hard.distance(-0.25, -0.2), hard.distance(...inside)), 6);
    // Never more than its own value; in free space at most the slack plus a cell's step lower.
    expect(slack.distance(-2, 0)).toBeLessThanOrEqual(hard.distance(-2, 0));
    expect(slack.distance(-2, 0)).toBeGreaterThan(hard.distance(-2, 0) - 0.2 - 2 * ROUTE_CELL);
  });

  it('the cache rebuilds only when the goal or a static obstacle moves', () => {
    const cache = new RouteFieldCache();
    const objs = [wall('w', 0, 0, 0.2, 6)];
    const a = cache.get([10, 10], [1, 0], objs, 0.25);
    expect(cache.get([10, 10], [1, 0], objs.map((o) => ({ ...o })), 0.25)).toBe(a);
    expect(cache.get([10, 10], [1, 0], [{ ...objs[0], x: ROUTE_CELL * 3 }], 0.25)).not.toBe(a);
    // ... or its shape changes.
    const b = cache.get([10, 10], [1, 0], objs, { inflate: 0.25, marginCost: 100, slack: 0 });
    expect(cache.get([10, 10], [1, 0], objs, { inflate: 0.25, marginCost: 100, slack: 0.1 })).not.toBe(b);
  });
});
