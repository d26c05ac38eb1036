/**
 * Kinematics of the three-joint arm built in `sim/robots/arm.ts` (base yaw, shoulder pitch,
 * elbow pitch; positive pitch tilts a link down), and a joint-space controller for it.
 *
 * In the vertical plane at azimuth `baseYaw + q0`, with a1 = −q1 and a2 = −q2 measured upwards:
 *   reach  r = L1·cos(a1) + L2·cos(a1 + a2)
 *   height z = SHOULDER_Z + L1·sin(a1) + L2·sin(a1 + a2)
 * Inverse kinematics is the closed-form two-link solution, elbow up (q2 ≥ 0), which keeps the
 * forearm coming down onto things from above.
 */
import { FORE_LEN, JOINT_LIMITS, MAX_JOINT_SPEED, UPPER_LEN } from '../../sim/robots/arm.ts';
import type { Action, Observation } from '../../sim/types.ts';
import { atan2, clamp, cos, hypot2, sin, wrapAngle } from './geometry.ts';

/** Shoulder height above the base's centre: half the base (0.05) plus the turret (0.1). */
const SHOULDER_ABOVE_BASE = 0.15;
/** Joint-space proportional gain (1/s): joint speed target per radian of error. */
const JOINT_GAIN = 4;

export type Vec3 = [number, number, number];
export type Joints = [number, number, number];

/** The shoulder point in the world frame. */
export function shoulderOf(obs: Observation): Vec3 {
  const { pose } = obs.robot;
  return [pose.x, pose.y, pose.z + SHOULDER_ABOVE_BASE];
}

/** End-effector position for joint angles `q` (forward kinematics). */
export function forward(obs: Observation, q: readonly number[]): Vec3 {
  const [sx, sy, sz] = shoulderOf(obs);
  const az = obs.robot.pose.yaw + q[0];
  const r = UPPER_LEN * cos(q[1]) + FORE_LEN * cos(q[1] + q[2]);
  const z = sz - UPPER_LEN * sin(q[1]) - FORE_LEN * sin(q[1] + q[2]);
  return [sx + r * cos(az), sy + r * sin(az), z];
}

export type IkResult = { ok: true; q: Joints } | { ok: false; reason: string };

/** Joint angles that put the end effector at `p` (world frame), or why none exist. */
export function inverse(obs: Observation, p: Vec3): IkResult {
  const [sx, sy, sz] = shoulderOf(obs);
  const dx = p[0] - sx;
  const dy = p[1] - sy;
  const r = hypot2(dx, dy);
  const h = p[2] - sz;
  const d2 = r * r + h * h;
  const d = Math.sqrt(d2);
  const max = UPPER_LEN + FORE_LEN;
  const min = Math.abs(UPPER_LEN - FORE_LEN);
  if (d > max - 1e-3) return { ok: false, reason: `${d.toFixed(2)} m from the shoulder, beyond the arm's reach of ${max.toFixed(2)} m` };
  if (d < min + 0.02) return { ok: false, reason: `too close to the shoulder (${d.toFixed(2)} m)` };
  const q0 = r < 1e-6 ? 0 : wrapAngle(atan2(dy, dx) - obs.robot.pose.yaw);
  const c2 = clamp((d2 - UPPER_LEN * UPPER_LEN - FORE_LEN * FORE_LEN) / (2 * UPPER_LEN * FORE_LEN), -1, 1);
  // Elbow up: the forearm bends downwards, a2 = −acos(c2) ≤ 0, so q2 = −a2 ≥ 0.
  const a2 = -atan2(Math.sqrt(1 - c2 * c2), c2);
  const a1 = atan2(h, r) - atan2(FORE_LEN * sin(a2), UPPER_LEN + FORE_LEN * cos(a2));
  const q: Joints = [q0, -a1, -a2];
  for (let i = 0; i < 3; i++) {
    const [lo, hi] = JOINT_LIMITS[i];
    if (q[i] < lo || q[i] > hi) {
      const name = ['base yaw', 'shoulder', 'elbow'][i];
      return { ok: false, reason: `needs ${name} at ${((q[i] * 180) / Math.PI).toFixed(0)}°, outside its limits [${((lo * 180) / Math.PI).toFixed(0)}°, ${((hi * 180) / Math.PI).toFixed(0)}°]` };
    }
  }
  return { ok: true, q };
}

/** Velocity action driving the joints towards `q` (P control on each joint, saturated). */
export function jointAction(obs: Observation, q: readonly number[], gain = JOINT_GAIN): Action {
  const cur = obs.robot.joints.pos;
  const a: number[] = [];
  for (let i = 0; i < 3; i++) {
    const err = i === 0 ? wrapAngle(q[i] - cur[i]) : q[i] - cur[i];
    a.push(clamp((gain * err) / MAX_JOINT_SPEED[i], -1, 1));
  }
  return a;
}

/** Largest joint error (rad) between the arm and `q`. */
export function jointError(obs: Observation, q: readonly number[]): number {
  const cur = obs.robot.joints.pos;
  let m = 0;
  for (let i = 0; i < 3; i++) m = Math.max(m, Math.abs(i === 0 ? wrapAngle(q[i] - cur[i]) : q[i] - cur[i]));
  return m;
}

/** The arm's end effector from the observation. */
export function eeOf(obs: Observation): Vec3 {
  const ee = obs.robot.ee;
  if (!ee) return forward(obs, obs.robot.joints.pos);
  return [ee.x, ee.y, ee.z];
}
