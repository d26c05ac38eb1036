/**
 * One episode: a fresh environment, `planner.reset`, then act/step until the episode
 * terminates or is truncated, measured into an `EpisodeRecord`.
 *
 * `runEpisode` is a function of (spec, context) with no state shared between calls: the
 * environment, the oracle's scratch world and the recorder are created and disposed here, so
 * episodes can run in any order, in parallel workers, or be resumed.
 *
 * Clocks (`--clock`):
 * - `turn` (default): the world waits while the planner thinks.
 * - `realtime`: the planner's latency is charged in simulated time. While it thinks, the world
 *   keeps running with the previous action (zero before the first decision) for
 *   round(thinkMs / 1000 / controlPeriod) control steps; then the new action applies. thinkMs is
 *   `ActResult.thinkMs` when the planner reports it (replayed latencies stay reproducible), else
 *   the measured wall time of `act`. The next `act` gets the latest step's info with the events
 *   of every step since the previous decision.
 *
 * Errors: anything thrown by the planner ends the episode as `planner_error`, anything else as
 * `error`; the message goes in `record.error` and the run goes on.
 */
import { performance } from 'node:perf_hooks';
import { taskSpec, type ActResult, type FailureCategory, type Planner, type TaskSpec } from '../planners/Planner.ts';
import type { EpisodeRecord } from '../core/records.ts';
import { percentile } from '../evaluation/summary.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createEnv } from '../sim/Env.ts';
import { Recorder, TrajectoryHasher, type Recording } from '../sim/recording.ts';
import { efficiencyFields, referencePath, type ReferencePath } from '../sim/shortestPath.ts';
import type { Action, Environment, LidarMethod, Observation, PhysicsFlavor, SimEvent, StepInfo, StepResult } from '../sim/types.ts';
import type { EpisodeSpec } from './plan.ts';
import type { EpisodeKey, EpisodeObserver } from './types.ts';

export type Clock = 'turn' | 'realtime';

/** Settings shared by every episode of a run. */
export interface EpisodeOptions {
  physics: PhysicsFlavor;
  /** Lidar method (default analytic). */
  lidar?: LidarMethod;
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

/** Marks an exception as the planner's, so the record says `planner_error`. */
class PlannerFault extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${messageOf(cause)}`);
  }
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e);
}

async function plannerCall<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new PlannerFault(what, e);
  }
}

/** Body ids that belong to the robot, for counting its collisions. */
function robotBodyIds(env: Environment): Set<string> {
  return new Set(env.staticScene().bodies.filter((b) => b.kind === 'robot' || b.kind === 'robot_part').map((b) => b.id));
}

/** The point whose travel is the path length: end effector for the arm, chassis otherwise. */
function subjectPoint(obs: Observation): [number, number, number] {
  const ee = obs.robot.ee;
  if (obs.robot.type === 'arm' && ee) return [ee.x, ee.y, ee.z];
  return [obs.robot.pose.x, obs.robot.pose.y, obs.robot.pose.z];
}

function checkAction(action: unknown, dim: number): Action {
  if (!Array.isArray(action) || action.length !== dim) {
    throw new Error(`act returned ${Array.isArray(action) ? `an action of length ${action.length}` : typeof action}, expected ${dim} numbers`);
  }
  const bad = action.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new Error(`act returned a non-finite value ${String(action[bad])} at index ${bad}`);
  return action as Action;
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

/** Lag behind the paced schedule that is caught up by running steps back to back. */
const PACE_SLACK_MS = 250;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function runEpisode(spec: EpisodeSpec, ctx: EpisodeContext): Promise<EpisodeResult> {
  const { scenario, planner } = ctx;
  const key: EpisodeKey = { scenario: spec.scenario, planner: spec.planner, seed: spec.seed };
  const observer = safeObserver(ctx.observer);
  const wallStart = performance.now();
  const controlPeriod = scenario.controlPeriod;
  const maxSteps = Math.round(scenario.timeLimit / controlPeriod);

  // Episode accumulators
  let steps = 0;
  let ret = 0;
  let pathLength = 0;
  let collisions = 0;
  let simTime = 0;
  let success = false;
  let failure: EpisodeRecord['failure'] = null;
  let error: string | undefined;
  let lastInfo: StepInfo | undefined;
  const plannerMs: number[] = [];
  const categories: Partial<Record<FailureCategory, number>> = {};
  const countCategory = (c: FailureCategory, n = 1) => (categories[c] = (categories[c] ?? 0) + n);
  const hasher = new TrajectoryHasher();
  let recorder: Recorder | undefined;
  let env: Environment | undefined;
  let scratch: Environment | undefined;
  let plannerStats: Record<string, number> = {};
  let reference: ReferencePath | undefined;

  try {
    const live: Environment = await createEnv(scenario, { physics: ctx.physics, lidar: ctx.lidar });
    env = live;
    const reset = live.reset({ seed: spec.seed });
    let obs = reset.obs;
    lastInfo = reset.info;
    reference = referencePath(scenario, reset.obs);
    const robotIds = robotBodyIds(live);
    const scene = live.staticScene();
    const pushed = scene.goal.type === 'push' ? scene.goal.object : undefined;
    const first = live.transforms();
    hasher.update(first);
    if (ctx.record) recorder = new Recorder({ scenario: spec.scenario, seed: spec.seed, planner: spec.planner, physics: ctx.physics, clock: ctx.clock }, scene, first);

    const task: TaskSpec = taskSpec(
      scenario,
      live.actionSpace,
      ctx.privileged ? { snapshot: () => live.snapshot(), scratch: () => (scratch ??= live.fork()) } : undefined,
    );
    observer.onEpisodeStart?.(key, scene, first, task, live);
    await plannerCall('reset', () => planner.reset(task, spec.seed));

    let point = subjectPoint(obs);
    /** Events of every step since the last decision: under the realtime clock a planner hears of
     * the collisions that happened while it was thinking, not only those of the latest step. */
    let sinceDecision: SimEvent[] = [];
    let done = false;
    let action: Action = new Array<number>(live.actionSpace.dim).fill(0);
    let stepDue = performance.now();

    /** One control step with `stepAction`; returns true when the episode is over. */
    const stepOnce = async (stepAction: Action, decision: ActResult, ms: number): Promise<boolean> => {
      observer.beforeStep?.(key, live);
      const result: StepResult = live.step(stepAction);
      steps++;
      ret += result.reward;
      simTime = result.obs.t;
      const next = subjectPoint(result.obs);
      pathLength += Math.hypot(next[0] - point[0], next[1] - point[1], next[2] - point[2]);
      point = next;
      collisions += countRobotCollisions(result.info.events, robotIds, pushed);
      const transforms = live.transforms();
      hasher.update(transforms);
      recorder?.append(
        { t: result.obs.t, step: result.obs.step, transforms, action: stepAction, reward: result.reward, events: result.info.events, info: decision.info ?? {} },
        live.staticScene(),
      );
      observer.onStep?.(key, { action: stepAction, decision, result, transforms, plannerMs: ms });
      obs = result.obs;
      lastInfo = result.info;
      sinceDecision.push(...result.info.events);
      if (result.terminated || result.truncated) {
        success = result.info.success;
        failure = success ? null : (result.info.failure ?? (result.truncated ? 'timeout' : 'error'));
        if (!success && failure === 'error') error = 'environment terminated the episode without success or a failure reason';
        return true;
      }
      if (steps > maxSteps + 1) throw new Error(`environment did not truncate after ${steps} steps (time limit ${scenario.timeLimit}s)`);
      // Pacing: simulated time advances at `pace` × wall time so people can watch. Timer
      // overshoot is caught up, but at most PACE_SLACK_MS of it: after a long think (turn clock)
      // the world resumes at the pace instead of racing through the steps it "owes".
      if (ctx.pace > 0) {
        const now = performance.now();
        stepDue = Math.max(stepDue, now - PACE_SLACK_MS) + (controlPeriod * 1000) / ctx.pace;
        if (stepDue - now > 1) await sleep(stepDue - now);
      } else if (steps % 50 === 0) {
        // Let servers (live stream, signals) breathe during long unpaced episodes.
        await yieldToEventLoop();
      }
      return false;
    };

    while (!done) {
      // Decide
      const t0 = performance.now();
      const last = steps === 0 || !lastInfo ? undefined : { ...lastInfo, events: sinceDecision };
      sinceDecision = [];
      const decision = await plannerCall('act', () => planner.act(obs, last));
      const ms = performance.now() - t0;
      plannerMs.push(ms);
      const next = await plannerCall('act', () => checkAction(decision?.action, live.actionSpace.dim));
      const failures = decision.info?.failures;
      if (Array.isArray(failures)) {
        for (const f of failures as { category?: FailureCategory }[]) if (f && typeof f.category === 'string') countCategory(f.category);
      }

      // Realtime clock: the world runs on with the previous action while the planner thinks.
      if (ctx.clock === 'realtime') {
        const thinkMs = typeof decision.thinkMs === 'number' && Number.isFinite(decision.thinkMs) ? decision.thinkMs : ms;
        const lag = Math.max(0, Math.round(thinkMs / 1000 / controlPeriod));
        const waiting: ActResult = { action, info: { thinking: true } };
        for (let k = 0; k < lag && !done; k++) done = await stepOnce(action, waiting, 0);
      }
      if (done) break;

      // Act
      action = next;
      done = await stepOnce(action, decision, ms);
    }
  } catch (e) {
    success = false;
    failure = e instanceof PlannerFault ? 'planner_error' : 'error';
    error = messageOf(e);
  } finally {
    try {
      plannerStats = finiteStats(planner.episodeStats?.() ?? {});
    } catch (e) {
      // Stats are diagnostics; a throwing episodeStats must not hide the episode's own result.
      plannerStats = {};
      error ??= `episodeStats: ${messageOf(e)}`;
    }
    scratch?.dispose();
    env?.dispose();
  }

  if (collisions > 0) countCategory('collision', collisions);
  const record: EpisodeRecord = {
    scenario: spec.scenario,
    seed: spec.seed,
    planner: spec.planner,
    success,
    failure,
    steps,
    simTime,
    return: ret,
    pathLength,
    collisions,
    finalGoalDistance: lastInfo?.goalDistance ?? Number.NaN,
    ...efficiencyFields(reference, { success, simTime, pathLength }),
    plannerMsP50: percentile(plannerMs, 0.5),
    plannerMsP95: percentile(plannerMs, 0.95),
    trajectoryHash: hasher.digest(),
    failureCategories: categories,
    plannerStats,
    wallSeconds: (performance.now() - wallStart) / 1000,
    ...(error !== undefined ? { error } : {}),
  };
  observer.onEpisodeEnd?.(key, record);
  const recording = recorder?.finish({ success, failure, steps, return: ret, trajectoryHash: record.trajectoryHash, ...(error !== undefined ? { error } : {}) });
  return recording ? { record, recording } : { record };
}

/**
 * Contact starts between the robot and anything else. The simulator never reports the floor;
 * the object a push task is about is excluded too (touching it is the task, not a collision).
 */
export function countRobotCollisions(events: readonly SimEvent[], robotIds: ReadonlySet<string>, pushed?: string): number {
  const isRobot = (id: string) => robotIds.has(id) || id === 'robot' || id.startsWith('robot:');
  let n = 0;
  for (const ev of events) {
    if (ev.type !== 'collision' || ev.b === pushed) continue;
    if (isRobot(ev.a) !== isRobot(ev.b)) n++;
  }
  return n;
}

function finiteStats(stats: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
