/**
 * Test support: real episodes in real Rapier, driven through an episode observer the way the
 * runner drives it (start, then beforeStep / step / onStep per control step, then end), with a
 * trivial action loop so tests control exactly how many steps run.
 */
import { taskSpec, type TaskSpec } from '../../planners/Planner.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { EpisodeObserver } from '../../runner/types.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Action, Environment } from '../../sim/types.ts';

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
    o.onEnv?.(env);
    observer.onEpisodeStart?.(key, env.staticScene(), frames[0], task, env);
    const steps = o.steps ?? 20;
    let ret = 0;
    let last = reset.info;
    let n = 0;
    for (let i = 0; i < steps; i++) {
      observer.beforeStep?.(key, env);
      const action = o.action ? o.action(i, env.actionSpace.dim) : Array.from({ length: env.actionSpace.dim }, (_, k) => (k === 0 ? 0.8 : 0.6));
      const result = env.step(action);
      const transforms = env.transforms();
      frames.push(transforms);
      ret += result.reward;
      last = result.info;
      n++;
      for (const e of result.info.events) events.push(e.type);
      observer.onStep?.(key, { action, decision: { action, info: o.info?.(i) ?? {} }, result, transforms, plannerMs: 0.1 });
      await o.between?.(i);
      if (result.terminated || result.truncated) break;
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
    return { frames, events, record };
  } finally {
    env.dispose();
  }
}
