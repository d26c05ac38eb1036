/**
 * The planner contract. Every planner — random, scripted, oracle MPC, LLM, world model —
 * implements it, and the runner knows none of them by name: it looks them up in the registry
 * (`planners/registry.ts`) by the name the user typed.
 *
 * Life cycle per episode: `reset(task, seed)` → `act(obs)` once per control step until the
 * episode ends → `endEpisode(outcome)` → (next episode: `reset` again) → `dispose()` once at the
 * end of the run.
 */
import type { Scenario } from '../scenarios/schema.ts';
import type { Action, ActionSpace, Environment, EnvSnapshot, Observation, StepInfo } from '../sim/types.ts';

/** What a planner is told about the task at the start of an episode. */
export interface TaskSpec {
  scenario: Scenario;
  /** The natural-language instruction (same as `scenario.instruction`). */
  instruction: string;
  actionSpace: ActionSpace;
  /** Seconds between decisions. */
  controlPeriod: number;
  /** Control steps before truncation. */
  maxSteps: number;
  /**
   * Access to the true simulator, given only to planners whose factory sets
   * `privileged: true` (the oracle). Learned and language planners never see it.
   */
  oracle?: OracleAccess;
}

/** The task of an episode of `scenario`, as every planner is told it. `oracle` only for
 * privileged planners. */
export function taskSpec(scenario: Scenario, actionSpace: ActionSpace, oracle?: OracleAccess): TaskSpec {
  return {
    scenario,
    instruction: scenario.instruction,
    actionSpace,
    controlPeriod: scenario.controlPeriod,
    maxSteps: Math.round(scenario.timeLimit / scenario.controlPeriod),
    oracle,
  };
}

/** Rollouts of the true physics for privileged planners. */
export interface OracleAccess {
  /** A snapshot of the live environment as of the observation just passed to `act`. */
  snapshot(): EnvSnapshot;
  /** A scratch environment the planner may step freely; reset its state with `restore`. Owned by the runner. */
  scratch(): Environment;
}

/** Free-form, JSON-serialisable diagnostics; recorded per step and streamed to the viewer.
 * Well-known keys let the viewer draw overlays:
 * - `imagined`: `{ rollouts: { points: [x, y, z][]; cost: number; elite: boolean }[] }` predicted futures.
 * - `llm`: `{ messages, response, plan, validation, usage, latencyMs }` the decision's exchange.
 * - `skill`: `{ name, args, status }` the skill running now.
 * - `failures`: `{ category: FailureCategory, detail: string }[]` problems in this decision. */
export type PlannerInfo = Record<string, unknown>;

/** Failure categories of a planner decision (the LLM taxonomy; others may use them too). */
export type FailureCategory =
  | 'format_error'
  | 'invalid_action'
  | 'hallucinated_object'
  | 'collision'
  | 'infeasible'
  | 'timeout'
  | 'llm_error';

export interface ActResult {
  action: Action;
  info: PlannerInfo;
  /** Thinking time to charge under `--clock realtime`, in milliseconds. Planners that replay a
   * recorded latency (the LLM cassette) set it so replays stay bit-identical; otherwise the
   * runner charges the measured wall-clock time of `act`. */
  thinkMs?: number;
}

/** How an episode ended, as the planner is told it (`endEpisode`). */
export interface EpisodeOutcome {
  success: boolean;
  /** The record's failure: flipped | left_arena | diverged | planner_error | timeout | error; null on success. */
  failure: string | null;
  /** Sum of rewards. */
  return: number;
  /** Control steps taken. */
  steps: number;
}

export interface Planner {
  readonly name: string;
  reset(task: TaskSpec, seed: number): Promise<void>;
  /** Chooses the action for the next control period. `last` is the previous step's info (events
   * such as collisions), absent on the first call of an episode. */
  act(obs: Observation, last?: StepInfo): Promise<ActResult>;
  /** The episode is over, however it ended (also after the planner threw); called once per
   * `reset`, before `episodeStats`. It cannot change the outcome. Remote policies are sent it. */
  endEpisode?(outcome: EpisodeOutcome): Promise<void> | void;
  /** Per-episode counters merged into the episode record (e.g. LLM calls, tokens, failure counts). */
  episodeStats?(): Record<string, number>;
  dispose(): Promise<void> | void;
}

/** A planner label: what may follow `name:` in a planner name (`remote:ppo`). Labels end up in
 * record and file names: no separators, no spaces. */
export const PLANNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Options every planner factory receives. Planner-specific settings come through `config`. */
export interface PlannerOptions {
  /** Planner-specific configuration (CLI flags like --llm-url, --checkpoint), validated by the factory. */
  config: Record<string, unknown>;
}

export interface PlannerFactory {
  name: string;
  description: string;
  /** True when the planner needs `TaskSpec.oracle` (rollouts of the true physics). */
  privileged?: boolean;
  /** True when the planner's actions depend only on (scenario, seed, observations): its episodes
   * must reproduce trajectory hashes exactly. */
  deterministic: boolean;
  /** Returns null when the planner can run; otherwise a one-line reason and how to enable it
   * (e.g. no LLM configured). The runner then skips it with that message. */
  unavailable?(opts: PlannerOptions): string | null;
  create(opts: PlannerOptions): Promise<Planner>;
}
