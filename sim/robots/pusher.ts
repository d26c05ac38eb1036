/**
 * Pusher: a holonomic disc robot that shoves objects around.
 *
 * | action | name | range   | meaning                                                    |
 * |--------|------|---------|------------------------------------------------------------|
 * | 0      | vx   | [-1, 1] | velocity target along the robot's x axis, × MAX_SPEED m/s |
 * | 1      | vy   | [-1, 1] | velocity target along the robot's y axis, × MAX_SPEED m/s |
 *
 * The robot frame is the start heading (rotations are locked, so it never changes); with the
 * default start yaw of 0 it is the world frame.
 *
 * - Control: each control step applies the force m·(v_target − v)/controlPeriod on the ground
 *   plane, clamped to MAX_FORCE and held for the period: it reaches the target within one
 *   decision when free, pushes light boxes, and stalls against heavy ones (a 0.6-friction box
 *   heavier than ~9 kg on the default floor).
 * - Body: cylinder radius 0.2 m, height 0.2 m, 5 kg, frictionless against the floor (so its
 *   whole force budget goes into pushing), rotations locked (it cannot flip).
 * - Observation: pose, velocity; no joints. Lidar at LIDAR_HEIGHT above its centre.
 */
import type { RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { datan2, yawQuat } from '../detmath.ts';
import type { ActionSpace, RobotState } from '../types.ts';
import { addRobotCollider, bodyState, type BuildContext, type Robot, type RobotBuildOptions, type RobotPart } from './Robot.ts';

export const PUSHER_RADIUS = 0.2;
const HEIGHT = 0.2;
const MASS = 5;
export const MAX_SPEED = 1;
export const MAX_FORCE = 60;
const LIDAR_HEIGHT = 0.05;

export const PUSHER_ACTIONS: ActionSpace = { dim: 2, names: ['vx', 'vy'], low: [-1, -1], high: [1, 1] };

class Pusher implements Robot {
  readonly type = 'pusher' as const;
  readonly actionSpace = PUSHER_ACTIONS;
  readonly lidarHeight = LIDAR_HEIGHT;
  private body!: RigidBody;
  /** World-frame velocity target (m/s). */
  private tx = 0;
  private ty = 0;

  constructor(
    readonly parts: readonly RobotPart[],
    /** cos/sin of the (locked) heading, to turn robot-frame actions into world-frame targets. */
    private readonly c: number,
    private readonly s: number,
    /** Control period (s): the horizon of the velocity tracking. */
    private readonly period: number,
    world: World,
  ) {
    this.bind(world);
  }

  bind(world: World): void {
    this.body = world.getRigidBody(this.parts[0].handle);
  }

  applyAction(a: ArrayLike<number>): void {
    const vx = a[0] * MAX_SPEED;
    const vy = a[1] * MAX_SPEED;
    this.tx = this.c * vx - this.s * vy;
    this.ty = this.s * vx + this.c * vy;
    // Deadbeat velocity tracking at the control rate: the force that would reach the target in
    // one control period, clamped to MAX_FORCE, held until the next decision. One force per
    // control step (not an impulse per physics step) keeps the physics loop free of JS work.
    const v = this.body.linvel();
    let fx = (MASS * (this.tx - v.x)) / this.period;
    let fy = (MASS * (this.ty - v.y)) / this.period;
    const n2 = fx * fx + fy * fy;
    if (n2 > MAX_FORCE * MAX_FORCE) {
      const k = MAX_FORCE / Math.sqrt(n2);
      fx *= k;
      fy *= k;
    }
    this.body.resetForces(false);
    this.body.addForce({ x: fx, y: fy, z: 0 }, true);
  }

  state(): RobotState {
    return { type: 'pusher', ...bodyState(this.body, datan2), joints: { pos: [], vel: [] } };
  }

  saveController(): number[] {
    return [this.tx, this.ty];
  }

  loadController(s: readonly number[]): void {
    this.tx = s[0];
    this.ty = s[1];
  }
}

export function buildPusher(ctx: BuildContext, opts: RobotBuildOptions): Robot {
  const { R, world } = ctx;
  const q = yawQuat(opts.start.yaw);
  const body = world.createRigidBody(
    R.RigidBodyDesc.dynamic()
      .setTranslation(opts.start.x, opts.start.y, HEIGHT / 2)
      .setRotation({ x: q[0], y: q[1], z: q[2], w: q[3] })
      .lockRotations()
      .setCanSleep(false),
  );
  const S = Math.SQRT1_2;
  addRobotCollider(
    ctx,
    R.ColliderDesc.cylinder(HEIGHT / 2, PUSHER_RADIUS).setRotation({ x: S, y: 0, z: 0, w: S }).setMass(MASS).setFriction(0).setFrictionCombineRule(R.CoefficientCombineRule.Min),
    body,
    'robot',
  );
  const parts: RobotPart[] = [
    {
      id: 'robot',
      kind: 'robot',
      handle: body.handle,
      shapes: [
        { shape: 'cylinder', dims: [PUSHER_RADIUS, HEIGHT, 0], offset: [0, 0, 0, 0, 0, 0, 1], color: '#2f7de1' },
        { shape: 'box', dims: [0.08, 0.08, 0.02], offset: [PUSHER_RADIUS - 0.06, 0, HEIGHT / 2 + 0.01, 0, 0, 0, 1], color: '#ffcc00' },
      ],
    },
  ];
  // cos/sin of the heading from the quaternion (yaw about z): c = w² − z², s = 2wz.
  return new Pusher(parts, q[3] * q[3] - q[2] * q[2], 2 * q[2] * q[3], opts.controlPeriod, world);
}
