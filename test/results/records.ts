/** Hand-made episode records and run directories for the evaluation tests. */
import { RunDir } from '../../core/runStore.ts';
import { buildManifest } from '../../core/manifest.ts';
import type { EpisodeRecord, RunManifest } from '../../core/records.ts';

export function record(scenario: string, planner: string, seed: number, over: Partial<EpisodeRecord> = {}): EpisodeRecord {
  return {
    scenario,
    seed,
    planner,
    success: false,
    failure: 'timeout',
    steps: 100,
    simTime: 10,
    return: 0,
    pathLength: 1,
    collisions: 0,
    finalGoalDistance: 1,
    plannerMsP50: 1,
    plannerMsP95: 2,
    trajectoryHash: `${scenario}-${planner}-${seed}`,
    failureCategories: {},
    plannerStats: {},
    wallSeconds: 0.5,
    ...over,
  };
}

export function config(over: Partial<RunManifest['config']> = {}): RunManifest['config'] {
  return { suite: 'fixture', scenarios: ['a', 'b'], planners: ['random', 'oracle'], seeds: [0, 1, 2], physics: 'deterministic', lidar: 'analytic', observation: 'state', record: false, clock: 'turn', plannerConfig: {}, scenarioHashes: {}, inputHashes: {}, ...over };
}

/** Writes a run directory with the given records. */
export function writeRun(path: string, records: readonly EpisodeRecord[], cfg = config()): RunDir {
  const dir = RunDir.create(path, { force: true });
  dir.writeManifest(buildManifest(cfg, ['test']));
  for (const r of records) dir.appendEpisode(r);
  return dir;
}
