/**
 * Contract conformance: every scenario file and every fixture goes through the same checker
 * (Gymnasium's env checker, in spirit): shapes, finiteness, clipping, scene/transform agreement.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEnv } from '../../sim/Env.ts';
import { obsLayout, obsLength } from '../../sim/observation.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import type { SimEnv } from '../../sim/Env.ts';
import { actionSequence, fixture, scenarioFiles } from './helpers.ts';

const cases: [string, Scenario][] = [
  ['fixture nav', fixture('nav')],
  ['fixture push', fixture('push')],
  ['fixture arm', fixture('arm')],
  ...scenarioFiles().map(({ file, scenario }): [string, Scenario] => [file, scenario]),
];

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

describe.each(cases)('conformance: %s', (_name, scenario) => {
  it('resets, steps and reports according to the contract', async () => {
    const env = await createEnv(scenario);
    envs.push(env);
    const type = scenario.robot.type;
    expect(env.actionSpace.dim).toBe(type === 'arm' ? 3 : 2);
    expect(env.actionSpace.names).toHaveLength(env.actionSpace.dim);

    const { obs, info } = env.reset({ seed: 7 });
    const layout = obsLayout(type);
    const len = layout[layout.length - 1].offset + layout[layout.length - 1].length;
    expect(obs.flat.length).toBe(len);
    expect(obsLength(type)).toBe(len);
    // Segments tile the vector without gaps.
    layout.reduce((off, s) => (expect(s.offset).toBe(off), off + s.length), 0);
    expect(obs.flat.every(Number.isFinite)).toBe(true);
    expect(obs.t).toBe(0);
    expect(obs.step).toBe(0);
    expect(info.goalDistance).toBeGreaterThan(0);
    expect(obs.robot.type).toBe(type);
    if (type === 'arm') expect(obs.robot.ee).toBeDefined();
    else expect(obs.lidar.ranges).toHaveLength(16);
    for (const r of obs.lidar.ranges) expect(r).toBeGreaterThan(0), expect(r).toBeLessThanOrEqual(obs.lidar.maxRange);

    // Scene and transforms agree.
    const scene = env.staticScene();
    const ids = scene.bodies.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('robot');
    const dynamic = scene.bodies.filter((b) => b.dynamic);
    const tf = env.transforms();
    expect(tf.length).toBe(dynamic.length * 7);
    expect(Array.from(tf).every(Number.isFinite)).toBe(true);
    dynamic.forEach((b, i) => {
      // Initial pose in the scene equals the first frame (to float32 precision).
      for (let k = 0; k < 7; k++) expect(tf[i * 7 + k]).toBeCloseTo(b.pose[k], 4);
    });
    for (const o of obs.objects) expect(ids).toContain(o.id);

    // Steps: time advances by the control period; everything stays finite.
    const actions = actionSequence(env.actionSpace.dim, 15, scenario.id);
    let clippedComponents = 0;
    for (const a of actions) clippedComponents += a.filter((v) => Math.abs(v) > 1).length;
    let last = obs;
    for (const [i, a] of actions.entries()) {
      const r = env.step(a);
      expect(r.obs.step).toBe(i + 1);
      expect(r.obs.t).toBeCloseTo((i + 1) * scenario.controlPeriod, 9);
      expect(r.obs.flat.length).toBe(len);
      expect(r.obs.flat.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(r.reward)).toBe(true);
      expect(r.terminated && r.truncated).toBe(false);
      for (const e of r.info.events) {
        // Scheduled shoves carry the physics step they hit; everything else the step's end.
        expect(e.t).toBeGreaterThan(r.obs.t - scenario.controlPeriod - 1e-9);
        expect(e.t).toBeLessThanOrEqual(r.obs.t + 1e-9);
        if (e.type === 'collision' || e.type === 'contact_end') {
          expect(e.a === 'robot' || e.a.startsWith('robot:')).toBe(true);
          expect(e.b).not.toBe('floor');
        }
      }
      last = r.obs;
      if (r.terminated) break;
    }
    expect(last.step).toBeGreaterThan(0);
    expect(env.clippedCount).toBeLessThanOrEqual(clippedComponents);
    expect(env.clippedCount).toBeGreaterThan(0);
  });
});

describe('action handling', () => {
  it('clips out-of-range and non-finite components and counts them', async () => {
    const env = await createEnv(fixture('push'));
    envs.push(env);
    env.reset({ seed: 1 });
    env.step([5, -5]);
    expect(env.clippedCount).toBe(2);
    env.step([Number.NaN, 0.5]);
    expect(env.clippedCount).toBe(3);
    // Clipped to +1 on x: the pusher moves at its top speed (1 m/s), not 5.
    const r = env.step([5, 0]);
    expect(r.obs.robot.vel.vx).toBeLessThan(1.05);
    env.reset({ seed: 1 });
    expect(env.clippedCount).toBe(0);
    // Wrong lengths: missing components act as 0, extras are dropped; both are counted.
    env.step([0.5]);
    env.step([0.5, 0.5, 0.5, 0.5]);
    expect(env.clippedCount).toBe(3);
    expect(Object.isFrozen(env.actionSpace.low)).toBe(true);
  });

  it('benchRawSteps steps the bare world; reset restores a consistent episode', async () => {
    const env = await createEnv(fixture('nav'));
    envs.push(env);
    const first = env.reset({ seed: 0 }).obs.robot.pose;
    env.step([1, 1]);
    env.benchRawSteps(30);
    const { obs } = env.reset({ seed: 0 });
    expect(obs.robot.pose).toEqual(first);
    expect(obs.step).toBe(0);
  });
});
