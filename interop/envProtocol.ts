/**
 * Env server protocol v1 (`planarena env-server`): the simulator for training loops in other
 * languages, Gymnasium's reset/step over the same transport and codec as remote planners
 * (`wire.ts`). Here the client (e.g. examples/planarena_env.py) sends requests and planarena
 * answers; docs/interop.md is the reference.
 *
 * client → planarena                                 planarena → client (same `seq`)
 *   reset {scenario | suite, seed}               →     observation {observation, info}
 *   step  {action}                               →     step_result {observation, reward, terminated, truncated, info}
 *                                                      error {message}   (to anything; the session stays usable)
 *
 * - `reset`: `scenario` is a scenario id; `suite` a suite id, whose scenario number `seed mod n`
 *   is used (so seeds 0..n-1 visit every scenario once); neither: the session's last scenario.
 *   `seed` omitted: one more than the session's last seed (0 first). Every reset builds a fresh
 *   world: nothing of one episode reaches the next.
 * - `observation` is the remote planners' observation message payload (`t, step, flat` as a
 *   `<f4` ndarray, `robot, goal, objects, lidar`). `info` of a reset also describes the task
 *   (the fields of `episode_start`), and every `info` carries `trajectoryHash`: the SHA-256 of
 *   the frames so far, equal to the runner's trajectory hash for the same scenario, seed and
 *   actions (the determinism check).
 * - `step` after the episode ended (terminated or truncated) is an error: reset first.
 */
import type { StepInfo } from '../sim/types.ts';
import type { EpisodeStartPayload, ObservationPayload } from './policyProtocol.ts';

export interface ResetRequest {
  scenario?: string;
  suite?: string;
  seed?: number;
}

export interface StepRequest {
  /** An array of numbers or an ndarray, one per action component. */
  action: unknown;
}

export type EnvInfo = StepInfo & { trajectoryHash: string };

export interface ResetReply {
  observation: ObservationPayload;
  info: EpisodeStartPayload & EnvInfo & { maxSteps: number };
}

export interface StepReply {
  observation: ObservationPayload;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: EnvInfo;
}

/** Request type → reply type. */
export const ENV_REPLY = { reset: 'observation', step: 'step_result' } as const;
