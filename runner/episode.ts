/**
 * One episode as the runner runs it: a fresh environment, the episode loop
 * (`runner/episodeLoop.ts`), and its consumers — the metrics that become the `EpisodeRecord`,
 * the recorder, pacing and the observers (live viewer, progress).
 *
 * `runEpisode` is a function of (spec, context) with no state shared between calls: the
 * environment, the oracle's scratch world and the recorder are created and disposed here, so
 * episodes can run in any order, in parallel workers, or be resumed.
 *
 * Errors: anything thrown by the planner ends the episode as `planner_error`, anything else as
 * `error`; the message goes in `record.error` and the run goes on.
 */
import { performance } from 'node:perf_hooks';
import { isRunAbort } from '../core/errors.ts';
import type { EpisodeRecord, FailureCategory } from '../core/records.ts';
import type { Clock, LidarMethod, ObservationTier, PhysicsFlavor } from '../core/runConfig.ts';
import { percentile } from '../core/summary.ts';
import { taskSpec, type Planner, type TaskSpec } from '../planners/Planner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createEnv } from '../sim/Env.ts';
import { Recorder, TrajectoryHasher, type Recording } from '../sim/recording.ts';
import { efficiencyFields, episodeReference, type ReferencePath } from '../sim/shortestPath.ts';
import type { Environment, StepInfo } from '../sim/types.ts';
import { episodeLoop, messageOf, PlannerFault, type LoopStep } from './episodeLoop.ts';
import type { EpisodeSpec } from './plan.ts';
import type { EpisodeKey, EpisodeObserver } from './types.ts';

export type { Clock };

/** Settings shared by every episode of a run. */
export interface EpisodeOptions {
  physics: PhysicsFlavor;
  /** Lidar method (default analytic). */
  lidar?: LidarMethod;
  /** What observations hold (default state). */
  observation?: ObservationTier;
  clock: Clock;
  /** Keep every frame for a recording. */
  record: boolean;
  /** Simulated seconds per wall-clock second (1 = real time); 0 runs as fast as possible. */
  pace: number;
  observer?: EpisodeObserver;
}

export interface EpisodeContext extends EpisodeOptions {
  scenario: Scenario;
  /** A planner instance; `runEpisode` calls its `reset`, never its `dispose`. */
  planner: Planner;
  /** Give the planner `task.oracle` (only for factories with `privileged: true`). */
  privileged: boolean;
}

export interface EpisodeResult {
  record: EpisodeRecord;
  /** With `record: true`; the caller writes it and sets `record.recording`. */
  recording?: Recording;
}

/** Wraps an observer so that a throwing observer is reported once and never stops the episode. */
function safeObserver(observer: EpisodeObserver | undefined): EpisodeObserver {
  if (!observer) return {};
  const warned = new Set<string>();
  const guard =
    <A extends unknown[]>(name: keyof EpisodeObserver, fn: ((...args: A) => void) | undefined) =>
    (...args: A) => {
      if (!fn) return;
      try {
        fn.apply(observer, args);
      } catch (e) {
        if (!warned.has(name)) process.stderr.write(`planarena: observer ${name} threw (ignored): ${messageOf(e)}\n`);
        warned.add(name);
      }
    };
  return {
    onEpisodeStart: guard('onEpisodeStart', observer.onEpisodeStart),
    onStep: guard('onStep', observer.onStep),
    onEpisodeEnd: guard('onEpisodeEnd', observer.onEpisodeEnd),
    beforeStep: guard('beforeStep', observer.beforeStep),
  };
}

/** The record's measurements, accumulated from the loop's steps. */
class EpisodeMetrics {
  steps = 0;
  return = 0;
  pathLength = 0;
  collisions = 0;
  simTime = 0;
  success = false;
  failure: EpisodeRecord['failure'] = null;
  error: string | undefined;
  lastInfo: StepInfo;
  readonly plannerMs: number[] = [];
  readonly categories: Partial<Record<FailureCategory, number>> = {};
  private point: readonly number[];

  constructor(first: StepInfo) {
    this.lastInfo = first;
    this.point = first.robotPoint;
  }

  count(c: FailureCategory, n = 1): void {
    this.categories[c] = (this.categories[c] ?? 0) + n;
  }

  add(s: LoopStep): void {
    const { result } = s;
    const info = result.info;
    this.steps++;
    this.return += result.reward;
    this.simTime = result.obs.t;
    const p = info.robotPoint;
    this.pathLength += Math.hypot(p[0] - this.point[0], p[1] - this.point[1], p[2] - this.point[2]);
    this.point = p;
    this.collisions += info.collisions;
    this.lastInfo = info;
    if (!s.thinking) {
      this.plannerMs.push(s.plannerMs);
      const failures = s.decision.info?.failures;
      if (Array.isArray(failures)) {
        for (const f of failures as { category?: FailureCategory }[]) if (f && typeof f.category === 'string') this.count(f.category);
      }
    }
    if (result.terminated || result.truncated) {
      this.success = info.success;
      this.failure = this.success ? null : (info.failure ?? (result.truncated ? 'timeout' : 'error'));
      if (!this.success && this.failure === 'error') this.error = 'environment terminated the episode without success or a failure reason';
    }
  }
}

/** Lag behind the paced schedule that is caught up by running steps back to back. */
const PACE_SLACK_MS = 250;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Pacing: simulated time advances at `pace` × wall time so people can watch. Timer overshoot is
 * caught up, but at most PACE_SLACK_MS of it: after a long think (turn clock) the world resumes
 * at the pace instead of racing through the steps it "owes". Unpaced, it still lets servers (live
 * stream, signals) breathe every 50 steps. A race (`runner/race.ts`) paces its whole group of
 * episodes with one pacer, called once per control step of the group.
 */
export function pacer(pace: number, controlPeriod: number): (steps: number) => Promise<void> {
  let due = performance.now();
  return async (steps) => {
    if (pace > 0) {
      const now = performance.now();
      due = Math.max(due, now - PACE_SLACK_MS) + (controlPeriod * 1000) / pace;
      // Behind schedule (planners slower than the pace) it still yields every step, so the
      // viewer's requests (a late page fetching history) and signals are served meanwhile.
      if (due - now > 1) await sleep(due - now);
      else await yieldToEventLoop();
    } else if (steps % 50 === 0) {
      await yieldToEventLoop();
    }
  };
}

/** Runs one episode from start to end: {@link EpisodeRun} stepped to the end, paced. */
export async function runEpisode(spec: EpisodeSpec, ctx: EpisodeContext): Promise<EpisodeResult> {
  const run = await EpisodeRun.start(spec, ctx);
  try {
    const pace = pacer(ctx.pace, ctx.scenario.controlPeriod);
    while (await run.advance()) await pace(run.steps);
  } catch (e) {
    await run.close(); // a RunAbort: free the worlds, then stop the run
    throw e;
  }
  return run.finish();
}

/**
 * One episode, advanced one control step at a time by its caller: `runEpisode` steps one to the
 * end; a race steps several in lockstep of simulated time. Whoever drives it, the episode is the
 * same (the environment, planner and their random streams are its own), so its record and
 * trajectory hash do not depend on the driver.
 *
 * `start`, `advance` and `finish` never throw for a failing episode (the failure goes into the
 * record); they throw only a `RunAbort`, after which the caller must `close()` it.
 */
export class EpisodeRun {
  private readonly wallStart = performance.now();
  private readonly hasher = new TrajectoryHasher();
  private readonly observer: EpisodeObserver;
  private readonly key: EpisodeKey;
  private metrics: EpisodeMetrics | undefined;
  private recorder: Recorder | undefined;
  private env: Environment | undefined;
  private scratch: Environment | undefined;
  private loop: AsyncGenerator<LoopStep, void, undefined> | undefined;
  private failure: EpisodeRecord['failure'] = null;
  private error: string | undefined;
  private plannerStats: Record<string, number> = {};
  private plannerMeta: Record<string, string> = {};
  /** The shortest feasible route from the true layout at reset, for efficiency (never shown to planners). */
  private reference: ReferencePath | undefined;
  private over = false;
  private closed = false;

  private constructor(
    readonly spec: EpisodeSpec,
    private readonly ctx: EpisodeContext,
  ) {
    this.key = { scenario: spec.scenario, planner: spec.planner, seed: spec.seed };
    this.observer = safeObserver(ctx.observer);
  }

  /** Creates and resets the environment and tells the observers; an episode that cannot start is
   * over at once (`done`), with its failure in the record. */
  static async start(spec: EpisodeSpec, ctx: EpisodeContext): Promise<EpisodeRun> {
    const run = new EpisodeRun(spec, ctx);
    try {
      await run.begin();
    } catch (e) {
      await run.fail(e);
    }
    return run;
  }

  /** True once the episode ended (terminated, truncated or failed). */
  get done(): boolean {
    return this.over;
  }

  /** Control steps taken so far. */
  get steps(): number {
    return this.metrics?.steps ?? 0;
  }

  /** Simulated seconds so far. */
  get simTime(): number {
    return this.metrics?.simTime ?? 0;
  }

  private async begin(): Promise<void> {
    const { ctx, spec } = this;
    const { scenario } = ctx;
    const live: Environment = await createEnv(scenario, { physics: ctx.physics, lidar: ctx.lidar, observation: ctx.observation });
    this.env = live;
    const reset = live.reset({ seed: spec.seed });
    this.metrics = new EpisodeMetrics(reset.info);
    this.reference = await episodeReference(scenario, spec.seed, reset.obs, ctx.observation);
    const scene = live.staticScene();
    const first = live.transforms();
    this.hasher.update(first);
    if (ctx.record) this.recorder = new Recorder({ scenario: spec.scenario, seed: spec.seed, planner: spec.planner, physics: ctx.physics, clock: ctx.clock }, scene, first);

    const task: TaskSpec = taskSpec(
      scenario,
      live.actionSpace,
      ctx.privileged ? { snapshot: () => live.snapshot(), scratch: () => (this.scratch ??= live.fork()) } : undefined,
    );
    this.observer.onEpisodeStart?.(this.key, scene, first, task, live, scenario);
    this.loop = episodeLoop(live, ctx.planner, task, spec.seed, reset.obs, { clock: ctx.clock, maxSteps: task.maxSteps, beforeStep: () => this.observer.beforeStep?.(this.key, live) });
  }

  /** Runs one control step. Returns true while the episode goes on. */
  async advance(): Promise<boolean> {
    if (this.over) return false;
    try {
      const next = await this.loop!.next();
      if (next.done) {
        this.end();
        return false;
      }
      const s = next.value;
      const live = this.env!;
      this.metrics!.add(s);
      const transforms = live.transforms();
      this.hasher.update(transforms);
      const { result } = s;
      this.recorder?.append({ t: result.obs.t, step: result.obs.step, transforms, action: s.action, reward: result.reward, events: result.info.events, info: s.decision.info ?? {}, plannerMs: s.plannerMs }, live.staticScene());
      this.observer.onStep?.(this.key, { action: s.action, decision: s.decision, result, transforms, plannerMs: s.plannerMs });
      if (result.terminated || result.truncated) {
        this.end();
        return false;
      }
      return true;
    } catch (e) {
      await this.fail(e);
      return false;
    }
  }

  private end(): void {
    this.over = true;
    this.failure = this.metrics!.failure;
    this.error = this.metrics!.error;
  }

  private async fail(e: unknown): Promise<void> {
    this.over = true;
    if (isRunAbort(e)) throw e;
    this.failure = e instanceof PlannerFault ? 'planner_error' : 'error';
    this.error = messageOf(e);
  }

  /**
   * Tells the planner how the episode ended, collects its stats and frees the worlds. Idempotent;
   * `finish` calls it, and a caller stopped by a `RunAbort` calls it alone.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.over = true;
    const { planner } = this.ctx;
    const m = this.metrics;
    try {
      // The planner hears how the episode ended (a remote policy is sent `episode_end`).
      await planner.endEpisode?.({ success: this.failure === null && m !== undefined && m.success, failure: this.failure, return: m?.return ?? 0, steps: m?.steps ?? 0 });
    } catch (e) {
      this.error ??= `endEpisode: ${messageOf(e)}`;
    }
    try {
      this.plannerStats = finiteStats(planner.episodeStats?.() ?? {});
      this.plannerMeta = shortTexts(planner.episodeMeta?.() ?? {});
    } catch (e) {
      // Stats are diagnostics; a throwing episodeStats must not hide the episode's own result.
      this.plannerStats = {};
      this.error ??= `episodeStats: ${messageOf(e)}`;
    }
    try {
      await this.loop?.return();
    } catch {
      // The generator is done either way; its own errors were reported by `advance`.
    }
    this.scratch?.dispose();
    this.env?.dispose();
  }

  /** Ends the episode (stepping stops if it had not ended), and returns its record. */
  async finish(): Promise<EpisodeResult> {
    await this.close();
    const { spec } = this;
    const m = this.metrics;
    const failure = this.failure;
    const error = this.error;
    const success = failure === null && m !== undefined && m.success;
    if (m && m.collisions > 0) m.count('collision', m.collisions);
    const record: EpisodeRecord = {
      scenario: spec.scenario,
      seed: spec.seed,
      planner: spec.planner,
      success,
      failure: success ? null : failure,
      steps: m?.steps ?? 0,
      simTime: m?.simTime ?? 0,
      return: m?.return ?? 0,
      pathLength: m?.pathLength ?? 0,
      collisions: m?.collisions ?? 0,
      finalGoalDistance: m?.lastInfo.goalDistance ?? Number.NaN,
      ...efficiencyFields(this.reference, { success, simTime: m?.simTime ?? 0, pathLength: m?.pathLength ?? 0 }),
      plannerMsP50: percentile(m?.plannerMs ?? [], 0.5),
      plannerMsP95: percentile(m?.plannerMs ?? [], 0.95),
      trajectoryHash: this.hasher.digest(),
      failureCategories: m?.categories ?? {},
      plannerStats: this.plannerStats,
      ...(Object.keys(this.plannerMeta).length > 0 ? { plannerMeta: this.plannerMeta } : {}),
      wallSeconds: (performance.now() - this.wallStart) / 1000,
      ...(error !== undefined ? { error } : {}),
    };
    this.observer.onEpisodeEnd?.(this.key, record);
    const recording = this.recorder?.finish({ success, failure: record.failure, steps: record.steps, return: record.return, trajectoryHash: record.trajectoryHash, ...(error !== undefined ? { error } : {}) });
    return recording ? { record, recording } : { record };
  }
}

/** Text facts, each cut to 500 characters (a record stays one short line). */
function shortTexts(meta: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (typeof v === 'string') out[k] = v.slice(0, 500);
  return out;
}

function finiteStats(stats: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
