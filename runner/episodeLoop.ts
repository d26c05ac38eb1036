/**
 * The episode loop — the only place where a planner and an environment take turns. It yields
 * one event per control step; everything else consumes the events: the runner's metrics, the
 * recorder, pacing and the live viewer (`runner/episode.ts`), world-model data collection
 * (`planners/world-model/training/collect.ts`) and the tests. Like three.js's render loop or a
 * Gymnasium wrapper stack: one loop, many observers.
 *
 * Turn order per decision: `planner.act(obs, last)` → (realtime clock: the world first runs on
 * with the previous action while the planner "thinks") → `beforeStep` → `env.step(action)` →
 * yield. A consumer that awaits between events (pacing) simply slows the loop down.
 *
 * Clocks:
 * - `turn` (default): the world waits while the planner thinks.
 * - `realtime`: the planner's latency is charged in simulated time. While it thinks, the world
 *   keeps running with the previous action (zero before the first decision) for
 *   round(thinkMs / 1000 / controlPeriod) control steps; then the new action applies. thinkMs is
 *   `ActResult.thinkMs` when the planner reports it (replayed latencies stay reproducible), else
 *   the measured wall time of `act`. The next `act` gets the latest step's info with the events
 *   of every step since the previous decision.
 *
 * Errors thrown by the planner (or an action that is not `dim` finite numbers) come out of the
 * loop as `PlannerFault`, so callers can tell them from simulator failures; a `RunAbort` comes
 * out as itself and stops the run.
 */
import { performance } from 'node:perf_hooks';
import { isRunAbort } from '../core/errors.ts';
import type { Clock } from '../core/runConfig.ts';
import type { ActResult, Planner, TaskSpec } from '../planners/Planner.ts';
import type { Action, Environment, Observation, SimEvent, StepInfo, StepResult } from '../sim/types.ts';

/** One control step as the loop saw it. */
export interface LoopStep {
  /** The action the world ran with (under the realtime clock, the previous one while thinking). */
  action: Action;
  /** The decision it came from; `{ info: { thinking: true } }` for steps run while thinking. */
  decision: ActResult;
  result: StepResult;
  /** Wall-clock milliseconds `act` took for this decision; 0 for steps run while thinking. */
  plannerMs: number;
  /** True for the steps the world ran on while the planner was thinking (realtime clock). */
  thinking: boolean;
}

export interface LoopOptions {
  clock: Clock;
  /** Control steps after which the environment must have truncated (a safety net). */
  maxSteps: number;
  /** Called right before every `env.step` (teaching mode applies a user's shove here). */
  beforeStep?(): void;
}

/** Marks an exception as the planner's, so the record says `planner_error`. */
export class PlannerFault extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${messageOf(cause)}`);
  }
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] || e.name;
  return String(e);
}

async function plannerCall<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isRunAbort(e)) throw e; // stops the run, not just this episode
    throw new PlannerFault(what, e);
  }
}

function checkAction(action: unknown, dim: number): Action {
  if (!Array.isArray(action) || action.length !== dim) {
    throw new Error(`act returned ${Array.isArray(action) ? `an action of length ${action.length}` : typeof action}, expected ${dim} numbers`);
  }
  const bad = action.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new Error(`act returned a non-finite value ${String(action[bad])} at index ${bad}`);
  return action as Action;
}

/**
 * Runs one episode of `planner` in `env`, which the caller has just reset (`first` is what reset
 * returned) and owns. Resets the planner, then yields every control step until the episode
 * terminates or is truncated. Returning early (a `break` in the consumer) just stops stepping.
 */
export async function* episodeLoop(env: Environment, planner: Planner, task: TaskSpec, seed: number, first: Observation, opts: LoopOptions): AsyncGenerator<LoopStep, void, undefined> {
  await plannerCall('reset', () => planner.reset(task, seed));
  let obs = first;
  let lastInfo: StepInfo | undefined;
  /** Events of every step since the last decision: under the realtime clock a planner hears of
   * the collisions that happened while it was thinking, not only those of the latest step. */
  let sinceDecision: SimEvent[] = [];
  let action: Action = new Array<number>(env.actionSpace.dim).fill(0);
  let steps = 0;

  const step = (stepAction: Action, decision: ActResult, plannerMs: number, thinking: boolean): LoopStep => {
    opts.beforeStep?.();
    const result = env.step(stepAction);
    steps++;
    obs = result.obs;
    lastInfo = result.info;
    sinceDecision.push(...result.info.events);
    if (!result.terminated && !result.truncated && steps > opts.maxSteps + 1) {
      throw new Error(`environment did not truncate after ${steps} steps (${opts.maxSteps} expected)`);
    }
    return { action: stepAction, decision, result, plannerMs, thinking };
  };
  const over = (s: LoopStep) => s.result.terminated || s.result.truncated;

  for (;;) {
    // Decide
    const t0 = performance.now();
    const last = lastInfo === undefined ? undefined : { ...lastInfo, events: sinceDecision };
    sinceDecision = [];
    const decision = await plannerCall('act', () => planner.act(obs, last));
    const ms = performance.now() - t0;
    const next = await plannerCall('act', () => checkAction(decision?.action, env.actionSpace.dim));

    // Realtime clock: the world runs on with the previous action while the planner thinks.
    if (opts.clock === 'realtime') {
      const thinkMs = typeof decision.thinkMs === 'number' && Number.isFinite(decision.thinkMs) ? decision.thinkMs : ms;
      const lag = Math.max(0, Math.round(thinkMs / 1000 / task.controlPeriod));
      const waiting: ActResult = { action, info: { thinking: true } };
      for (let k = 0; k < lag; k++) {
        const s = step(action, waiting, 0, true);
        yield s;
        if (over(s)) return;
      }
    }

    // Act
    action = next;
    const s = step(action, decision, ms, false);
    yield s;
    if (over(s)) return;
  }
}
