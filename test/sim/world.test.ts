/**
 * The world builder and its moving parts: kinematic obstacles follow their paths at constant
 * speed, scheduled shoves land at their times, ramps and platforms can be driven on, jitter
 * stays inside its radius, and the deterministic trigonometry matches libm closely.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenarios/schema.ts';
import { datan2, dcos, dsin } from '../../sim/detmath.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import { resolveLayout } from '../../sim/layout.ts';
import { MovingPath } from '../../sim/movingPath.ts';
import type { Observation } from '../../sim/types.ts';
import { fixture } from './helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

const base = (extra: Partial<Scenario>): Scenario => ({
  ...fixture('nav'),
  id: 'world-test',
  obstacles: [],
  objects: [],
  movingObstacles: [],
  perturbations: [],
  randomize: {},
  robot: { type: 'diffdrive', start: { position: [-3, -3], yaw: 0 } },
  arena: { size: [10, 10], friction: 0.8, walls: false, slopes: [], steps: [] },
  ...extra,
});

describe('moving paths', () => {
  it('pingpong and loop positions by arc length', () => {
    const p: [number, number] = [0, 0];
    const d: [number, number] = [0, 0];
    const pp = new MovingPath([[0, 0], [2, 0]], 'pingpong');
    pp.at(0.5, p, d);
    expect(p).toEqual([0.5, 0]);
    expect(d).toEqual([1, 0]);
    pp.at(3.5, p, d); // out 2, back 1.5
    expect(p[0]).toBeCloseTo(0.5, 12);
    expect(d[0]).toBe(-1);
    expect(Math.abs(d[1])).toBe(0);
    const loop = new MovingPath([[0, 0], [1, 0], [1, 1]], 'loop');
    expect(loop.length).toBeCloseTo(2 + Math.SQRT2, 12);
    loop.at(1.5, p);
    expect(p[0]).toBeCloseTo(1, 12);
    expect(p[1]).toBeCloseTo(0.5, 12);
    loop.at(loop.length + 0.25, p);
    expect(p[0]).toBeCloseTo(0.25, 12);
  });

  it('a kinematic obstacle moves at its speed and pushes the robot aside', async () => {
    const env = await createEnv(
      base({
        robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } },
        movingObstacles: [{ id: 'cart', shape: 'box', size: [0.4, 0.4, 0.3], path: [[-2, 0], [2, 0]], speed: 1, mode: 'pingpong', phase: [0, 0] }],
      }),
    );
    envs.push(env);
    const { obs } = env.reset({ seed: 0 });
    expect(obs.objects[0]).toMatchObject({ id: 'cart', kind: 'moving', x: -2, y: 0 });
    let o!: Observation;
    const hits: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = env.step([0, 0]);
      o = r.obs;
      for (const e of r.info.events) if (e.type === 'collision') hits.push(e.b);
    }
    const cart = o.objects[0];
    expect(cart.x).toBeCloseTo(-1, 6);
    expect(cart.vx).toBeCloseTo(1, 3);
    for (let i = 0; i < 15; i++) {
      const r = env.step([0, 0]);
      o = r.obs;
      for (const e of r.info.events) if (e.type === 'collision') hits.push(e.b);
    }
    expect(hits).toContain('cart');
    expect(o.robot.pose.x).toBeGreaterThan(0.2);
  });
});

describe('perturbations', () => {
  it('a scheduled shove lands at its time on its target', async () => {
    const env = await createEnv(
      base({
        objects: [{ id: 'ball', shape: 'sphere', radius: 0.15, position: [2, 2], mass: 1, friction: 0.6, yaw: 0 }],
        perturbations: [{ at: 0.45, target: 'ball', impulse: [2, 0, 0], jitter: 0 }],
      }),
    );
    envs.push(env);
    env.reset({ seed: 0 });
    const events = [];
    let x = 0;
    for (let i = 0; i < 8; i++) {
      const r = env.step([0, 0]);
      events.push(...r.info.events);
      x = r.obs.objects[0].x;
    }
    const p = events.find((e) => e.type === 'perturbation');
    // First physics step at or after 0.45 s (steps of 1/60 s).
    expect(p).toMatchObject({ type: 'perturbation', target: 'ball', impulse: [2, 0, 0], source: 'scenario' });
    expect(p!.t).toBeGreaterThanOrEqual(0.45 - 1e-9);
    expect(p!.t).toBeLessThan(0.45 + 1 / 60);
    expect(x).toBeGreaterThan(2.3);
  });

  it('an unknown target is a UserError naming the field', async () => {
    await expect(createEnv(base({ perturbations: [{ at: 1, target: 'ghost', impulse: [1, 0, 0], jitter: 0 }] }))).rejects.toThrow(/perturbations\[0\]\.target "ghost"/);
  });

  it('a control period that is not a whole number of physics steps is a UserError', async () => {
    await expect(createEnv(base({ controlPeriod: 0.105 }))).rejects.toThrow(/not a whole number of physicsDt/);
  });
});

describe('terrain', () => {
  it('the diffdrive climbs a 12° ramp onto a 0.3 m platform', async () => {
    const env = await createEnv(
      base({
        robot: { type: 'diffdrive', start: { position: [-1, 0], yaw: 0 } },
        arena: {
          size: [10, 10],
          friction: 0.8,
          walls: false,
          slopes: [{ id: 'ramp', position: [0.71, 0], length: 1.45, width: 1.4, angle: 12, yaw: 0 }],
          steps: [{ id: 'deck', position: [2.9, 0], size: [3, 3], height: 0.3, yaw: 0 }],
        },
        goal: { type: 'reach', position: [2.9, 0], tolerance: 0.4 },
      }),
    );
    envs.push(env);
    const { obs } = env.reset({ seed: 0 });
    expect(obs.objects.map((o) => o.kind)).toEqual(['slope', 'step']);
    // Full speed until on the goal, then stop there (success needs the robot at rest).
    let r = env.step([1, 1]);
    for (let i = 0; i < 80 && !r.terminated; i++) r = env.step(r.obs.robot.pose.x < 2.75 ? [1, 1] : [0, 0]);
    expect(r.info.success).toBe(true);
    expect(r.obs.robot.pose.z).toBeGreaterThan(0.35);
  });
});

describe('layout and trigonometry', () => {
  it('object jitter stays inside its radius for many seeds', () => {
    const s = base({ objects: [{ id: 'crate', shape: 'box', size: [0.3, 0.3, 0.3], position: [1, 1], mass: 1, friction: 0.6, yaw: 30 }], randomize: { objectJitter: 0.2 } });
    for (let seed = 0; seed < 200; seed++) {
      const o = resolveLayout(s, seed).objects[0];
      expect(Math.hypot(o.x - 1, o.y - 1)).toBeLessThanOrEqual(0.2);
      expect(o.yaw).toBeCloseTo(Math.PI / 6, 12);
    }
  });

  it('dsin, dcos and datan2 agree with libm to a few ulps', () => {
    let worst = 0;
    for (let i = -3000; i <= 3000; i++) {
      const x = i * 0.01;
      worst = Math.max(worst, Math.abs(dsin(x) - Math.sin(x)), Math.abs(dcos(x) - Math.cos(x)));
      for (const y of [-2, -0.3, 0, 0.7, 5]) worst = Math.max(worst, Math.abs(datan2(y, x) - Math.atan2(y, x)));
    }
    expect(worst).toBeLessThan(1e-14);
    expect(datan2(0, 0)).toBe(0);
    expect(datan2(0, -1)).toBeCloseTo(Math.PI, 15);
  });
});
