/**
 * Runs one episode for the planner tests through the runner's episode loop
 * (`runner/episodeLoop.ts`), with `task.oracle` (live snapshot, forked scratch env) for
 * privileged planners. Returns every action so determinism can be checked exactly.
 */
import { taskSpec, type TaskSpec } from '../../planners/Planner.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { episodeLoop } from '../../runner/episodeLoop.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Action, Environment } from '../../sim/types.ts';

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
    const task: TaskSpec = taskSpec(scenario, env.actionSpace, factory.privileged ? { snapshot: () => env.snapshot(), scratch: () => (scratch ??= env.fork()) } : undefined);
    const out: EpisodeOutcome = { success: false, steps: 0, return: 0, finalGoalDistance: reset.info.goalDistance, actions: [], infos: [], stats: {} };
    for await (const s of episodeLoop(env, planner, task, seed, reset.obs, { clock: 'turn', maxSteps: task.maxSteps })) {
      out.actions.push(s.action.slice());
      out.infos.push(s.decision.info);
      out.steps++;
      out.return += s.result.reward;
      out.finalGoalDistance = s.result.info.goalDistance;
      out.success = s.result.info.success;
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
