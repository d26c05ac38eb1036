/**
 * The result records of a run directory, shared by the runner, the statistics, the reports,
 * the CI mode and the viewer's results page.
 *
 * A run directory holds:
 * - `manifest.json`  — {@link RunManifest}: how the run was made (versions, commit, resolved config, machine).
 * - `episodes.jsonl` — one {@link EpisodeRecord} per line, appended (and flushed) as each episode ends.
 * - `summary.json`   — {@link RunSummary}: one row per scenario × planner.
 * - `recordings/`    — with `--record`: one recording per episode (format in `sim/recording.ts`).
 */
import type { RunConfig } from './runConfig.ts';

/** Why an episode failed. `timeout` is never a failure: it is truncation. */
export type FailureReason = 'flipped' | 'left_arena' | 'diverged' | 'planner_error';

/** Failure categories of a planner decision (the LLM taxonomy; others may use them too). */
export type FailureCategory = 'format_error' | 'invalid_action' | 'hallucinated_object' | 'collision' | 'infeasible' | 'timeout' | 'llm_error';

export interface EpisodeRecord {
  scenario: string;
  seed: number;
  planner: string;
  success: boolean;
  /** Why the episode failed; `timeout` when it was truncated at the time limit without success;
   * `error` when the episode itself crashed (see `error`). Null on success. */
  failure: FailureReason | 'timeout' | 'error' | null;
  /** Control steps taken. */
  steps: number;
  /** Simulated seconds. */
  simTime: number;
  /** Sum of rewards. */
  return: number;
  /** Distance travelled by the robot's chassis (end effector for the arm) in metres. */
  pathLength: number;
  /** Collision events involving the robot (contact starts with anything but the floor). */
  collisions: number;
  /** Distance from the task's subject to the goal at the end. */
  finalGoalDistance: number;
  /** Shortest feasible path (m) of the tracked point (chassis; arm: end effector), computed by the
   * evaluation side from the true layout at reset (`sim/shortestPath.ts`), never shown to planners.
   * The four efficiency fields are absent in records written before they existed. */
  shortestPath?: number;
  /** Least time (s) the task can take: shortestPath / top speed + the settle dwell. */
  shortestTime?: number;
  /** Headline efficiency in [0, 1]: success × shortestTime / max(simTime, shortestTime) (SPL with
   * time, so faster solutions score higher; 0 on failure). */
  efficiency?: number;
  /** Classic SPL in [0, 1]: success × shortestPath / max(pathLength, shortestPath). */
  spl?: number;
  /** Planner wall-clock time per decision, milliseconds. */
  plannerMsP50: number;
  plannerMsP95: number;
  /** SHA-256 (hex) of every frame's packed transforms, in order. */
  trajectoryHash: string;
  /** Decision failures by category (LLM taxonomy, collisions); zero counts may be omitted. */
  failureCategories: Partial<Record<FailureCategory, number>>;
  /** Planner-specific counters (LLM calls, tokens, cost; world-model planning stats). */
  plannerStats: Record<string, number>;
  /** Planner-specific facts as text (the LLM: the model the server reported, its fingerprint). */
  plannerMeta?: Record<string, string>;
  /** Wall-clock seconds the episode took. */
  wallSeconds: number;
  /** Path of the recording, relative to the run directory, when recorded. */
  recording?: string;
  /** Message of an exception that ended the episode (failure = 'error'). */
  error?: string;
}

export interface SummaryRow {
  scenario: string;
  planner: string;
  episodes: number;
  successes: number;
  successRate: number;
  /** Wilson score interval, 95%. */
  ci95: [number, number];
  /** Mean episode `efficiency` (success × shortest time / time; the headline next to success),
   * null when the records predate it. */
  efficiency: number | null;
  /** Its 95% percentile-bootstrap interval (seeded, reproducible). */
  efficiencyCi95: [number, number] | null;
  /** Mean episode `spl` (success × shortest path / path). */
  spl: number | null;
  meanReturn: number;
  /** Secondary: (meanReturn − random) / (oracle − random) against the scenario's frozen anchors
   * (`scenarios/anchors/`), clipped to [0, 1]; null when refused (see `normalizedNote`). */
  normalizedScore: number | null;
  /** Its 95% interval, the anchors' own uncertainty included; null when refused. */
  normalizedCi95: [number, number] | null;
  /** Why the normalised score is refused (no anchor, stale anchor, degenerate span), or that it was clipped. */
  normalizedNote: string | null;
  meanSteps: number;
  meanCollisions: number;
  plannerMsP50: number;
  plannerMsP95: number;
  failures: Record<string, number>;
  failureCategories: Partial<Record<FailureCategory, number>>;
}

export interface RunSummary {
  createdAt: string;
  suite: string | null;
  rows: SummaryRow[];
}

export interface RunManifest {
  planarena: string;
  createdAt: string;
  command: string[];
  git: { commit: string | null; dirty: boolean | null };
  versions: Record<string, string>;
  machine: { platform: string; arch: string; cpus: string; cores: number; memGiB: number; node: string };
  /** The resolved, frozen run configuration (`core/runConfig.ts`: schema and round trip). */
  config: RunConfig;
}
