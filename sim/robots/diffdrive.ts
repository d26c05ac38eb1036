/**
 * Differential-drive robot: a box chassis on two motorised wheels and a frictionless caster.
 *
 * | action | name  | range   | meaning                                           |
 * |--------|-------|---------|---------------------------------------------------|
 * | 0      | left  | [-1, 1] | left wheel speed target, × MAX_WHEEL_SPEED rad/s  |
 * | 1      | right | [-1, 1] | right wheel speed target, × MAX_WHEEL_SPEED rad/s |
 *
 * - Limits: ~1 m/s top speed (both +1), turns in place at ~5 rad/s (left −1, right +1 turns
 *   counter-clockwise). Wheel torque limited to MAX_WHEEL_TORQUE N·m (force-based motors: the
 *   default acceleration-based model barely moves light wheels).
 * - Body: chassis 0.40 × 0.30 × 0.10 m, 3 kg; wheels radius 0.08 m, 0.3 kg each, 0.18 m
 *   either side of the centre line; caster sphere radius 0.04 m at the rear, friction 0.
 * - Observation: chassis pose, yaw, velocities; joints = [left, right] wheel angle and speed.
 * - Lidar: at LIDAR_HEIGHT above the chassis centre.
 */
import type { RevoluteImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { datan2, rotate, yawQuat, type Quat, type Vec3 } from '../detmath.ts';
import type { ActionSpace, RobotState } from '../types.ts';
import { addRobotCollider, bodyState, jointAngle, jointVelocity, type BuildContext, type Robot, type RobotBuildOptions, type RobotPart } from './Robot.ts';

export const WHEEL_RADIUS = 0.08;
export const MAX_WHEEL_SPEED = 12.5; // rad/s: 1 m/s at the rim
export const MAX_WHEEL_TORQUE = 4;
const MOTOR_GAIN = 2;
const CHASSIS: Vec3 = [0.4, 0.3, 0.1];
const CHASSIS_MASS = 3;
const WHEEL_WIDTH = 0.05;
const WHEEL_MASS = 0.3;
const WHEEL_Y = 0.18;
const CASTER_RADIUS = 0.04;
/** Chassis centre height: wheel axle at WHEEL_RADIUS, chassis centre 0.02 m above it. */
const CHASSIS_Z = WHEEL_RADIUS + 0.02;
const LIDAR_HEIGHT = 0.08;
/** Smallest half-extent of the footprint (chassis half-length; the wheels stick out further
 * sideways): no gap narrower than twice this can be driven through. */
export const MIN_HALF_EXTENT = Math.min(CHASSIS[0] / 2, WHEEL_Y + WHEEL_WIDTH / 2);
const WHEEL_AXIS: readonly [number, number, number] = [0, 1, 0];
const S = Math.SQRT1_2;
/** Rapier cylinders run along local y; scene cylinders along local z: −90° about x maps z to y. */
const Z_TO_Y: [number, number, number, number] = [-S, 0, 0, S];

export const DIFFDRIVE_ACTIONS: ActionSpace = { dim: 2, names: ['left', 'right'], low: [-1, -1], high: [1, 1] };

class DiffDrive implements Robot {
  readonly type = 'diffdrive' as const;
  readonly actionSpace = DIFFDRIVE_ACTIONS;
  readonly lidarHeight = LIDAR_HEIGHT;
  private chassis!: RigidBody;
  private wheels!: [RigidBody, RigidBody];
  private joints!: [RevoluteImpulseJoint, RevoluteImpulseJoint];

  constructor(
    readonly parts: readonly RobotPart[],
    private readonly jointHandles: [number, number],
    world: World,
  ) {
    this.bind(world);
  }

  bind(world: World): void {
    this.chassis = world.getRigidBody(this.parts[0].handle);
    this.wheels = [world.getRigidBody(this.parts[1].handle), world.getRigidBody(this.parts[2].handle)];
    this.joints = [
      world.getImpulseJoint(this.jointHandles[0]) as RevoluteImpulseJoint,
      world.getImpulseJoint(this.jointHandles[1]) as RevoluteImpulseJoint,
    ];
  }

  applyAction(a: ArrayLike<number>): void {
    this.joints[0].configureMotorVelocity(a[0] * MAX_WHEEL_SPEED, MOTOR_GAIN);
    this.joints[1].configureMotorVelocity(a[1] * MAX_WHEEL_SPEED, MOTOR_GAIN);
    // Motors do not wake a sleeping chassis on their own.
    if (a[0] !== 0 || a[1] !== 0) this.chassis.wakeUp();
  }

  state(): RobotState {
    const axis = WHEEL_AXIS;
    const qc = this.chassis.rotation();
    const wc = this.chassis.angvel();
    const ql = this.wheels[0].rotation();
    const qr = this.wheels[1].rotation();
    return {
      type: 'diffdrive',
      ...bodyState(this.chassis, datan2, qc, wc),
      joints: {
        pos: [jointAngle(qc, ql, axis, datan2), jointAngle(qc, qr, axis, datan2)],
        vel: [jointVelocity(qc, wc, this.wheels[0].angvel(), axis), jointVelocity(qc, wc, this.wheels[1].angvel(), axis)],
      },
    };
  }

  saveController(): number[] {
    return [];
  }

  loadController(): void {}
}

export function buildDiffDrive(ctx: BuildContext, opts: RobotBuildOptions): Robot {
  const { R, world } = ctx;
  const q: Quat = yawQuat(opts.start.yaw);
  const rot = { x: q[0], y: q[1], z: q[2], w: q[3] };
  const at = (local: Vec3) => {
    const r = rotate(q, local);
    return { x: opts.start.x + r[0], y: opts.start.y + r[1], z: CHASSIS_Z + r[2] };
  };

  // Chassis with the caster ball under its rear.
  const chassis = world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(opts.start.x, opts.start.y, CHASSIS_Z).setRotation(rot).setCanSleep(false));
  addRobotCollider(ctx, R.ColliderDesc.cuboid(CHASSIS[0] / 2, CHASSIS[1] / 2, CHASSIS[2] / 2).setMass(CHASSIS_MASS).setFriction(0.3), chassis, 'robot');
  const casterZ = CASTER_RADIUS - CHASSIS_Z;
  addRobotCollider(
    ctx,
    R.ColliderDesc.ball(CASTER_RADIUS).setTranslation(-0.15, 0, casterZ).setMass(0.05).setFriction(0).setFrictionCombineRule(R.CoefficientCombineRule.Min),
    chassis,
    'robot',
  );

  // Wheels: Rapier cylinders are along local y, which is the axle direction.
  const wheelZ = WHEEL_RADIUS - CHASSIS_Z;
  const wheelParts: RobotPart[] = [];
  const jointHandles: number[] = [];
  for (const [name, side] of [['wheel_left', 1], ['wheel_right', -1]] as const) {
    const anchor: Vec3 = [0, side * WHEEL_Y, wheelZ];
    const wheel = world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(at(anchor).x, at(anchor).y, at(anchor).z).setRotation(rot).setCanSleep(false));
    const id = `robot:${name}`;
    addRobotCollider(ctx, R.ColliderDesc.cylinder(WHEEL_WIDTH / 2, WHEEL_RADIUS).setMass(WHEEL_MASS).setFriction(1.2), wheel, id);
    const jd = R.JointData.revolute({ x: anchor[0], y: anchor[1], z: anchor[2] }, { x: 0, y: 0, z: 0 }, { x: 0, y: 1, z: 0 });
    const joint = world.createImpulseJoint(jd, chassis, wheel, true) as RevoluteImpulseJoint;
    joint.setContactsEnabled(false);
    joint.configureMotorModel(R.MotorModel.ForceBased);
    joint.setMotorMaxForce(MAX_WHEEL_TORQUE);
    joint.configureMotorVelocity(0, MOTOR_GAIN);
    jointHandles.push(joint.handle);
    wheelParts.push({ id, kind: 'robot_part', handle: wheel.handle, shapes: [{ shape: 'cylinder', dims: [WHEEL_RADIUS, WHEEL_WIDTH, 0], offset: [0, 0, 0, ...Z_TO_Y], color: '#222222' }] });
  }

  const parts: RobotPart[] = [
    {
      id: 'robot',
      kind: 'robot',
      handle: chassis.handle,
      shapes: [
        { shape: 'box', dims: [...CHASSIS], offset: [0, 0, 0, 0, 0, 0, 1], color: '#2f7de1' },
        { shape: 'sphere', dims: [CASTER_RADIUS, 0, 0], offset: [-0.15, 0, casterZ, 0, 0, 0, 1], color: '#888888' },
        // Heading marker so the viewer shows which way is forward.
        { shape: 'box', dims: [0.06, 0.1, 0.02], offset: [0.16, 0, CHASSIS[2] / 2 + 0.01, 0, 0, 0, 1], color: '#ffcc00' },
      ],
    },
    ...wheelParts,
  ];
  return new DiffDrive(parts, [jointHandles[0], jointHandles[1]], world);
}
