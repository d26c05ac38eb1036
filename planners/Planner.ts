/**
 * The planner contract. Every planner — random, scripted, oracle MPC, LLM, world model —
 * implements it, and the runner knows none of them by name: it looks them up in the registry
 * (`planners/registry.ts`) by the name the user typed.
 *
 * Life cycle per episode: `reset(task, seed)` → `act(obs)` once per control step until the
 * episode ends → `endEpisode(outcome)` → (next episode: `reset` again) → `dispose()` once at the
 * end of the run.
 */
import type { RobotType, Scenario } from '../scenarios/schema.ts';
import type { Action, ActionSpace, Environment, EnvSnapshot, Observation, StepInfo } from '../sim/types.ts';

/**
 * What a planner is told about the task at the start of an episode: the public task view. It is
 * built from the scenario by `taskSpec` and holds only what every planner may know — which robot,
 * the arena's size, the instruction, the time budget — never the scenario file itself (object
 * list, moving obstacles' paths, the shove schedule, randomisation ranges). What the world looks
 * like comes through observations, at the run's observation tier, equally for every planner.
 */
export interface TaskSpec {
  /** The scenario's id: a label (planners key their seeded random streams by it), not its content. */
  readonly scenarioId: string;
  readonly robot: RobotType;
  readonly arena: { readonly size: readonly [number, number] };
  /** The natural-language instruction: what to do, never how. */
  readonly instruction: string;
  /** Strategy advice the scenario's author wrote, when there is some. Planners use it only as an
   * ablation (the LLM with `--llm-hints`); the instruction alone is the task. */
  readonly hint?: string;
  readonly actionSpace: ActionSpace;
  /** Seconds between decisions. */
  readonly controlPeriod: number;
  /** Simulated seconds before truncation. */
  readonly timeLimit: number;
  /** Control steps before truncation. */
  readonly maxSteps: number;
  /**
   * Access to the true simulator, given only to planners whose factory sets
   * `privileged: true` (the oracle). Learned and language planners never see it.
   */
  readonly oracle?: OracleAccess;
}

/** The public task view of an episode of `scenario` (see `TaskSpec`). `oracle` only for
 * privileged planners. */
export function taskSpec(scenario: Scenario, actionSpace: ActionSpace, oracle?: OracleAccess): TaskSpec {
  return Object.freeze({
    scenarioId: scenario.id,
    robot: scenario.robot.type,
    arena: Object.freeze({ size: Object.freeze([scenario.arena.size[0], scenario.arena.size[1]] as const) }),
    instruction: scenario.instruction,
    ...(scenario.hint ? { hint: scenario.hint } : {}),
    actionSpace,
    controlPeriod: scenario.controlPeriod,
    timeLimit: scenario.timeLimit,
    maxSteps: Math.round(scenario.timeLimit / scenario.controlPeriod),
    ...(oracle ? { oracle } : {}),
  });
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
 * - `failures`: `{ category: FailureCategory, detail: string }[]` problems in this decision.
 * - `intent`: one plain sentence saying what the planner intends now and why, for people
 *   watching ("Expects to bring the robot to the goal in ~4 s, passing on the left (…)", "The LLM
 *   plans to drive to (2.0, 1.5) — \"the crate blocks the direct path\"."). Computed by the planner
 *   from what it knows, so the viewer, recordings and MCAP exports all show the same words;
 *   `planners/skills/describe.ts` words skill calls, `core/failureWords.ts` failures. */
export type PlannerInfo = Record<string, unknown>;

/** Failure categories of a planner decision (the LLM taxonomy; others may use them too). */
export type { FailureCategory } from '../core/records.ts';

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
  /** Per-episode facts as text for the record's `plannerMeta` (e.g. which model answered, as the
   * server reported it, and its fingerprint): provenance that numbers cannot carry. */
  episodeMeta?(): Record<string, string>;
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

/**
 * What a planner reads of each observation, as the run manifest records it per planner
 * (`config.observationSpecs`, docs/observations.md). The tier (`state` or `sensor`) is the run's
 * and is added by the runner.
 */
export interface ObservationSpec {
  /** In words: which parts of the observation it reads ("nothing" for random). */
  reads: string;
  /** Learned planners: the input layout each robot's checkpoint was trained on, by robot
   * ("goal@7+4", ..., "object_set@56+576", "object_mask@632+32"): exactly the slots it reads. */
  inputLayout?: Record<string, string[]>;
}

export interface PlannerFactory {
  name: string;
  description: string;
  /** What the planner reads of each observation, for the manifest; absent: the whole observation.
   * Learned planners read their checkpoints' layouts here (cheap: metadata only). */
  observes?(opts: PlannerOptions, robots: readonly RobotType[]): ObservationSpec;
  /** True when the planner needs `TaskSpec.oracle` (rollouts of the true physics). */
  privileged?: boolean;
  /** True when the planner's actions depend only on (scenario, seed, observations): its episodes
   * must reproduce trajectory hashes exactly. */
  deterministic: boolean;
  /** Returns null when the planner can run; otherwise a one-line reason and how to enable it
   * (e.g. no LLM configured). The runner then skips it with that message. */
  unavailable?(opts: PlannerOptions): string | null;
  /**
   * The files whose content shapes this planner's results on these robots — checkpoints, prompt
   * templates, a replayed cassette, a price table — by label. Each entry is a list of file or
   * directory paths, or one `sha256:<hex>` when the content hash is already known (a verified
   * model download). Their SHA-256 go into the manifest (`config.inputHashes`), and `--from` and
   * `--resume` refuse to run when one changed.
   */
  inputs?(opts: PlannerOptions, robots: readonly RobotType[]): Record<string, readonly string[]>;
  /**
   * Checks the planner's artefacts before the first episode (a checkpoint's shapes and weights,
   * say) and throws a `UserError` naming the file and what is wrong, so a broken artefact fails
   * the run at once instead of every episode.
   */
  preflight?(opts: PlannerOptions, robots: readonly RobotType[]): Promise<void> | void;
  create(opts: PlannerOptions): Promise<Planner>;
}
