/**
 * Hooks into a running episode. The runner calls an observer's methods in order; the live
 * stream server (viewer) and progress displays are observers. Observers must be cheap and must
 * never throw into the runner: the simulation never waits on them.
 */
import type { ActResult, TaskSpec } from '../planners/Planner.ts';
import type { EpisodeRecord } from '../core/records.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { Action, Environment, StaticScene, StepResult } from '../sim/types.ts';

export interface EpisodeKey {
  scenario: string;
  planner: string;
  seed: number;
}

export interface EpisodeObserver {
  /** The episode starts: static scene and first transforms. `env` lets a live server apply user
   * shoves (teaching mode) through `env.shove`, between control steps only. Observers (unlike
   * planners) see the scenario itself, e.g. to show a generated level's family and split. */
  onEpisodeStart?(key: EpisodeKey, scene: StaticScene, transforms: Float32Array, task: TaskSpec, env: Environment, scenario: Scenario): void;
  /** After each control step: the planner's decision, the step result and the new transforms. */
  onStep?(key: EpisodeKey, step: { action: Action; decision: ActResult; result: StepResult; transforms: Float32Array; plannerMs: number }): void;
  onEpisodeEnd?(key: EpisodeKey, record: EpisodeRecord): void;
  /** Lets a live session apply queued user perturbations between control steps. */
  beforeStep?(key: EpisodeKey, env: Environment): void;
}
