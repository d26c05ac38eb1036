/**
 * Success and failure, as documented predicates on the state after each control step.
 *
 * Success is a state, not a touch: the goal holds once the task's subject has been **within
 * `goal.tolerance` of `goal.position` and settled** for SETTLE_DWELL seconds in a row (every
 * control step of the dwell). Subject and distance by task type:
 * - `reach`: the robot's main body centre, distance on the ground plane (x, y);
 * - `push`: the goal object's centre, distance on the ground plane (x, y);
 * - `ee_reach`: the arm's end-effector centre, distance in 3-D.
 * Settled: the subject's mean speed over the control step (distance moved / controlPeriod, in
 * the same 2-D or 3-D sense as the distance) is at most SETTLE_SPEED m/s (SETTLE_SPEED_EE for
 * the end effector). So a crate sliding through the goal, or a robot driving across it, is not a
 * success; a subject that stops inside is, SETTLE_DWELL seconds later. The count restarts
 * whenever the subject leaves the tolerance or moves faster.
 *
 * Failure (checked before success; the first that holds wins):
 * - `diverged`: a non-finite pose or velocity, or speeds beyond DIVERGED_SPEED m/s /
 *   DIVERGED_SPIN rad/s (the solver blew up), or a dynamic body the physics engine switched off
 *   (Rapier disables a body whose state became non-finite; it then freezes in place, finite and
 *   still, so the state checks alone would score the episode a timeout).
 * - `left_arena`: mobile robots only: the chassis centre is beyond the arena's half extents plus
 *   LEAVE_MARGIN, or below z = −LEAVE_MARGIN, or beyond the floor's edge while tipping (up
 *   vector z < FLIP_UP_Z) or sinking (z < 0): going over the edge of a wall-less arena.
 * - `flipped`: mobile robots only: the chassis' up vector has z < FLIP_UP_Z (on its side or lid).
 *
 * Truncation at `timeLimit` is not decided here: it is never a failure.
 */
import type { Scenario } from '../scenarios/schema.ts';
import type { FailureReason, ResolvedGoal, RobotState, SceneObject } from './types.ts';

export const FLIP_UP_Z = 0.3;
export const LEAVE_MARGIN = 0.5;
export const DIVERGED_SPEED = 50;
export const DIVERGED_SPIN = 200;
/** Mean speed (m/s) over a control step at or below which a ground subject (robot, object) is settled. */
export const SETTLE_SPEED = 0.1;
/** The same for the arm's end effector (its tolerances are centimetres). */
export const SETTLE_SPEED_EE = 0.05;
/** Seconds the subject must stay within tolerance and settled before the goal holds. */
export const SETTLE_DWELL = 0.5;

/** Position of the task's subject (see the file header): [x, y, z]. */
export function subjectPosition(goal: ResolvedGoal, robot: RobotState, pushObject: SceneObject | undefined): [number, number, number] {
  if (goal.type === 'ee_reach') {
    const e = robot.ee ?? { x: robot.pose.x, y: robot.pose.y, z: robot.pose.z };
    return [e.x, e.y, e.z];
  }
  if (goal.type === 'push' && pushObject) return [pushObject.x, pushObject.y, pushObject.z];
  return [robot.pose.x, robot.pose.y, robot.pose.z];
}

/** Mean speed of the subject between two positions `dt` seconds apart: 3-D for the end
 * effector, on the ground plane otherwise (as the goal distance). */
export function subjectSpeed(goal: ResolvedGoal, from: readonly number[], to: readonly number[], dt: number): number {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const dz = goal.type === 'ee_reach' ? to[2] - from[2] : 0;
  return Math.sqrt(dx * dx + dy * dy + dz * dz) / dt;
}

/** Settle-speed threshold (m/s) for the goal's subject. */
export function settleSpeed(goal: ResolvedGoal): number {
  return goal.type === 'ee_reach' ? SETTLE_SPEED_EE : SETTLE_SPEED;
}

/** Control steps of SETTLE_DWELL at this control period (at least one). */
export function dwellSteps(controlPeriod: number): number {
  return Math.max(1, Math.ceil(SETTLE_DWELL / controlPeriod - 1e-9));
}

/** Control steps in a row the subject has been within tolerance and settled, after a step that
 * ended `distance` from the goal with mean speed `speed`. */
export function nextSettleCount(count: number, goal: ResolvedGoal, distance: number, speed: number): number {
  return distance <= goal.tolerance && speed <= settleSpeed(goal) ? count + 1 : 0;
}

/** Distance from the task's subject to the goal (see the file header). */
export function goalDistance(goal: ResolvedGoal, robot: RobotState, pushObject: SceneObject | undefined): number {
  const g = goal.position;
  if (goal.type === 'ee_reach') {
    const e = robot.ee ?? { x: robot.pose.x, y: robot.pose.y, z: robot.pose.z };
    const dx = e.x - g[0];
    const dy = e.y - g[1];
    const dz = e.z - (g[2] ?? 0);
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
  const sx = goal.type === 'push' && pushObject ? pushObject.x : robot.pose.x;
  const sy = goal.type === 'push' && pushObject ? pushObject.y : robot.pose.y;
  const dx = sx - g[0];
  const dy = sy - g[1];
  return Math.sqrt(dx * dx + dy * dy);
}

/** True when the subject is within the goal's tolerance (necessary, not sufficient, for success). */
export function withinTolerance(goal: ResolvedGoal, distance: number): boolean {
  return distance <= goal.tolerance;
}

/** The goal holds: within tolerance and settled for the whole dwell (`settleCount` from
 * `nextSettleCount`). */
export function isSuccess(settleCount: number, controlPeriod: number): boolean {
  return settleCount >= dwellSteps(controlPeriod);
}

export interface Failure {
  reason: FailureReason;
  detail: string;
}

export function checkFailure(scenario: Scenario, robot: RobotState): Failure | null {
  const p = robot.pose;
  const v = robot.vel;
  const q = robot.quat;
  // Any NaN/Inf propagates through the sum; the sum itself cannot overflow for finite physics values.
  let sum = p.x + p.y + p.z + q[0] + q[1] + q[2] + q[3] + v.vx + v.vy + v.wz;
  for (const x of robot.joints.pos) sum += x;
  for (const x of robot.joints.vel) sum += x;
  if (robot.ee) sum += robot.ee.x + robot.ee.y + robot.ee.z;
  if (!Number.isFinite(sum)) return { reason: 'diverged', detail: 'non-finite robot state' };
  const speed = Math.sqrt(v.vx * v.vx + v.vy * v.vy);
  if (speed > DIVERGED_SPEED || Math.abs(v.wz) > DIVERGED_SPIN) return { reason: 'diverged', detail: `robot speed ${speed.toFixed(1)} m/s, spin ${v.wz.toFixed(1)} rad/s` };
  if (robot.type === 'arm') return null;
  const upZ = 1 - 2 * (q[0] * q[0] + q[1] * q[1]);
  const W = scenario.arena.size[0] / 2;
  const H = scenario.arena.size[1] / 2;
  // Off the floor's edge and tipping or sinking: it is going over the edge, whatever it lands on.
  const overEdge = (Math.abs(p.x) > W || Math.abs(p.y) > H) && (p.z < 0 || upZ < FLIP_UP_Z);
  if (overEdge || Math.abs(p.x) > W + LEAVE_MARGIN || Math.abs(p.y) > H + LEAVE_MARGIN || p.z < -LEAVE_MARGIN) {
    return { reason: 'left_arena', detail: `robot at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}, ${p.z.toFixed(2)})` };
  }
  if (upZ < FLIP_UP_Z) return { reason: 'flipped', detail: `chassis up-vector z = ${upZ.toFixed(2)}` };
  return null;
}

/** The failure of a body the physics engine switched off (see the file header). */
export function frozenFailure(id: string): Failure {
  return { reason: 'diverged', detail: `the physics engine froze body "${id}" after its state became non-finite` };
}
