/**
 * The small interface every robot implements, and the helpers robots share.
 *
 * A robot is a set of Rapier bodies, joints and colliders built into a world (`build*`
 * functions in this folder), plus the controller that turns a normalised action into motor
 * targets. The environment calls `applyAction` once per control step and `beforePhysicsStep`
 * (if present) before every physics step; after a snapshot restore it calls `bind` with the
 * new world (Rapier preserves handles, so only the JS wrappers are re-fetched).
 */
import type { ImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import type { ColliderDesc } from '@dimforge/rapier3d-deterministic-compat';
import type { RobotType } from '../../scenarios/schema.ts';
import type { Rapier } from '../physics.ts';
import type { ActionSpace, Pose2, RobotState, SceneShape } from '../types.ts';

/** Collision-group bits (Rapier packs memberships in the high 16 bits, filter in the low 16). */
export const GROUP_DEFAULT = 0x0001;
export const GROUP_ROBOT = 0x0002;
export const GROUP_FLOOR = 0x0004;
/** Robot parts never collide with each other (the joints hold them), only with the world. */
export const ROBOT_GROUPS = (GROUP_ROBOT << 16) | (0xffff & ~GROUP_ROBOT);
export const FLOOR_GROUPS = (GROUP_FLOOR << 16) | 0xffff;
/** Lidar rays see everything but the robot and the floor. */
export const LIDAR_QUERY_GROUPS = (GROUP_DEFAULT << 16) | (0xffff & ~(GROUP_ROBOT | GROUP_FLOOR));

/** What a builder needs: the module, the world, and the collider → scene id map to fill in. */
export interface BuildContext {
  R: Rapier;
  world: World;
  colliderIds: Map<number, string>;
}

/** The id of the robot's main body; its other bodies are `robot:<name>`. Scenario ids cannot
 * clash with these: "robot" is reserved and ids cannot contain ":". */
export const ROBOT_ID = 'robot';

/** Whether a body or collider id (as in scenes, events and observations) belongs to the robot.
 * The one place that decides it: nothing else looks at id prefixes. */
export function isRobotPart(id: string): boolean {
  return id === ROBOT_ID || id.startsWith('robot:');
}

/** One rigid body of the robot, as the scene and the transforms see it. */
export interface RobotPart {
  /** `robot` for the main body (chassis, arm base), `robot:<name>` for the others. */
  id: string;
  kind: 'robot' | 'robot_part';
  handle: number;
  shapes: SceneShape[];
}

export interface RobotBuildOptions {
  start: Pose2;
  /** Seconds between actions (controllers that track targets over one period need it). */
  controlPeriod: number;
  /** Arm: initial joint angles (rad). */
  joints?: number[];
}

export interface Robot {
  readonly type: RobotType;
  readonly actionSpace: ActionSpace;
  /** Every body of the robot; `parts[0]` is the main body. */
  readonly parts: readonly RobotPart[];
  /** Height (m) above the main body's origin at which the lidar sits; 0 disables it. */
  readonly lidarHeight: number;
  /** Re-fetches bodies and joints from a restored world (handles are preserved by snapshots). */
  bind(world: World): void;
  /** Sets motor targets from an action already clipped to [-1, 1]. Called once per control step. */
  applyAction(action: ArrayLike<number>): void;
  /** Work needed before every physics step (e.g. velocity tracking with a force limit). */
  beforePhysicsStep?(dt: number): void;
  /** Proprioception (reads the bodies; called once per control step). */
  state(): RobotState;
  /** Controller state that must travel with a snapshot (e.g. a velocity target). */
  saveController(): number[];
  loadController(s: readonly number[]): void;
}

/** Adds a robot collider: robot collision groups, collision events on, registered under `partId`. */
export function addRobotCollider(ctx: BuildContext, desc: ColliderDesc, body: RigidBody, partId: string): void {
  desc.setCollisionGroups(ROBOT_GROUPS).setActiveEvents(ctx.R.ActiveEvents.COLLISION_EVENTS);
  const c = ctx.world.createCollider(desc, body);
  ctx.colliderIds.set(c.handle, partId);
}

type Q = { x: number; y: number; z: number; w: number };
type V = { x: number; y: number; z: number };

/** Relative angle about `axis` (given in the parent frame) of a child body with rotation `c`
 * with respect to its parent with rotation `p`, assuming the two frames coincide at angle 0.
 * Rapier's JS API does not expose joint angles. Takes values already read from the bodies so
 * each body is read once per control step. */
export function jointAngle(p: Q, c: Q, axis: readonly [number, number, number], atan2: (y: number, x: number) => number): number {
  // q_rel = conj(p) · c
  const rx = p.w * c.x - p.x * c.w - p.y * c.z + p.z * c.y;
  const ry = p.w * c.y + p.x * c.z - p.y * c.w - p.z * c.x;
  const rz = p.w * c.z - p.x * c.y + p.y * c.x - p.z * c.w;
  const rw = p.w * c.w + p.x * c.x + p.y * c.y + p.z * c.z;
  const s = rx * axis[0] + ry * axis[1] + rz * axis[2];
  let a = 2 * atan2(s, rw);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a < -Math.PI) a += 2 * Math.PI;
  return a;
}

/** Relative angular velocity (child `wc` − parent `wp`, world frame) about `axis` of the parent
 * (rotation `p`). */
export function jointVelocity(p: Q, wp: V, wc: V, axis: readonly [number, number, number]): number {
  const x = p.x, y = p.y, z = p.z, w = p.w;
  // World axis = rotate(p, axis)
  const tx = 2 * (y * axis[2] - z * axis[1]);
  const ty = 2 * (z * axis[0] - x * axis[2]);
  const tz = 2 * (x * axis[1] - y * axis[0]);
  const ax = axis[0] + w * tx + (y * tz - z * ty);
  const ay = axis[1] + w * ty + (z * tx - x * tz);
  const az = axis[2] + w * tz + (x * ty - y * tx);
  return (wc.x - wp.x) * ax + (wc.y - wp.y) * ay + (wc.z - wp.z) * az;
}

export type { ImpulseJoint };

/** Heading (yaw) of a body from its rotation: the angle of its rotated +x axis on the ground
 * plane. Deterministic (no libm trig). */
export function headingOf(q: { x: number; y: number; z: number; w: number }, atan2: (y: number, x: number) => number): number {
  const hx = 1 - 2 * (q.y * q.y + q.z * q.z);
  const hy = 2 * (q.x * q.y + q.z * q.w);
  return atan2(hy, hx);
}

/** Pose, orientation and velocity of a main body, the common part of every `RobotState`. */
export function bodyState(body: RigidBody, atan2: (y: number, x: number) => number, q: Q = body.rotation(), w: V = body.angvel()): Pick<RobotState, 'pose' | 'quat' | 'vel'> {
  const p = body.translation();
  const v = body.linvel();
  return {
    pose: { x: p.x, y: p.y, z: p.z, yaw: headingOf(q, atan2) },
    quat: [q.x, q.y, q.z, q.w],
    vel: { vx: v.x, vy: v.y, wz: w.z },
  };
}
