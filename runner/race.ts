/**
 * Race mode (`--race`, the default of `demo` and `run --live`): the planners of one scenario and
 * seed run at the same time, in lockstep of simulated time, so a viewer watches a real race and
 * sees a planner finish (or fail) the moment it does. Groups of the plan — one (scenario, seed)
 * with every planner — run one after another.
 *
 * Each planner still plays its own episode: its own environment, its own random streams, the
 * same `EpisodeRun` that `runEpisode` steps (`runner/episode.ts`). The race only decides who
 * steps when — round by round, every running episode one control step, in plan order — and paces
 * the group with one pacer, so simulated time advances together. Nothing an episode computes
 * depends on that order: its record and trajectory hash are bit-identical to its sequential run
 * (test/runner/race.test.ts checks it).
 *
 * The contract is `executeRun`'s: each record (and its recording, first) is written the moment
 * its episode ends, hooks fire per episode, `shouldStop` ends the run after the running race.
 */
import type { EpisodeRecord } from '../core/records.ts';
import type { RunDir } from '../core/runStore.ts';
import { EpisodeRun, pacer, type EpisodeOptions } from './episode.ts';
import { saveRecording, type ExecuteHooks, type PlannerHandle } from './executeRun.ts';
import type { EpisodeSpec, RunPlan } from './plan.ts';

/** The plan's episodes as races: consecutive runs of one (scenario, seed), in plan order. */
export function raceGroups(episodes: readonly EpisodeSpec[]): { spec: EpisodeSpec; index: number }[][] {
  const groups = new Map<string, { spec: EpisodeSpec; index: number }[]>();
  episodes.forEach((spec, index) => {
    const key = `${spec.scenario}\u0000${spec.seed}`;
    const group = groups.get(key) ?? [];
    group.push({ spec, index });
    groups.set(key, group);
  });
  return [...groups.values()];
}

/**
 * The longest a paced run of `episodes` can take, in wall seconds: every episode (in a race,
 * every race: its slowest planner) running to its scenario's time limit at `pace` × real time.
 * Episodes that end sooner shorten it; planners that compute slower than the pace stretch it.
 */
export function pacedSeconds(plan: RunPlan, episodes: readonly EpisodeSpec[], race: boolean, pace: number): number {
  if (pace <= 0) return 0;
  const limit = new Map(plan.scenarios.map((s) => [s.id, s.timeLimit]));
  const units = race ? raceGroups(episodes).map((g) => g[0].spec) : episodes;
  return units.reduce((sum, e) => sum + (limit.get(e.scenario) ?? 0), 0) / pace;
}

export async function executeRace(
  plan: RunPlan,
  episodes: readonly EpisodeSpec[],
  planners: ReadonlyMap<string, PlannerHandle>,
  options: EpisodeOptions,
  runDir: RunDir,
  hooks: ExecuteHooks = {},
): Promise<EpisodeRecord[]> {
  const scenarios = new Map(plan.scenarios.map((s) => [s.id, s]));
  const records: EpisodeRecord[] = [];
  for (const group of raceGroups(episodes)) {
    if (hooks.shouldStop?.()) break;
    const scenario = scenarios.get(group[0].spec.scenario);
    if (!scenario) throw new Error(`plan names scenario ${group[0].spec.scenario}, which was not resolved`);
    hooks.onRaceStart?.(group.map((g) => g.spec));
    const runs: { run: EpisodeRun; index: number }[] = [];
    const end = async ({ run, index }: { run: EpisodeRun; index: number }) => {
      const record = await saveRecording(runDir, await run.finish());
      runDir.appendEpisode(record);
      records.push(record);
      hooks.onEpisodeEnd?.(record, index);
    };
    try {
      // Start: every episode of the race is reset before the first step of any.
      for (const { spec, index } of group) {
        const handle = planners.get(spec.planner);
        if (!handle) throw new Error(`plan names planner ${spec.planner}, which was not resolved`);
        hooks.onEpisodeStart?.(spec, index);
        runs.push({ run: await EpisodeRun.start(spec, { ...options, scenario, planner: handle.planner, privileged: handle.privileged }), index });
      }
      for (const r of runs) if (r.run.done) await end(r);

      // Race: one control step of every running episode per round, one pacer for the group.
      const pace = pacer(options.pace, scenario.controlPeriod);
      for (let round = 1; runs.some((r) => !r.run.done); round++) {
        for (const r of runs) {
          if (r.run.done) continue;
          if (!(await r.run.advance())) await end(r);
        }
        if (runs.some((r) => !r.run.done)) await pace(round);
      }
    } catch (e) {
      // A RunAbort: free every world of the race, then stop the run.
      for (const { run } of runs) await run.close();
      throw e;
    }
  }
  return records;
}
