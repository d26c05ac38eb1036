/**
 * Joining run directories — the shards of one run (`--shard K/N`), or a run and its resumed
 * parts — into one run directory with one record per episode, in plan order, and its summary.
 *
 * Shards must come from the same run configuration (scenarios, planners, seeds, physics, lidar, clock,
 * planner settings); anything else is refused, naming the field that differs.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';
import { RunDir } from '../core/runStore.ts';
import { episodeKey, type LoadedRun } from '../core/runStore.ts';
import { summarize } from '../core/summary.ts';
import { shippedAnchors } from '../scenarios/anchors.ts';
import type { EpisodeRecord, RunManifest } from '../core/records.ts';

/** Config fields that must agree between shards (the shard index itself may differ);
 * `scenarioHashes` catches a scenario file edited between two shards' jobs. */
const SAME = ['suite', 'scenarios', 'planners', 'seeds', 'physics', 'lidar', 'observation', 'clock', 'record', 'plannerConfig'] as const;
/** Inputs that must agree too, unless `allowDrift`: the scenario files and planner artefacts. */
const INPUTS = ['scenarioHashes', 'inputHashes'] as const;

export interface MergeResult {
  runDir: RunDir;
  records: EpisodeRecord[];
  /** Planned episodes no shard has. */
  missing: { scenario: string; planner: string; seed: number }[];
  /** Episodes present in several inputs with different trajectory hashes (the last input wins). */
  conflicts: string[];
  /** Inputs that differed between the shards (only with `allowDrift`). */
  drift: string[];
}

/** Episodes of a configuration in plan order: scenario, then seed, then planner (runner/plan.ts). */
export function plannedEpisodes(config: RunManifest['config']): { scenario: string; planner: string; seed: number }[] {
  return config.scenarios.flatMap((scenario) => config.seeds.flatMap((seed) => config.planners.map((planner) => ({ scenario, planner, seed }))));
}

/**
 * Refuses shards of different configurations, naming the field. Scenario files and planner
 * inputs that changed between shards' jobs are refused too unless `allowDrift`; the drift is then
 * returned, one phrase per difference, for the caller to report.
 */
export function checkSameConfig(runs: readonly LoadedRun[], names: readonly string[], allowDrift = false): string[] {
  const first = runs[0].config;
  const drift: string[] = [];
  runs.forEach((run, i) => {
    for (const field of [...SAME, ...INPUTS]) {
      if (JSON.stringify(run.config[field]) === JSON.stringify(first[field])) continue;
      const what = `${names[i]}: manifest config.${field} differs from ${names[0]} (${JSON.stringify(run.config[field])} vs ${JSON.stringify(first[field])})`;
      if (allowDrift && (INPUTS as readonly string[]).includes(field)) drift.push(what);
      else throw new UserError('E_MERGE_MISMATCH', `${what}. Merge only shards of one run${(INPUTS as readonly string[]).includes(field) ? ' (or pass --allow-drift to merge them knowingly)' : ''}.`);
    }
  });
  return drift;
}

export function mergeRuns(runs: readonly LoadedRun[], names: readonly string[], out: string, opts: { force?: boolean; command: string[]; allowDrift?: boolean }): MergeResult {
  if (runs.length === 0) throw new UserError('E_BAD_FLAG', 'merge needs at least one run directory.');
  const drift = checkSameConfig(runs, names, opts.allowDrift);
  const config = { ...runs[0].config };
  delete (config as { shard?: unknown }).shard;

  const byKey = new Map<string, EpisodeRecord>();
  const conflicts: string[] = [];
  for (const run of runs) {
    for (const r of run.records) {
      const key = episodeKey(r);
      const prev = byKey.get(key);
      if (prev && prev.trajectoryHash !== r.trajectoryHash) conflicts.push(`${r.scenario}/${r.planner}/seed ${r.seed}`);
      byKey.set(key, r);
    }
  }
  const planned = plannedEpisodes(config);
  const records = planned.flatMap((e) => byKey.get(episodeKey(e)) ?? []);
  const missing = planned.filter((e) => !byKey.has(episodeKey(e)));
  // Episodes outside the plan (should not happen for shards of one run) are kept, at the end.
  const plannedKeys = new Set(planned.map(episodeKey));
  for (const [key, r] of byKey) if (!plannedKeys.has(key)) records.push(r);

  const runDir = RunDir.create(out, { force: opts.force });
  const manifest: RunManifest = { ...runs[0].manifest, createdAt: new Date().toISOString(), command: opts.command, config };
  runDir.writeManifest(manifest);
  for (const run of runs) {
    const rec = join(run.dir.path, 'recordings');
    if (existsSync(rec)) cpSync(rec, join(runDir.path, 'recordings'), { recursive: true });
  }
  for (const r of records) runDir.appendEpisode(r);
  runDir.writeSummary(summarize(records, config.suite, undefined, { anchors: shippedAnchors(), scenarioHashes: config.scenarioHashes }));
  return { runDir, records, missing, conflicts, drift };
}
