/**
 * Observations: the structured `Observation` for reasoning planners and a fixed-layout
 * `flat: Float32Array` for learned ones.
 *
 * The flat vector is egocentric and normalised: positions are in the robot frame (the chassis
 * heading; the arm's base heading) divided by POS_SCALE = 5 m, velocities by the robot's top
 * speed, lidar ranges by maxRange, sizes in metres. Its length depends only on the robot type
 * and the lidar ray count, never on the scenario, so one model serves every scenario of a robot.
 *
 * Layout (`obsLayout(type, rays)` returns it as named segments):
 *
 * | segment  | diffdrive | pusher | arm | contents                                                                  |
 * |----------|-----------|--------|-----|---------------------------------------------------------------------------|
 * | proprio  | 7         | 5      | 9   | ground: v_fwd, v_left (/top speed), yaw rate (/π), sin yaw, cos yaw, (diffdrive: wheel speeds /12.5) ; arm: joint angles (/π), joint speeds (/limit), ee − base in base frame (m) |
 * | goal     | 4         | 4      | 4   | goal − subject in robot frame x, y, z (/5 m), distance (/5 m); subject = chassis (reach, push: chassis), ee (arm) |
 * | lidar    | rays      | rays   | 0   | range / maxRange per ray, ray i at angle 2πi/rays from the heading        |
 * | objects  | 24        | 24     | 24  | K = 3 nearest objects (walls excluded), each: dx, dy (/5 m, robot frame), size x, y, z (m), is_movable, is_static, is_moving; empty slots are zeros |
 * | push     | 5         | 5      | 5   | is_push_task, object − robot in robot frame x, y (/5 m), goal − object in robot frame x, y (/5 m) |
 */
import type { Collider, Ray } from '@dimforge/rapier3d-deterministic-compat';
import type { RobotType } from '../scenarios/schema.ts';
import { DEFAULT_LIDAR_RAYS, LIDAR_MAX_RANGE, type LidarSensor, type LidarTarget } from './lidar.ts';
import { MAX_WHEEL_SPEED } from './robots/diffdrive.ts';
import { MAX_JOINT_SPEED } from './robots/arm.ts';
import { MAX_SPEED as PUSHER_SPEED } from './robots/pusher.ts';
import type { Robot } from './robots/Robot.ts';
import type { Lidar, Observation, ResolvedGoal, RobotState, SceneObject } from './types.ts';

export const POS_SCALE = 5;
export const NEAREST_K = 3;
export { DEFAULT_LIDAR_RAYS, LIDAR_MAX_RANGE };
const OBJ_SLOT = 8;
const DIFFDRIVE_TOP_SPEED = MAX_WHEEL_SPEED * 0.08;

export interface ObsSegment {
  name: 'proprio' | 'goal' | 'lidar' | 'objects' | 'push';
  offset: number;
  length: number;
  meaning: string;
}

/** The object a push task moves, as the observation lists it; undefined for other tasks (or if
 * the observation does not list it). The one lookup every planner, cost and tool uses. */
export function pushedObject(obs: Pick<Observation, 'goal' | 'objects'>): SceneObject | undefined {
  const goal = obs.goal;
  return goal.type === 'push' ? obs.objects.find((o) => o.id === goal.object) : undefined;
}

/** The named segments of the flat observation for a robot type. */
export function obsLayout(type: RobotType, lidarRays: number = DEFAULT_LIDAR_RAYS): ObsSegment[] {
  const proprio = type === 'diffdrive' ? 7 : type === 'pusher' ? 5 : 9;
  const rays = type === 'arm' ? 0 : lidarRays;
  const segs: [ObsSegment['name'], number, string][] = [
    [
      'proprio',
      proprio,
      type === 'arm'
        ? 'joint angles /π (3), joint speeds /limit (3), ee − base in base frame, m (3)'
        : `v_fwd, v_left /top speed, yaw rate /π, sin yaw, cos yaw${type === 'diffdrive' ? ', wheel speeds left, right /12.5 rad/s' : ''}`,
    ],
    ['goal', 4, 'goal − subject in robot frame x, y, z /5 m, distance /5 m'],
    ['lidar', rays, 'range / maxRange per ray, counter-clockwise from the heading'],
    ['objects', NEAREST_K * OBJ_SLOT, '3 nearest objects: dx, dy /5 m (robot frame), size x, y, z m, is_movable, is_static, is_moving'],
    ['push', 5, 'is_push_task, object − robot x, y /5 m, goal − object x, y /5 m (robot frame)'],
  ];
  let offset = 0;
  return segs.map(([name, length, meaning]) => {
    const s = { name, offset, length, meaning };
    offset += length;
    return s;
  });
}

export function obsLength(type: RobotType, lidarRays: number = DEFAULT_LIDAR_RAYS): number {
  const l = obsLayout(type, lidarRays);
  return l[l.length - 1].offset + l[l.length - 1].length;
}

/** Unit heading (cos, sin) of a quaternion's x axis on the ground plane, without trig. */
export function headingCS(q: readonly number[]): [number, number] {
  const hx = 1 - 2 * (q[1] * q[1] + q[2] * q[2]);
  const hy = 2 * (q[0] * q[1] + q[2] * q[3]);
  const n = Math.sqrt(hx * hx + hy * hy);
  return n > 1e-9 ? [hx / n, hy / n] : [1, 0];
}

export interface FlatInputs {
  robot: RobotState;
  goal: ResolvedGoal;
  lidar: Lidar;
  objects: readonly SceneObject[];
  /** Push task: the target object's entry. */
  pushObject?: SceneObject;
}

/** Fills the flat observation vector (see the layout table at the top of this file). */
export function flatten(inp: FlatInputs, type: RobotType, length: number): Float32Array {
  const f = new Float32Array(length);
  const { robot, goal } = inp;
  const [c, s] = headingCS(robot.quat);
  const ox = robot.pose.x;
  const oy = robot.pose.y;
  // World vector → robot frame: (c·dx + s·dy, −s·dx + c·dy), written out (no per-call closures:
  // this runs every control step).
  let k = 0;

  // Proprio
  if (type === 'arm') {
    for (let i = 0; i < 3; i++) f[k++] = robot.joints.pos[i] / Math.PI;
    for (let i = 0; i < 3; i++) f[k++] = robot.joints.vel[i] / MAX_JOINT_SPEED[i];
    const e = robot.ee!;
    f[k++] = (c * (e.x - ox) + s * (e.y - oy));
    f[k++] = (-s * (e.x - ox) + c * (e.y - oy));
    f[k++] = e.z - robot.pose.z;
  } else {
    const top = type === 'diffdrive' ? DIFFDRIVE_TOP_SPEED : PUSHER_SPEED;
    f[k++] = (c * robot.vel.vx + s * robot.vel.vy) / top;
    f[k++] = (-s * robot.vel.vx + c * robot.vel.vy) / top;
    f[k++] = robot.vel.wz / Math.PI;
    f[k++] = s;
    f[k++] = c;
    if (type === 'diffdrive') {
      f[k++] = robot.joints.vel[0] / MAX_WHEEL_SPEED;
      f[k++] = robot.joints.vel[1] / MAX_WHEEL_SPEED;
    }
  }

  // Goal, relative to the subject that must reach it (chassis, or the ee for the arm).
  const sx = type === 'arm' ? robot.ee!.x : ox;
  const sy = type === 'arm' ? robot.ee!.y : oy;
  const sz = type === 'arm' ? robot.ee!.z : robot.pose.z;
  const gdx = goal.position[0] - sx;
  const gdy = goal.position[1] - sy;
  const gdz = goal.position.length > 2 ? goal.position[2] - sz : 0;
  f[k++] = (c * gdx + s * gdy) / POS_SCALE;
  f[k++] = (-s * gdx + c * gdy) / POS_SCALE;
  f[k++] = gdz / POS_SCALE;
  f[k++] = Math.sqrt(gdx * gdx + gdy * gdy + gdz * gdz) / POS_SCALE;

  // Lidar
  for (let i = 0; i < inp.lidar.ranges.length; i++) f[k++] = inp.lidar.ranges[i] / inp.lidar.maxRange;

  // K nearest objects (walls are long: their centre distance means little; lidar sees them).
  // Selection of the K nearest by insertion (ties by id): no sort, no per-object allocation.
  const nearO: (SceneObject | undefined)[] = [undefined, undefined, undefined];
  const nearD = [Infinity, Infinity, Infinity];
  for (const o of inp.objects) {
    if (o.kind === 'wall') continue;
    const dx = o.x - ox;
    const dy = o.y - oy;
    const d = dx * dx + dy * dy;
    let j = NEAREST_K;
    while (j > 0 && (d < nearD[j - 1] || (d === nearD[j - 1] && o.id < nearO[j - 1]!.id))) j--;
    if (j >= NEAREST_K) continue;
    for (let m = NEAREST_K - 1; m > j; m--) {
      nearD[m] = nearD[m - 1];
      nearO[m] = nearO[m - 1];
    }
    nearD[j] = d;
    nearO[j] = o;
  }
  for (let i = 0; i < NEAREST_K; i++) {
    const o = nearO[i];
    if (!o) {
      k += OBJ_SLOT;
      continue;
    }
    const dx = o.x - ox;
    const dy = o.y - oy;
    f[k++] = (c * dx + s * dy) / POS_SCALE;
    f[k++] = (-s * dx + c * dy) / POS_SCALE;
    f[k++] = o.size[0];
    f[k++] = o.size[1];
    f[k++] = o.size[2];
    f[k++] = o.kind === 'movable' ? 1 : 0;
    f[k++] = o.kind === 'obstacle' || o.kind === 'slope' || o.kind === 'step' ? 1 : 0;
    f[k++] = o.kind === 'moving' ? 1 : 0;
  }

  // Push task
  const p = inp.pushObject;
  if (goal.type === 'push' && p) {
    f[k++] = 1;
    f[k++] = (c * (p.x - ox) + s * (p.y - oy)) / POS_SCALE;
    f[k++] = (-s * (p.x - ox) + c * (p.y - oy)) / POS_SCALE;
    f[k++] = (c * (goal.position[0] - p.x) + s * (goal.position[1] - p.y)) / POS_SCALE;
    f[k++] = (-s * (goal.position[0] - p.x) + c * (goal.position[1] - p.y)) / POS_SCALE;
  } else {
    k += 5;
  }
  return f;
}

/** Lidar reading for a robot (empty for robots without one, e.g. the arm): analytic against
 * `targets`, or by Rapier ray casts when `rapier` (scene colliders and a reusable ray) is given. */
export function readLidar(sensor: LidarSensor | null, robot: Robot, state: RobotState, targets: readonly LidarTarget[], rapier?: { colliders: readonly Collider[]; ray: Ray }): Lidar {
  if (!sensor || robot.lidarHeight <= 0) return { angles: [], ranges: [], maxRange: LIDAR_MAX_RANGE };
  const [c, s] = headingCS(state.quat);
  const z = state.pose.z + robot.lidarHeight;
  const ranges = rapier ? sensor.scanRapier(state.pose.x, state.pose.y, z, c, s, rapier.colliders, rapier.ray) : sensor.scan(state.pose.x, state.pose.y, z, c, s, targets);
  return { angles: sensor.angles, ranges, maxRange: sensor.maxRange };
}
