/**
 * Robot behaviour against each spec card: top speeds, turning in place, pushing light objects
 * but stalling against heavy ones, arm joints tracking speed targets within their limits, and
 * the lidar seeing what is there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenarios/schema.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import { JOINT_LIMITS } from '../../sim/robots/arm.ts';
import type { Observation } from '../../sim/types.ts';
import { fixture } from './helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

async function make(s: Scenario): Promise<SimEnv> {
  const env = await createEnv(s);
  envs.push(env);
  return env;
}

function drive(env: SimEnv, action: number[], steps: number): Observation {
  let o!: Observation;
  for (let i = 0; i < steps; i++) o = env.step(action).obs;
  return o;
}

const bare = (s: Scenario, extra: Partial<Scenario> = {}): Scenario => ({
  ...s,
  id: 'bare',
  obstacles: [],
  objects: [],
  movingObstacles: [],
  perturbations: [],
  randomize: {},
  arena: { size: [20, 20], friction: 0.8, walls: false, slopes: [], steps: [] },
  goal: { type: 'reach', position: [9, 9], tolerance: 0.3 },
  ...extra,
});

describe('diffdrive', () => {
  it('drives straight at about 1 m/s and stops when told', async () => {
    const env = await make(bare(fixture('nav'), { robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } } }));
    env.reset({ seed: 0 });
    const o = drive(env, [1, 1], 30);
    expect(o.robot.vel.vx).toBeGreaterThan(0.9);
    expect(o.robot.vel.vx).toBeLessThan(1.1);
    expect(Math.abs(o.robot.pose.y)).toBeLessThan(0.15);
    expect(o.robot.pose.x).toBeGreaterThan(2.5);
    const s = drive(env, [0, 0], 10);
    expect(Math.abs(s.robot.vel.vx)).toBeLessThan(0.05);
  });

  it('turns in place counter-clockwise for (left −1, right +1)', async () => {
    const env = await make(bare(fixture('nav'), { robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } } }));
    env.reset({ seed: 0 });
    const o = drive(env, [-1, 1], 2);
    expect(o.robot.vel.wz).toBeGreaterThan(2);
    expect(o.robot.pose.yaw).toBeGreaterThan(0.3);
    expect(Math.hypot(o.robot.pose.x, o.robot.pose.y)).toBeLessThan(0.1);
  });

  it('starts with the yaw it was given, in radians', async () => {
    const env = await make(bare(fixture('nav'), { robot: { type: 'diffdrive', start: { position: [1, 2], yaw: 90 } } }));
    const { obs } = env.reset({ seed: 0 });
    expect(obs.robot.pose.yaw).toBeCloseTo(Math.PI / 2, 6);
    const o = drive(env, [1, 1], 10);
    expect(o.robot.pose.y).toBeGreaterThan(2.5);
  });

  it('lidar sees an obstacle ahead at the right range and nothing behind', async () => {
    const env = await make(
      bare(fixture('nav'), {
        robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } },
        obstacles: [{ id: 'wall-ahead', shape: 'box', position: [2, 0], size: [0.2, 2, 0.5], yaw: 0 }],
      }),
    );
    const { obs } = env.reset({ seed: 0 });
    expect(obs.lidar.angles[0]).toBe(0);
    // Face of the box at x = 1.9; the ray starts at the chassis centre.
    expect(obs.lidar.ranges[0]).toBeCloseTo(1.9, 2);
    expect(obs.lidar.ranges[8]).toBe(obs.lidar.maxRange);
  });
});

describe('pusher', () => {
  const scene = (mass: number): Scenario =>
    bare(fixture('push'), {
      robot: { type: 'pusher', start: { position: [0, 0], yaw: 0 } },
      objects: [{ id: 'load', shape: 'box', position: [0.4, 0], size: [0.4, 0.4, 0.3], mass, friction: 0.6, yaw: 0 }],
    });

  it('reaches its top speed holonomically', async () => {
    const env = await make(bare(fixture('push'), { robot: { type: 'pusher', start: { position: [0, 0], yaw: 0 } } }));
    env.reset({ seed: 0 });
    const o = drive(env, [0, 1], 10);
    expect(o.robot.vel.vy).toBeGreaterThan(0.95);
    expect(Math.abs(o.robot.vel.vx)).toBeLessThan(0.05);
    expect(o.robot.quat[3]).toBeCloseTo(1, 6);
  });

  it('pushes a light box and stalls against a heavy one', async () => {
    const light = await make(scene(2));
    light.reset({ seed: 0 });
    const lo = drive(light, [1, 0], 20);
    expect(lo.objects[0].x).toBeGreaterThan(1.5);
    const heavy = await make(scene(40));
    heavy.reset({ seed: 0 });
    const ho = drive(heavy, [1, 0], 20);
    expect(ho.objects[0].x).toBeLessThan(0.5);
    expect(ho.robot.pose.x).toBeLessThan(0.2);
  });
});

describe('arm', () => {
  it('holds its home pose with a zero action', async () => {
    const env = await make(bare(fixture('arm'), { goal: { type: 'ee_reach', position: [0.5, 0.5, 0.5], tolerance: 0.05 } }));
    const { obs } = env.reset({ seed: 0 });
    expect(obs.robot.ee!.x).toBeCloseTo(0.65, 2);
    expect(obs.robot.ee!.z).toBeCloseTo(0.225, 2);
    const o = drive(env, [0, 0, 0], 20);
    expect(o.robot.ee!.x).toBeCloseTo(obs.robot.ee!.x, 3);
    expect(o.robot.ee!.z).toBeCloseTo(obs.robot.ee!.z, 3);
  });

  it('tracks joint speed targets and stops at its limits', async () => {
    const env = await make(bare(fixture('arm'), { goal: { type: 'ee_reach', position: [0.5, 0.5, 0.5], tolerance: 0.05 } }));
    env.reset({ seed: 0 });
    const o = drive(env, [1, 0, 0], 5);
    expect(o.robot.joints.vel[0]).toBeCloseTo(1.5, 1);
    expect(o.robot.ee!.y).toBeGreaterThan(0.3);
    // The other joints barely move while the base turns.
    expect(o.robot.joints.pos[1]).toBeCloseTo(-Math.PI / 6, 1);
    const up = drive(env, [0, -1, 0], 30);
    expect(up.robot.joints.pos[1]).toBeGreaterThan(JOINT_LIMITS[1][0] - 0.05);
    expect(up.robot.joints.pos[1]).toBeLessThan(JOINT_LIMITS[1][0] + 0.1);
  });

  it('pushes a cube off its table with the end effector', async () => {
    const s = fixture('arm');
    const env = await make({ ...s, objects: [{ id: 'cube', shape: 'box', position: [0.6, 0.35], size: [0.08, 0.08, 0.08], mass: 0.1, friction: 0.5, yaw: 0 }], obstacles: [] });
    const { obs } = env.reset({ seed: 0 });
    const y0 = obs.objects.find((o) => o.id === 'cube')!.y;
    // Lower the tip to cube height, then sweep the base yaw towards +y.
    drive(env, [0, 0.6, 0], 6);
    const o = drive(env, [0.6, 0, 0], 15);
    expect(o.objects.find((x) => x.id === 'cube')!.y).toBeGreaterThan(y0 + 0.05);
  });
});
