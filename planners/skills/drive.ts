/**
 * Turns "go this way at this speed" into an action for each mobile robot, so the skills steer
 * in world terms and only this file knows the action layouts (see the spec cards in
 * `sim/robots/diffdrive.ts` and `sim/robots/pusher.ts`).
 *
 * - diffdrive: [left, right] wheel speed targets, 1 ≙ 1 m/s at the rim; wheels 0.36 m apart.
 * - pusher: [vx, vy] velocity targets in the robot frame (its locked start heading), 1 ≙ 1 m/s.
 */
import type { Action, Observation } from '../../sim/types.ts';
import { atan2, clamp, cos, hypot2, sin, wrapAngle } from './geometry.ts';

/** Half the wheel track of the diffdrive robot (m). */
const HALF_TRACK = 0.18;
/** Heading error (rad) beyond which the diffdrive turns in place before driving. */
const TURN_IN_PLACE = (55 * Math.PI) / 180;
/** Proportional gain from heading error (rad) to yaw rate (rad/s). */
const YAW_GAIN = 3;
const MAX_YAW_RATE = 2.5;

/** Footprint radius of each mobile robot (m): what the lidar centre must keep away from things. */
export function robotRadius(obs: Observation): number {
  // diffdrive: half the 0.40 × 0.30 chassis diagonal; pusher: its disc.
  return obs.robot.type === 'diffdrive' ? 0.25 : 0.2;
}

/** The zero action of the observation's robot. */
export function zeroAction(obs: Observation): Action {
  return obs.robot.type === 'arm' ? [0, 0, 0] : [0, 0];
}

/** Drive along world heading `psi` (rad) at `speed` m/s (0..1). A diffdrive turns towards the
 * heading first; a pusher simply moves that way. */
export function driveHeading(obs: Observation, psi: number, speed: number): Action {
  const { pose } = obs.robot;
  if (obs.robot.type === 'pusher') return pusherVelocity(obs, speed * cos(psi), speed * sin(psi));
  const e = wrapAngle(psi - pose.yaw);
  const w = clamp(YAW_GAIN * e, -MAX_YAW_RATE, MAX_YAW_RATE);
  const ae = Math.abs(e);
  // Forward speed fades with heading error so the robot turns before it commits.
  const v = ae >= TURN_IN_PLACE ? 0 : speed * cos(ae) * (1 - ae / TURN_IN_PLACE);
  return wheels(v, w);
}

/** Diffdrive: forward speed v (m/s, negative reverses) and yaw rate w (rad/s). */
export function wheels(v: number, w: number): Action {
  let l = v - w * HALF_TRACK;
  let r = v + w * HALF_TRACK;
  // Scale both wheels together so the curvature survives saturation.
  const m = Math.max(1, Math.abs(l), Math.abs(r));
  l /= m;
  r /= m;
  return [l, r];
}

/** Pusher: a world-frame velocity (m/s) expressed in the robot's (locked) frame. */
export function pusherVelocity(obs: Observation, vx: number, vy: number): Action {
  const c = cos(obs.robot.pose.yaw);
  const s = sin(obs.robot.pose.yaw);
  let ax = c * vx + s * vy;
  let ay = -s * vx + c * vy;
  const m = Math.max(1, hypot2(ax, ay));
  ax /= m;
  ay /= m;
  return [ax, ay];
}

/** A world-frame velocity (m/s) for either mobile robot: the pusher follows it exactly, the
 * diffdrive drives along its direction (turning first) at its magnitude. */
export function driveVelocity(obs: Observation, vx: number, vy: number): Action {
  if (obs.robot.type === 'pusher') return pusherVelocity(obs, vx, vy);
  const speed = hypot2(vx, vy);
  if (speed < 1e-6) return [0, 0];
  return driveHeading(obs, atan2(vy, vx), speed);
}
