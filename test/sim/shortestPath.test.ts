/**
 * The efficiency yardstick (sim/shortestPath.ts): straight where nothing is in the way, round the
 * U and up the ramp where something is, approach plus delivery for pushing, and a lower bound on
 * what real planners drive. Plus the SPL-style efficiency fields of a finished episode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import { SETTLE_DWELL } from '../../sim/predicates.ts';
import { efficiencyFields, referencePath, TOP_SPEED } from '../../sim/shortestPath.ts';
import type { Observation } from '../../sim/types.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { runEpisode } from '../../runner/episode.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

async function atReset(id: string, seed = 0): Promise<{ obs: Observation; ref: ReturnType<typeof referencePath> }> {
  const scenario = loadScenario(id);
  const env = await createEnv(scenario);
  envs.push(env);
  const obs = env.reset({ seed }).obs;
  return { obs, ref: referencePath(scenario, obs) };
}

const straight = (obs: Observation) => Math.hypot(obs.goal.position[0] - obs.robot.pose.x, obs.goal.position[1] - obs.robot.pose.y);

describe('reference path', () => {
  it('open field: the straight line less the tolerance; time at top speed plus the dwell', async () => {
    const { obs, ref } = await atReset('open-field');
    expect(ref.legs).toMatchObject([{ what: 'robot', how: 'route', length: ref.length }]);
    expect(ref.legs[0].points).toHaveLength(2);
    expect(ref.length).toBeCloseTo(straight(obs) - obs.goal.tolerance, 1);
    expect(ref.length).toBeLessThanOrEqual(straight(obs) - obs.goal.tolerance + 1e-9);
    expect(ref.time).toBeCloseTo(ref.length / TOP_SPEED.diffdrive + SETTLE_DWELL, 12);
  });

  it('u-trap: goes round the wall (much longer than the straight line), narrow-passage through the gap', async () => {
    const u = await atReset('u-trap');
    expect(u.ref.length).toBeGreaterThan(straight(u.obs) + 0.8);
    expect(u.ref.legs[0].points!.length).toBeGreaterThan(2);
    const n = await atReset('narrow-passage');
    expect(n.ref.length).toBeGreaterThan(straight(n.obs) + 0.5);
  });

  it('slope: the route climbs the ramp, never the platform wall', async () => {
    const ramp = loadScenario('slope').arena.slopes[0];
    for (const seed of [0, 1, 2, 3]) {
      const { ref } = await atReset('slope', seed);
      const pts = ref.legs[0].points!;
      // Where the route crosses x = 2 (the ramp's top edge, the platform's west wall) it is on the ramp.
      const k = pts.findIndex((p) => p[0] >= 2);
      const [a, b] = [pts[k - 1], pts[k]];
      const y = a[1] + ((b[1] - a[1]) * (2 - a[0])) / (b[0] - a[0]);
      expect(Math.abs(y - ramp.position[1])).toBeLessThan(ramp.width / 2);
    }
  });

  it('push: approach to behind the crate plus the crate’s own route', async () => {
    const { obs, ref } = await atReset('push-box');
    const crate = obs.objects.find((o) => o.id === obs.goal.object)!;
    expect(ref.legs.map((l) => l.what)).toEqual(['robot', 'object']);
    const delivery = Math.hypot(obs.goal.position[0] - crate.x, obs.goal.position[1] - crate.y) - obs.goal.tolerance;
    expect(ref.legs[1].length).toBeCloseTo(delivery, 1);
    expect(ref.length).toBeCloseTo(ref.legs[0].length + ref.legs[1].length, 12);
    expect(ref.time).toBeCloseTo(ref.length / TOP_SPEED.pusher + SETTLE_DWELL, 12);
  });

  it('arm: straight end-effector lines', async () => {
    const { obs, ref } = await atReset('arm-reach');
    const ee = obs.robot.ee!;
    const [gx, gy, gz] = obs.goal.position;
    expect(ref.legs).toEqual([{ what: 'end_effector', how: 'straight', length: Math.hypot(gx - ee.x, gy - ee.y, gz - ee.z) - obs.goal.tolerance }]);
    const push = await atReset('arm-push');
    expect(push.ref.legs.map((l) => `${l.what}:${l.how}`)).toEqual(['end_effector:straight', 'object:straight']);
  });

  it('is a lower bound on what the scripted planner drives, and the runner records it with the efficiencies', async () => {
    const planner = await (await getPlannerFactory('scripted')).create({ config: {} });
    for (const id of ['cluttered-field', 'u-trap', 'slope', 'push-around', 'arm-push']) {
      const scenario = loadScenario(id);
      const { ref } = await atReset(id, 1);
      const { record } = await runEpisode({ scenario: id, planner: 'scripted', seed: 1 }, { scenario, planner, privileged: false, physics: 'deterministic', clock: 'turn', record: false, pace: 0 });
      expect(record.success).toBe(true);
      expect(record.shortestPath).toBe(ref.length);
      expect(record.shortestTime).toBe(ref.time);
      expect(record.pathLength).toBeGreaterThanOrEqual(ref.length);
      expect(record.simTime).toBeGreaterThanOrEqual(ref.time);
      expect(record.efficiency).toBeCloseTo(ref.time / record.simTime, 12);
      expect(record.spl).toBeCloseTo(ref.length / record.pathLength, 12);
    }
    await planner.dispose();
  });

  it('is deterministic', async () => {
    const a = await atReset('cluttered-field', 3);
    const b = await atReset('cluttered-field', 3);
    expect(b.ref).toEqual(a.ref);
  });
});

describe('efficiency fields', () => {
  const ref = { length: 4, time: 4.5, legs: [] };
  it('zero on failure, shortestTime / simTime on success, at most 1', () => {
    expect(efficiencyFields(ref, { success: false, simTime: 5, pathLength: 4.2 })).toEqual({ shortestPath: 4, shortestTime: 4.5, efficiency: 0, spl: 0 });
    expect(efficiencyFields(ref, { success: true, simTime: 9, pathLength: 5 })).toEqual({ shortestPath: 4, shortestTime: 4.5, efficiency: 0.5, spl: 0.8 });
    // Faster than the reference cannot happen in physics; if it did, it would still read 1.
    expect(efficiencyFields(ref, { success: true, simTime: 4, pathLength: 3.9 })).toMatchObject({ efficiency: 1, spl: 1 });
    expect(efficiencyFields(undefined, { success: true, simTime: 4, pathLength: 3.9 })).toEqual({});
  });
});
