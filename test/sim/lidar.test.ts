/**
 * The analytic lidar agrees with Rapier's own ray casts (the physics engine's view of the same
 * colliders) on every scenario, including tilted objects, slopes and spawned bodies.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenarios/schema.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import { headingCS } from '../../sim/observation.ts';
import { loadRapier } from '../../sim/physics.ts';
import { LIDAR_QUERY_GROUPS } from '../../sim/robots/Robot.ts';
import { rayBox, rayCylinder, raySphere } from '../../sim/lidar.ts';
import { actionSequence, fixture, scenarioFiles } from './helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

/** Rapier's answer for every ray of the env's current observation. */
async function rapierRanges(env: SimEnv, obs: ReturnType<SimEnv['step']>['obs']): Promise<number[]> {
  const R = await loadRapier('deterministic');
  const world = (env as unknown as { built: { world: InstanceType<typeof R.World> } }).built.world;
  const [c, s] = headingCS(obs.robot.quat);
  const z = obs.robot.pose.z + 0.08 * (obs.robot.type === 'diffdrive' ? 1 : 0) + 0.05 * (obs.robot.type === 'pusher' ? 1 : 0);
  return obs.lidar.angles.map((a) => {
    const ray = new R.Ray({ x: obs.robot.pose.x, y: obs.robot.pose.y, z }, { x: c * Math.cos(a) - s * Math.sin(a), y: s * Math.cos(a) + c * Math.sin(a), z: 0 });
    const hit = world.castRay(ray, obs.lidar.maxRange, true, undefined, LIDAR_QUERY_GROUPS);
    return hit ? hit.timeOfImpact : obs.lidar.maxRange;
  });
}

const cases: [string, Scenario][] = [
  ['fixture nav', fixture('nav')],
  ['fixture push', fixture('push')],
  ...scenarioFiles()
    .filter(({ scenario }) => scenario.robot.type !== 'arm')
    .map(({ file, scenario }): [string, Scenario] => [file, scenario]),
];

describe('lidar', () => {
  it.each(cases)('%s: analytic ranges match Rapier castRay', async (_n, scenario) => {
    const env = await createEnv(scenario);
    envs.push(env);
    env.reset({ seed: 3 });
    if (scenario.id === 'fixture-nav') env.spawnObstacle('cylinder', [-1.2, 0.6]);
    let compared = 0;
    for (const a of actionSequence(2, 12, `lidar-${scenario.id}`)) {
      const r = env.step(a);
      if (r.terminated) break;
      const want = await rapierRanges(env, r.obs);
      r.obs.lidar.ranges.forEach((got, i) => expect(got, `ray ${i}`).toBeCloseTo(want[i], 3));
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it.each(cases)('%s: --lidar rapier (Collider.castRay) gives the same observations, from reset on', async (_n, scenario) => {
    const analytic = await createEnv(scenario);
    const rapier = await createEnv(scenario, { lidar: 'rapier' });
    envs.push(analytic, rapier);
    expect(rapier.lidarMethod).toBe('rapier');
    const a0 = analytic.reset({ seed: 5 }).obs;
    const r0 = rapier.reset({ seed: 5 }).obs;
    // At reset too (Rapier's broad phase is empty until the first step; per-collider casts are not).
    r0.lidar.ranges.forEach((got, i) => expect(got, `reset ray ${i}`).toBeCloseTo(a0.lidar.ranges[i], 3));
    for (const a of actionSequence(2, 8, `lidar-rapier-${scenario.id}`)) {
      const ra = analytic.step(a);
      const rr = rapier.step(a);
      rr.obs.lidar.ranges.forEach((got, i) => expect(got, `ray ${i}`).toBeCloseTo(ra.obs.lidar.ranges[i], 3));
      if (ra.terminated || rr.terminated) break;
    }
  });

  it('an unknown lidar method is a clear error', async () => {
    await expect(createEnv(fixture('nav'), { lidar: 'sonar' as never })).rejects.toThrow(/unknown lidar method "sonar": use "analytic" or "rapier"/);
  });

  it('closed-form primitives: hits, misses and inside', () => {
    // Unit box, ray from x = −3 along +x: hits the face at t = 2.
    expect(rayBox(-3, 0, 0, 1, 0, 0, [1, 1, 1])).toBeCloseTo(2, 12);
    expect(rayBox(-3, 2, 0, 1, 0, 0, [1, 1, 1])).toBe(-1);
    expect(rayBox(0, 0, 0, 1, 0, 0, [1, 1, 1])).toBe(0);
    expect(rayBox(3, 0, 0, 1, 0, 0, [1, 1, 1])).toBe(-1);
    // Cylinder radius 1, half height 0.5: side hit, above it (miss), cap hit from above.
    expect(rayCylinder(-3, 0, 0, 1, 0, 0, 1, 0.5)).toBeCloseTo(2, 12);
    expect(rayCylinder(-3, 0, 0.6, 1, 0, 0, 1, 0.5)).toBe(-1);
    expect(rayCylinder(0, 0, 2, 0, 0, -1, 1, 0.5)).toBeCloseTo(1.5, 12);
    expect(raySphere(-3, 0, 0, 1, 0, 0, 1)).toBeCloseTo(2, 12);
    expect(raySphere(-3, 1.5, 0, 1, 0, 0, 1)).toBe(-1);
    expect(raySphere(3, 0, 0, 1, 0, 0, 1)).toBe(-1);
  });
});
