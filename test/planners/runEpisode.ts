/**
 * A small local episode loop for the planner tests: createEnv → reset → act/step until the
 * episode ends, with `task.oracle` (live snapshot, forked scratch env) for privileged planners.
 * Returns every action so determinism can be checked exactly.
 */
import { taskSpec, type TaskSpec } from '../../planners/Planner.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Action, Environment, StepInfo } from '../../sim/types.ts';

export interface EpisodeOutcome {
  success: boolean;
  steps: number;
  return: number;
  finalGoalDistance: number;
  actions: Action[];
  infos: Record<string, unknown>[];
  stats: Record<string, number>;
}

export async function runEpisode(scenarioId: string, plannerName: string, seed: number, config: Record<string, unknown> = {}): Promise<EpisodeOutcome> {
  const scenario = loadScenario(scenarioId);
  const factory = await getPlannerFactory(plannerName);
  const planner = await factory.create({ config });
  const env = await createEnv(scenario);
  let scratch: Environment | null = null;
  try {
    const reset = env.reset({ seed });
    let obs = reset.obs;
    let last: StepInfo = reset.info;
    const task: TaskSpec = taskSpec(scenario, env.actionSpace, factory.privileged ? { snapshot: () => env.snapshot(), scratch: () => (scratch ??= env.fork()) } : undefined);
    await planner.reset(task, seed);
    const out: EpisodeOutcome = { success: false, steps: 0, return: 0, finalGoalDistance: reset.info.goalDistance, actions: [], infos: [], stats: {} };
    for (let i = 0; i < task.maxSteps; i++) {
      const d = await planner.act(obs, i > 0 ? last : undefined);
      out.actions.push(d.action.slice());
      out.infos.push(d.info);
      const r = env.step(d.action);
      out.steps++;
      out.return += r.reward;
      out.finalGoalDistance = r.info.goalDistance;
      obs = r.obs;
      last = r.info;
      if (r.terminated || r.truncated) {
        out.success = r.info.success;
        break;
      }
    }
    out.stats = planner.episodeStats?.() ?? {};
    return out;
  } finally {
    (scratch as Environment | null)?.dispose();
    env.dispose();
    await planner.dispose();
  }
}

/** Success count of a planner over seeds 0..n-1. */
export async function successes(scenarioId: string, plannerName: string, seeds: number, config: Record<string, unknown> = {}): Promise<number> {
  let n = 0;
  for (let s = 0; s < seeds; s++) if ((await runEpisode(scenarioId, plannerName, s, config)).success) n++;
  return n;
}
