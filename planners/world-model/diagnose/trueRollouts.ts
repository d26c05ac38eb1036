/**
 * The true simulator's answer to "what happens if the robot executes this action sequence from
 * here?": each sequence is executed on a scratch copy of the live world restored to its snapshot,
 * as the oracle does (`planners/baselines/oracle.ts`). The live episode is never touched.
 */
import type { Environment, EnvSnapshot, Observation } from '../../../sim/types.ts';
import type { Point } from './types.ts';
import { pushedObject } from '../../../sim/observation.ts';

/** One sequence as the simulator executed it. */
export interface TrueRollout {
  /** Robot point (chassis; the arm's end effector) at steps 0..k, k ≤ H: the start included, and
   * no further than the step on which the task ended (success, failure or the time limit). */
  points: Point[];
  /** The task subject (`StepInfo.subject`: the pushed object, else the robot point) at the same steps. */
  subjects: Point[];
  /** The simulator's reward of each executed step. */
  rewards: number[];
  /** Observations at steps 0..H; after the task ended the last one is held (an absorbing state). */
  obs: Observation[];
  /** Sum of `rewards`: the true return of the sequence over the horizon. */
  return: number;
}

/** The point the probe head decodes and `StepInfo.robotPoint` reports: the arm's end effector, else the chassis. */
export function robotPointOf(obs: Observation): Point {
  const ee = obs.robot.ee;
  return ee ? [ee.x, ee.y, ee.z] : [obs.robot.pose.x, obs.robot.pose.y, obs.robot.pose.z];
}

/** The pushed object's position as the observation lists it (push tasks), else the robot point. */
export function subjectOf(obs: Observation): Point {
  const pushed = pushedObject(obs);
  return pushed ? [pushed.x, pushed.y, pushed.z] : robotPointOf(obs);
}

/**
 * Executes `n` sequences laid out [n][horizon][actionDim] on `scratch`, each from `snap` (a
 * snapshot of the live world whose observation is `start`).
 */
export function rollOnSimulator(scratch: Environment, snap: EnvSnapshot, start: Observation, actions: Float32Array, n: number, horizon: number, actionDim: number): TrueRollout[] {
  const out: TrueRollout[] = [];
  const L = horizon * actionDim;
  for (let i = 0; i < n; i++) {
    scratch.restore(snap);
    const points: Point[] = [robotPointOf(start)];
    const subjects: Point[] = [subjectOf(start)];
    const rewards: number[] = [];
    const obs: Observation[] = [start];
    let ended = false;
    for (let t = 0; t < horizon; t++) {
      if (ended) {
        obs.push(obs[obs.length - 1]);
        continue;
      }
      const a = Array.from(actions.subarray(i * L + t * actionDim, i * L + (t + 1) * actionDim));
      const r = scratch.step(a);
      rewards.push(r.reward);
      points.push([r.info.robotPoint[0], r.info.robotPoint[1], r.info.robotPoint[2]]);
      subjects.push([r.info.subject[0], r.info.subject[1], r.info.subject[2]]);
      obs.push(r.obs);
      ended = r.terminated || r.truncated;
    }
    out.push({ points, subjects, rewards, obs, return: rewards.reduce((s, x) => s + x, 0) });
  }
  return out;
}
