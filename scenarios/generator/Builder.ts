/**
 * The contract between the generator and a family's builder: one function that turns a draw
 * and the factor values of a split into one complete level (layout, objects, goal, robot start,
 * instruction), having checked that the level can be solved. A draw that cannot be solved is
 * rejected with a reason, and the generator draws again from the next stream (deterministically).
 *
 * Builders are code; families are data: a family file (`scenarios/families/<id>.json`) names a
 * builder and gives its factor ranges per split, so one builder can serve several families.
 */
import type { z } from 'zod';
import type { RobotType, ScenarioSpec, Split } from '../schema.ts';
import type { Draw } from './Draw.ts';

/** What a builder knows about the level it builds. */
export interface LevelContext {
  family: string;
  split: Split;
  level: number;
}

type ScenarioInput = z.input<typeof ScenarioSpec>;

/** One level as a builder returns it; the generator adds id, title, tags and `generated`. */
export interface Draft {
  /** One sentence on this level, for people and reports. */
  description: string;
  instruction: string;
  hint?: string;
  robot: ScenarioInput['robot'];
  arena: ScenarioInput['arena'];
  obstacles?: ScenarioInput['obstacles'];
  objects?: ScenarioInput['objects'];
  movingObstacles?: ScenarioInput['movingObstacles'];
  goal: ScenarioInput['goal'];
  randomize?: ScenarioInput['randomize'];
  timeLimit: number;
  /** The factor values this level drew (and derived ones worth recording, e.g. actual room hops). */
  factors: Record<string, number | string>;
}

/** A draw that failed a solvability check, and why. */
export interface Rejection {
  reject: string;
}

export interface Builder<F = Record<string, unknown>> {
  name: string;
  robot: RobotType;
  /** Report tags every level carries, e.g. ["navigation"]. */
  tags: readonly string[];
  /** One line for `planarena list families`. */
  summary: string;
  /** Schema of one split's factors in a family file. */
  factors: z.ZodType<F>;
  /** Difficulty knobs: factor name → +1 (higher is harder) or -1 (lower is harder). */
  knobs: Readonly<Record<string, 1 | -1>>;
  build(d: Draw, factors: F, ctx: LevelContext): Draft | Rejection;
}

export function reject(reason: string): Rejection {
  return { reject: reason };
}

export function isRejection(x: Draft | Rejection): x is Rejection {
  return 'reject' in x;
}

/**
 * Clearances (m) of the solvability checks. The diffdrive is 0.5 × 0.4 m (half-diagonal 0.32 m,
 * the disc it sweeps when turning on the spot); the pusher a 0.2 m disc. Routes are checked for
 * a disc a few centimetres wider than the robot, starts for a roomier one (the start yaw is
 * randomised per seed), so nothing generated depends on a grid cell's worth of luck.
 */
export const CLEARANCE = {
  /** Route of the diffdrive's centre. */
  diffRoute: 0.36,
  /** Free space around a diffdrive start. */
  diffStart: 0.5,
  /** Free space around a reach goal. */
  goal: 0.45,
  /** Route of the pusher's centre. */
  pusherRoute: 0.25,
  /** Room beside a pushed object's route for the pusher to get round it. */
  besideObject: 0.45,
} as const;

/** Mean speed (m/s) assumed by generated time limits: well below the 1 m/s top speed. */
export const BUDGET_SPEED = 0.4;
