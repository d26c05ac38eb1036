/**
 * Test support: real episodes in real Rapier, through the runner's episode loop and an episode
 * observer the way the runner drives it (start, then beforeStep / step / onStep per control step,
 * then end), with a trivial planner so tests control exactly how many steps run.
 */
import { taskSpec, type Planner, type TaskSpec } from '../../planners/Planner.ts';
import { episodeLoop } from '../../runner/episodeLoop.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { EpisodeObserver } from '../../runner/types.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Action, Environment, SimEvent } from '../../sim/types.ts';

export interface DriveOptions {
  scenario?: string;
  planner?: string;
  seed?: number;
  steps?: number;
  /** Action at step i (default: drive forward, curving gently). */
  action?: (i: number, dim: number) => Action;
  /** Planner info at step i (default: none). */
  info?: (i: number) => Record<string, unknown>;
  /** Awaited after each step, e.g. to let sockets flush. */
  between?: (i: number) => Promise<void> | void;
  /** Called with the environment before the loop. */
  onEnv?: (env: Environment) => void;
}

export interface Driven {
  /** Every frame of transforms, frame 0 = reset. */
  frames: Float32Array[];
  events: string[];
  /** Every simulator event, with its time. */
  eventLog: SimEvent[];
  record: EpisodeRecord;
}

export async function driveEpisode(observer: EpisodeObserver, o: DriveOptions = {}): Promise<Driven> {
  const scenario = loadScenario(o.scenario ?? 'open-field');
  const env = await createEnv(scenario, { physics: 'deterministic' });
  try {
    const key = { scenario: scenario.id, planner: o.planner ?? 'test', seed: o.seed ?? 1 };
    const reset = env.reset({ seed: key.seed });
    const task: TaskSpec = taskSpec(scenario, env.actionSpace);
    const frames = [env.transforms()];
    const events: string[] = [];
    const eventLog: SimEvent[] = [];
    o.onEnv?.(env);
    observer.onEpisodeStart?.(key, env.staticScene(), frames[0], task, env, scenario);
    const steps = o.steps ?? 20;
    let ret = 0;
    let last = reset.info;
    let n = 0;
    const planner: Planner = {
      name: key.planner,
      reset: async () => {},
      act: async () => {
        const action = o.action ? o.action(n, env.actionSpace.dim) : Array.from({ length: env.actionSpace.dim }, (_, k) => (k === 0 ? 0.8 : 0.6));
        return { action, info: o.info?.(n) ?? {} };
      },
      dispose: () => {},
    };
    for await (const s of episodeLoop(env, planner, task, key.seed, reset.obs, { clock: 'turn', maxSteps: task.maxSteps, beforeStep: () => observer.beforeStep?.(key, env) })) {
      const transforms = env.transforms();
      frames.push(transforms);
      ret += s.result.reward;
      last = s.result.info;
      for (const e of s.result.info.events) {
        events.push(e.type);
        eventLog.push(e);
      }
      observer.onStep?.(key, { action: s.action, decision: s.decision, result: s.result, transforms, plannerMs: 0.1 });
      await o.between?.(n);
      n++;
      if (n >= steps) break;
    }
    const record: EpisodeRecord = {
      ...key,
      success: last.success,
      failure: last.success ? null : (last.failure ?? 'timeout'),
      steps: n,
      simTime: last.t,
      return: ret,
      pathLength: 0,
      collisions: events.filter((e) => e === 'collision').length,
      finalGoalDistance: last.goalDistance,
      plannerMsP50: 0.1,
      plannerMsP95: 0.1,
      trajectoryHash: '',
      failureCategories: {},
      plannerStats: {},
      wallSeconds: 0,
    };
    observer.onEpisodeEnd?.(key, record);
    return { frames, events, eventLog, record };
  } finally {
    env.dispose();
  }
}
