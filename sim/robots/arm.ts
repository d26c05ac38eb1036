/**
 * Arm: a fixed-base three-joint manipulator (base yaw, shoulder pitch, elbow pitch).
 *
 * | action | name     | range   | meaning                                         |
 * |--------|----------|---------|-------------------------------------------------|
 * | 0      | yaw      | [-1, 1] | base yaw velocity target, × MAX_JOINT_SPEED[0]  |
 * | 1      | shoulder | [-1, 1] | shoulder pitch velocity target, × [1] rad/s     |
 * | 2      | elbow    | [-1, 1] | elbow pitch velocity target, × [2] rad/s        |
 *
 * - Geometry: base cylinder (r 0.1 m, 0.1 m tall) fixed on the floor; turret (r 0.06 m, 0.1 m)
 *   turning about z; shoulder 0.2 m above the floor; upper arm 0.4 m, forearm 0.35 m, both
 *   capsules along their local +x; a 0.03 m ball end effector at the forearm tip.
 * - Joint angles: 0 = links horizontal, pointing along the base heading; positive pitch tilts
 *   the link down. Home pose [0°, −30°, 60°] (ee ≈ 0.65 m out, 0.22 m up). Limits in
 *   JOINT_LIMITS; motors are force-based velocity motors limited to MAX_JOINT_TORQUE.
 * - Links are gravity-compensated (gravity scale 0), as a real arm's controller would be, so a
 *   zero action holds the pose; contacts still push them.
 * - Observation: joints = 3 angles and speeds; `ee` = end-effector position. No lidar.
 */
import type { RevoluteImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { axisAngleQuat, datan2, quatMul, rotate, yawQuat, type Quat, type Vec3 } from '../detmath.ts';
import type { ActionSpace, RobotState } from '../types.ts';
import { addRobotCollider, bodyState, jointAngle, jointVelocity, type BuildContext, type Robot, type RobotBuildOptions, type RobotPart } from './Robot.ts';

const BASE_R = 0.1;
const BASE_H = 0.1;
const TURRET_R = 0.06;
const TURRET_H = 0.1;
export const UPPER_LEN = 0.4;
export const FORE_LEN = 0.35;
const LINK_R = 0.035;
export const EE_RADIUS = 0.03;
export const HOME_JOINTS = [0, (-30 * Math.PI) / 180, (60 * Math.PI) / 180];
export const JOINT_LIMITS: [number, number][] = [
  [(-170 * Math.PI) / 180, (170 * Math.PI) / 180],
  [(-100 * Math.PI) / 180, (80 * Math.PI) / 180],
  [(-150 * Math.PI) / 180, (150 * Math.PI) / 180],
];
export const MAX_JOINT_SPEED = [1.5, 1.5, 2];
const MAX_JOINT_TORQUE = 30;
const MOTOR_GAIN = 300;
const LINK_MASS = 1;
/** Extra rotational inertia per moving link (kg·m²), like MuJoCo's `armature`: a real arm's motor
 * rotors, seen through the gearbox, add inertia. Without it the light turret cannot carry the
 * much heavier links through the iterative joint solver (the shoulder visibly twists and lags). */
const ARMATURE = [0.5, 0.1, 0.05];
const AXES: Vec3[] = [[0, 0, 1], [0, 1, 0], [0, 1, 0]];
const S = Math.SQRT1_2;
/** Scene capsules run along local z; +90° about y maps z to x. */
const Z_TO_X: [number, number, number, number] = [0, S, 0, S];
/** Rapier capsules run along local y; −90° about z maps y to x. */
const Y_TO_X = { x: 0, y: 0, z: -S, w: S };
const Y_TO_Z = { x: S, y: 0, z: 0, w: S };

export const ARM_ACTIONS: ActionSpace = { dim: 3, names: ['yaw', 'shoulder', 'elbow'], low: [-1, -1, -1], high: [1, 1, 1] };

class Arm implements Robot {
  readonly type = 'arm' as const;
  readonly actionSpace = ARM_ACTIONS;
  readonly lidarHeight = 0;
  private links!: RigidBody[];
  private joints!: RevoluteImpulseJoint[];

  constructor(
    readonly parts: readonly RobotPart[],
    private readonly jointHandles: number[],
    world: World,
  ) {
    this.bind(world);
  }

  bind(world: World): void {
    this.links = this.parts.map((p) => world.getRigidBody(p.handle));
    this.joints = this.jointHandles.map((h) => world.getImpulseJoint(h) as RevoluteImpulseJoint);
  }

  applyAction(a: ArrayLike<number>): void {
    for (let i = 0; i < 3; i++) this.joints[i].configureMotorVelocity(a[i] * MAX_JOINT_SPEED[i], MOTOR_GAIN);
  }

  state(): RobotState {
    // Each body read once: rotations and angular velocities of base, turret, upper arm, forearm.
    const q = this.links.map((b) => b.rotation());
    const w = this.links.map((b) => b.angvel());
    const pos: number[] = [];
    const vel: number[] = [];
    for (let i = 0; i < 3; i++) {
      pos.push(jointAngle(q[i], q[i + 1], AXES[i], datan2));
      vel.push(jointVelocity(q[i], w[i], w[i + 1], AXES[i]));
    }
    const f = this.links[3].translation();
    const r = rotate(q[3], [FORE_LEN, 0, 0]);
    return { type: 'arm', ...bodyState(this.links[0], datan2, q[0], w[0]), joints: { pos, vel }, ee: { x: f.x + r[0], y: f.y + r[1], z: f.z + r[2] } };
  }

  saveController(): number[] {
    return [];
  }

  loadController(): void {}
}

export function buildArm(ctx: BuildContext, opts: RobotBuildOptions): Robot {
  const { R, world } = ctx;
  const q0 = opts.joints && opts.joints.length === 3 ? opts.joints : HOME_JOINTS;
  const qBase: Quat = yawQuat(opts.start.yaw);
  const base: Vec3 = [opts.start.x, opts.start.y, BASE_H / 2];

  // Poses of each link origin at the initial joint angles (forward kinematics).
  const qTurret = quatMul(qBase, axisAngleQuat(AXES[0], q0[0]));
  const turret = add(base, rotate(qBase, [0, 0, BASE_H / 2 + TURRET_H / 2]));
  const qUpper = quatMul(qTurret, axisAngleQuat(AXES[1], q0[1]));
  const shoulder = add(turret, rotate(qTurret, [0, 0, TURRET_H / 2]));
  const qFore = quatMul(qUpper, axisAngleQuat(AXES[2], q0[2]));
  const elbow = add(shoulder, rotate(qUpper, [UPPER_LEN, 0, 0]));

  const mk = (p: Vec3, q: Quat, armature: number | null) =>
    world.createRigidBody(
      (armature === null
        ? R.RigidBodyDesc.fixed()
        : R.RigidBodyDesc.dynamic()
            .setGravityScale(0)
            .setCanSleep(false)
            .setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: armature, y: armature, z: armature }, { x: 0, y: 0, z: 0, w: 1 })
      )
        .setTranslation(p[0], p[1], p[2])
        .setRotation({ x: q[0], y: q[1], z: q[2], w: q[3] }),
    );
  const bBase = mk(base, qBase, null);
  addRobotCollider(ctx, R.ColliderDesc.cylinder(BASE_H / 2, BASE_R).setRotation(Y_TO_Z), bBase, 'robot');
  const bTurret = mk(turret, qTurret, ARMATURE[0]);
  addRobotCollider(ctx, R.ColliderDesc.cylinder(TURRET_H / 2, TURRET_R).setRotation(Y_TO_Z).setMass(LINK_MASS), bTurret, 'robot:turret');
  const bUpper = mk(shoulder, qUpper, ARMATURE[1]);
  addRobotCollider(ctx, R.ColliderDesc.capsule(UPPER_LEN / 2 - LINK_R, LINK_R).setRotation(Y_TO_X).setTranslation(UPPER_LEN / 2, 0, 0).setMass(LINK_MASS), bUpper, 'robot:upper_arm');
  const bFore = mk(elbow, qFore, ARMATURE[2]);
  addRobotCollider(ctx, R.ColliderDesc.capsule(FORE_LEN / 2 - LINK_R, LINK_R * 0.85).setRotation(Y_TO_X).setTranslation(FORE_LEN / 2, 0, 0).setMass(LINK_MASS), bFore, 'robot:forearm');
  addRobotCollider(ctx, R.ColliderDesc.ball(EE_RADIUS).setTranslation(FORE_LEN, 0, 0).setMass(0.1).setFriction(0.8), bFore, 'robot:forearm');

  // Joints: anchors in each body's frame; at angle 0 the two frames coincide, so the axis reads the same in both.
  const chain: [RigidBody, RigidBody, Vec3, Vec3, number][] = [
    [bBase, bTurret, [0, 0, BASE_H / 2], [0, 0, -TURRET_H / 2], 0],
    [bTurret, bUpper, [0, 0, TURRET_H / 2], [0, 0, 0], 1],
    [bUpper, bFore, [UPPER_LEN, 0, 0], [0, 0, 0], 2],
  ];
  const jointHandles: number[] = [];
  for (const [p, c, a1, a2, i] of chain) {
    const ax = AXES[i];
    const j = world.createImpulseJoint(R.JointData.revolute(v(a1), v(a2), v(ax)), p, c, true) as RevoluteImpulseJoint;
    j.setContactsEnabled(false);
    j.setLimits(JOINT_LIMITS[i][0], JOINT_LIMITS[i][1]);
    j.configureMotorModel(R.MotorModel.ForceBased);
    j.setMotorMaxForce(MAX_JOINT_TORQUE);
    j.configureMotorVelocity(0, MOTOR_GAIN);
    jointHandles.push(j.handle);
  }

  const I: [number, number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0, 1];
  const parts: RobotPart[] = [
    { id: 'robot', kind: 'robot', handle: bBase.handle, shapes: [{ shape: 'cylinder', dims: [BASE_R, BASE_H, 0], offset: I, color: '#2f7de1' }] },
    { id: 'robot:turret', kind: 'robot_part', handle: bTurret.handle, shapes: [{ shape: 'cylinder', dims: [TURRET_R, TURRET_H, 0], offset: I, color: '#3d8bf0' }] },
    {
      id: 'robot:upper_arm',
      kind: 'robot_part',
      handle: bUpper.handle,
      shapes: [{ shape: 'capsule', dims: [LINK_R, UPPER_LEN / 2 - LINK_R, 0], offset: [UPPER_LEN / 2, 0, 0, ...Z_TO_X], color: '#9aa5b1' }],
    },
    {
      id: 'robot:forearm',
      kind: 'robot_part',
      handle: bFore.handle,
      shapes: [
        { shape: 'capsule', dims: [LINK_R * 0.85, FORE_LEN / 2 - LINK_R, 0], offset: [FORE_LEN / 2, 0, 0, ...Z_TO_X], color: '#9aa5b1' },
        { shape: 'sphere', dims: [EE_RADIUS, 0, 0], offset: [FORE_LEN, 0, 0, 0, 0, 0, 1], color: '#ffcc00' },
      ],
    },
  ];
  return new Arm(parts, jointHandles, world);
}

function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

function v(a: Vec3) {
  return { x: a[0], y: a[1], z: a[2] };
}
