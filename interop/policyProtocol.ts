/**
 * Remote policy protocol v1: the messages between planarena (the client, one WebSocket per run
 * worker) and a policy server written in any language. Envelope and vector encoding are in
 * `wire.ts`; docs/interop.md is the reference, examples/remote_policy_server.py a server.
 *
 * planarena → policy                         policy → planarena (same `seq`)
 *   episode_start {scenario, seed, ...}   →    ready
 *   observation   {t, step, flat, ...}    →    action {action: vector, info?: map}
 *   episode_end   {success, failure, ...} →    ack
 *                                              error {message}   (to anything)
 *
 * One request is outstanding at a time. Anything else the server sends — a reply with another
 * `seq` or type, a frame that is not MessagePack, an `error` — ends the episode as
 * `planner_error`; planarena then drops the connection and opens a new one for the next episode.
 */
import type { RobotType, Scenario } from '../scenarios/schema.ts';
import { obsLayout } from '../sim/observation.ts';
import type { ActionSpace, Lidar, Observation, ResolvedGoal, RobotState, SceneObject } from '../sim/types.ts';
import { f32NdArray, type NdArray } from './wire.ts';

export interface EpisodeStartPayload {
  /** Scenario id. */
  scenario: string;
  seed: number;
  /** The natural-language instruction. */
  instruction: string;
  /** Robot type: diffdrive | pusher | arm. */
  robot: RobotType;
  actionNames: string[];
  actionLow: number[];
  actionHigh: number[];
  /** Named segments of `observation.flat` (sim/observation.ts). */
  observationLayout: { name: string; offset: number; length: number }[];
  /** Seconds between decisions. */
  controlPeriod: number;
  /** Seconds before the episode is truncated. */
  timeLimit: number;
}

/** The observation as the LLM planner sees it (structured fields) plus the flat vector. */
export interface ObservationPayload {
  t: number;
  step: number;
  flat: NdArray;
  robot: RobotState;
  goal: ResolvedGoal;
  objects: SceneObject[];
  lidar: Lidar;
}

export interface EpisodeEndPayload {
  success: boolean;
  /** flipped | left_arena | diverged | planner_error | timeout | error, or null on success. */
  failure: string | null;
  return: number;
  steps: number;
}

export interface ActionPayload {
  /** An array of numbers or an ndarray, one number per action component. */
  action: unknown;
  /** Free-form diagnostics, recorded per step like any planner's info (`imagined`, `failures`, …). */
  info?: Record<string, unknown>;
}

export interface ErrorPayload {
  message: string;
}

/** Messages planarena sends, and the reply each one expects. */
export const POLICY_REPLY = {
  episode_start: 'ready',
  observation: 'action',
  episode_end: 'ack',
} as const;

export type PolicyRequestType = keyof typeof POLICY_REPLY;

/** What a policy is told when an episode starts (the planner contract's task, as data). */
/** What `episode_start` tells a policy: the public task view (planners/Planner.ts `TaskSpec`), built
 * the same way from a scenario by `taskView` when there is no planner (the env server). */
export interface PublicTask {
  scenarioId: string;
  robot: RobotType;
  instruction: string;
  actionSpace: ActionSpace;
  controlPeriod: number;
  timeLimit: number;
}

/** The public task view of a scenario: what any planner may be told (never the scenario file). */
export function taskView(scenario: Scenario, actionSpace: ActionSpace): PublicTask {
  return { scenarioId: scenario.id, robot: scenario.robot.type, instruction: scenario.instruction, actionSpace, controlPeriod: scenario.controlPeriod, timeLimit: scenario.timeLimit };
}

export function episodeStartPayload(task: PublicTask, seed: number): EpisodeStartPayload {
  const { robot, actionSpace } = task;
  return {
    scenario: task.scenarioId,
    seed,
    instruction: task.instruction,
    robot,
    actionNames: [...actionSpace.names],
    actionLow: [...actionSpace.low],
    actionHigh: [...actionSpace.high],
    observationLayout: obsLayout(robot).map(({ name, offset, length }) => ({ name, offset, length })),
    controlPeriod: task.controlPeriod,
    timeLimit: task.timeLimit,
  };
}

/** The observation message's payload; also the `observation` of the env server's replies. */
export function observationPayload(obs: Observation): ObservationPayload {
  return {
    t: obs.t,
    step: obs.step,
    flat: f32NdArray(obs.flat),
    robot: obs.robot,
    goal: obs.goal,
    objects: obs.objects,
    lidar: obs.lidar,
  };
}
