/**
 * Episode outcomes through real physics: success for each task type, left_arena off a wall-less
 * arena, truncation at the time limit (never a failure), flipped and diverged predicates, and the
 * reward terms that go with them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenarios/schema.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';
import { checkFailure, SETTLE_DWELL } from '../../sim/predicates.ts';
import { SUCCESS_BONUS, FAILURE_PENALTY } from '../../sim/reward.ts';
import type { RobotState, StepResult } from '../../sim/types.ts';
import { fixture } from './helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

async function make(s: Scenario): Promise<SimEnv> {
  const env = await createEnv(s);
  envs.push(env);
  return env;
}

/** A bare diffdrive arena: robot at the origin facing +x. */
function open(extra: Partial<Scenario> = {}): Scenario {
  const base = fixture('nav');
  return { ...base, id: 'open', obstacles: [], objects: [], movingObstacles: [], perturbations: [], randomize: {}, robot: { type: 'diffdrive', start: { position: [0, 0], yaw: 0 } }, ...extra };
}

function until(env: SimEnv, action: number[], max: number): StepResult {
  let r!: StepResult;
  for (let i = 0; i < max; i++) {
    r = env.step(action);
    if (r.terminated || r.truncated) break;
  }
  return r;
}

describe('predicates', () => {
  it('reach: a robot that stops in the goal succeeds after the dwell, with the bonus and a success event', async () => {
    const env = await make(open({ goal: { type: 'reach', position: [1.5, 0], tolerance: 0.3 } }));
    env.reset({ seed: 0 });
    // Drive until inside the tolerance, then brake.
    let r = env.step([1, 1]);
    while (r.info.goalDistance > 0.2) r = env.step([1, 1]);
    expect(r.info.success).toBe(false);
    const entered = r.obs.t;
    r = until(env, [0, 0], 40);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.info.success).toBe(true);
    expect(r.info.failure).toBeNull();
    expect(r.info.goalDistance).toBeLessThanOrEqual(0.3);
    expect(r.info.events.some((e) => e.type === 'success')).toBe(true);
    expect(r.reward).toBeGreaterThan(SUCCESS_BONUS - 1);
    // Braking plus SETTLE_DWELL of standing still, in a second or so.
    expect(r.obs.t - entered).toBeGreaterThanOrEqual(SETTLE_DWELL - 1e-9);
    expect(r.obs.t - entered).toBeLessThan(1.5);
  });

  it('reach: driving through the goal at speed is not a success (a state, not a touch)', async () => {
    const env = await make(open({ goal: { type: 'reach', position: [1, 0], tolerance: 0.3 } }));
    env.reset({ seed: 0 });
    let inside = 0;
    let r!: StepResult;
    for (let i = 0; i < 30; i++) {
      r = env.step([1, 1]);
      if (r.info.goalDistance <= 0.3) inside++;
      expect(r.info.success).toBe(false);
    }
    expect(inside).toBeGreaterThan(0);
    expect(r.obs.robot.pose.x).toBeGreaterThan(1.5);
  });

  it('push: a crate sliding through the goal is no success; one that stops inside is', async () => {
    // On ice (friction 0.05) a 2 N·s shove sends the 1 kg box across the goal at ~1.5 m/s.
    const base = fixture('push');
    const icy = { ...base, arena: { ...base.arena, friction: 0.05 }, objects: base.objects.map((o) => (o.id === 'box' ? { ...o, friction: 0.05 } : o)), randomize: {} };
    const env = await make(icy);
    env.reset({ seed: 0 });
    env.shove('box', [2, 0, 0], 'user');
    let crossed = false;
    let r!: StepResult;
    for (let i = 0; i < 40; i++) {
      r = env.step([0, 0]);
      if (r.info.goalDistance <= 0.25) crossed = true;
      expect(r.info.success).toBe(false);
    }
    expect(crossed).toBe(true);
    expect(r.obs.objects.find((o) => o.id === 'box')!.x).toBeGreaterThan(1.25);

    // On the normal floor: push until the box is on the goal, then stand still.
    const env2 = await make(fixture('push'));
    let obs = env2.reset({ seed: 0 }).obs;
    let r2!: StepResult;
    for (let i = 0; i < 150; i++) {
      const b = obs.objects.find((o) => o.id === 'box')!;
      r2 = env2.step(b.x < 0.9 ? [0.6, 0] : [0, 0]);
      obs = r2.obs;
      if (r2.terminated) break;
    }
    expect(r2.info.success).toBe(true);
    const box = r2.obs.objects.find((o) => o.id === 'box')!;
    expect(Math.hypot(box.x - 1, box.y)).toBeLessThanOrEqual(0.25);
    // The robot itself is not on the goal: the object is the subject.
    expect(r2.obs.robot.pose.x).toBeLessThan(0.9);
  });

  it('ee_reach: the arm tip must come to rest on the point; sweeping through it is not enough', async () => {
    // Home pose puts the ee at (0.65, 0, 0.225); lowering the shoulder a little reaches below it.
    const s = fixture('arm');
    const scenario = { ...s, obstacles: [], objects: [], goal: { type: 'ee_reach' as const, position: [0.645, 0, 0.14] as [number, number, number], tolerance: 0.05 } };
    const env = await make(scenario);
    const { info } = env.reset({ seed: 0 });
    expect(info.goalDistance).toBeGreaterThan(0.05);
    // Sweeping down through the point without stopping never succeeds.
    let through = false;
    for (let i = 0; i < 12; i++) {
      const r = env.step([0, 0.3, 0]);
      if (r.info.goalDistance <= 0.05) through = true;
      expect(r.info.success).toBe(false);
      if (r.terminated) break;
    }
    expect(through).toBe(true);
    // Stopping at the point does.
    env.reset({ seed: 0 });
    let r = env.step([0, 0.3, 0]);
    while (r.info.goalDistance > 0.02 && r.obs.t < 3) r = env.step([0, 0.3, 0]);
    r = until(env, [0, 0, 0], 20);
    expect(r.info.success).toBe(true);
    expect(r.obs.robot.ee!.z).toBeLessThan(0.2);
  });

  it('left_arena: driving off a wall-less arena fails with the penalty', async () => {
    const env = await make(open({ arena: { size: [3, 3], friction: 0.8, walls: false, slopes: [], steps: [] }, goal: { type: 'reach', position: [-1, 1], tolerance: 0.3 } }));
    env.reset({ seed: 0 });
    const r = until(env, [1, 1], 60);
    expect(r.terminated).toBe(true);
    expect(r.info.failure).toBe('left_arena');
    expect(r.info.events).toContainEqual(expect.objectContaining({ type: 'failure', reason: 'left_arena' }));
    expect(r.reward).toBeLessThan(-FAILURE_PENALTY + 1);
  });

  it('walls keep the robot in, and contacts with them are collision events', async () => {
    const env = await make(open({ arena: { size: [3, 3], friction: 0.8, walls: { height: 0.3, thickness: 0.1 }, slopes: [], steps: [] }, goal: { type: 'reach', position: [-1, 1], tolerance: 0.3 } }));
    env.reset({ seed: 0 });
    const hits: string[] = [];
    let r!: StepResult;
    for (let i = 0; i < 40; i++) {
      r = env.step([1, 1]);
      for (const e of r.info.events) if (e.type === 'collision') hits.push(e.b);
    }
    expect(r.info.failure).toBeNull();
    expect(r.obs.robot.pose.x).toBeLessThan(1.5);
    expect(hits).toContain('wall_east');
  });

  it('time limit: truncated, never terminated, no failure', async () => {
    const env = await make(open({ timeLimit: 1 }));
    env.reset({ seed: 0 });
    let r!: StepResult;
    for (let i = 0; i < 10; i++) {
      r = env.step([0, 0]);
      expect(r.truncated).toBe(i === 9);
    }
    expect(r.terminated).toBe(false);
    expect(r.info.failure).toBeNull();
    expect(r.obs.t).toBeCloseTo(1, 9);
  });

  it('a hard sideways shove onto its side counts as flipped', async () => {
    const env = await make(open());
    env.reset({ seed: 0 });
    // A big upward-sideways kick on one wheel rolls the chassis over.
    env.shove('robot:wheel_left', [0, 0, 6], 'scenario');
    env.shove('robot', [0, -3, 2], 'scenario');
    const r = until(env, [0, 0], 30);
    expect(r.info.failure).toBe('flipped');
  });

  it('flipped and diverged are decided from the robot state', () => {
    const s = open();
    const upright: RobotState = { type: 'diffdrive', pose: { x: 0, y: 0, z: 0.1, yaw: 0 }, quat: [0, 0, 0, 1], vel: { vx: 0, vy: 0, wz: 0 }, joints: { pos: [0, 0], vel: [0, 0] } };
    expect(checkFailure(s, upright)).toBeNull();
    const S = Math.SQRT1_2;
    expect(checkFailure(s, { ...upright, quat: [S, 0, 0, S] })?.reason).toBe('flipped');
    expect(checkFailure(s, { ...upright, pose: { ...upright.pose, x: Number.NaN } })?.reason).toBe('diverged');
    expect(checkFailure(s, { ...upright, vel: { vx: 80, vy: 0, wz: 0 } })?.reason).toBe('diverged');
    // The arm never flips or leaves.
    expect(checkFailure(s, { ...upright, type: 'arm', quat: [S, 0, 0, S], pose: { ...upright.pose, x: 100 } })).toBeNull();
  });

  it('an absurd impulse that makes the physics engine freeze the robot is diverged, not a timeout', async () => {
    // Rapier switches off a body whose state became non-finite; it then stands still with finite
    // numbers. Issue 16: this was scored as a timeout after the full time limit.
    for (const target of ['robot', 'box']) {
      const base = fixture('push');
      const env = await make(base);
      env.reset({ seed: 0 });
      env.shove(target, [1e300, 0, 0], 'user');
      const r = until(env, [0, 0, 0].slice(0, env.actionSpace.dim), 50);
      expect(r.terminated, target).toBe(true);
      expect(r.info.failure, target).toBe('diverged');
      expect(r.info.step, target).toBeLessThan(5);
      const ev = r.info.events.find((e) => e.type === 'failure');
      expect(ev, target).toMatchObject({ reason: 'diverged', detail: expect.stringMatching(/froze body|non-finite/) });
    }
  });
});
