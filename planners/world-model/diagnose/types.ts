/**
 * What `planarena diagnose world-model` measures, as written to `diagnosis.json`: raw
 * measurements only (paths, costs, returns, episode outcomes). The numbers drawn from them
 * (errors per step, rank correlations, success rates) are computed by
 * `evaluation/worldModelDiagnosis.ts`.
 */

/** A world position [x, y, z] (m): the robot's chassis, or the arm's end effector. */
export type Point = [number, number, number];

/** How a sampled sequence was drawn. */
export type SampleOrigin = 'actor' | 'near' | 'uniform' | 'brake';

/** One state of an episode, probed before the planner's action was executed. */
export interface StateProbe {
  seed: number;
  /** Control step of the episode (0: the reset state). */
  step: number;
  /** The sequence the planner acted on: its probe-decoded imagined path and the true one. */
  chosen: { imagined: Point[]; actual: Point[]; trueReturn: number };
  /** K sampled sequences: the actor's own, Gaussian around it, uniform, the all-zero command. */
  samples: {
    origin: SampleOrigin[];
    /** The planner's learned cost (`sequenceCosts`, behaviour prior included). */
    learnedCost: number[];
    /** The learned cost with the behaviour prior weight set to 0. */
    learnedCostNoPrior: number[];
    /** The planner's cost term by term (each weighted term alone, the others at 0; terms whose
     * weight is 0 left out): they add up to `learnedCost`. Older diagnoses have none. */
    costTerms?: Record<string, number[]>;
    /** Sum of the simulator's rewards over the horizon (until the task ends, if sooner). */
    trueReturn: number[];
    /** The true-cost evaluator's cost (−return, from a second execution on the clone). */
    trueCost: number[];
    imagined: Point[][];
    actual: Point[][];
    /** Push tasks, with a checkpoint whose probe decodes the object: each sequence's imagined
     * object path (observed position plus decoded motion) and the one the simulator produced. */
    objectImagined?: Point[][];
    objectActual?: Point[][];
  };
}

/** One full episode of an ablation variant. */
export interface AblationEpisode {
  variant: string;
  seed: number;
  success: boolean;
  return: number;
  steps: number;
  failure: string | null;
  /** The task subject's distance from the goal (m) when the episode ended. */
  finalGoalDistance: number;
}

export interface ScenarioDiagnosis {
  scenario: string;
  robot: string;
  horizon: number;
  states: StateProbe[];
  ablations: AblationEpisode[];
}

export interface WorldModelDiagnosis {
  /** Resolved settings of the diagnosis (samples, states, ...) and planner overrides. */
  settings: Record<string, unknown>;
  /** Checkpoint directory per robot. */
  checkpoints: Record<string, string>;
  /** Human labels of the ablation variants, by id. */
  variantLabels: Record<string, string>;
  scenarios: ScenarioDiagnosis[];
}
