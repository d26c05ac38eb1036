/**
 * Reading run directories for the evaluation commands (report, compare, merge, ci): the
 * manifest and the episode records, one record per (scenario, planner, seed) — if a resumed or
 * merged run holds an episode twice, the last one written wins — in plan order.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { RunDir } from '../runner/runDir.ts';
import type { EpisodeRecord, RunManifest } from './types.ts';

export interface LoadedRun {
  dir: RunDir;
  manifest: RunManifest;
  records: EpisodeRecord[];
}

export function episodeKey(r: { scenario: string; planner: string; seed: number }): string {
  return `${r.scenario}\u0000${r.planner}\u0000${r.seed}`;
}

/** Keeps the last record of every (scenario, planner, seed), in first-appearance order. */
export function dedupeRecords(records: readonly EpisodeRecord[]): EpisodeRecord[] {
  const byKey = new Map<string, EpisodeRecord>();
  for (const r of records) byKey.set(episodeKey(r), r);
  return [...byKey.values()];
}

/** Opens `path` as a run directory; a `manifest.json` path is accepted for its folder. */
export function loadRun(path: string, flag = 'DIR'): LoadedRun {
  const folder = existsSync(path) && statSync(path).isFile() && path.endsWith('manifest.json') ? join(path, '..') : path;
  if (!existsSync(folder)) throw new UserError('E_RUN_DIR', `${flag} ${path} does not exist. Pass a run directory written by \`planarena run\`.`);
  const dir = RunDir.open(folder);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(dir.manifestPath, 'utf8')) as RunManifest;
  } catch (e) {
    throw new UserError('E_RUN_DIR', `${dir.display(dir.manifestPath)}: not valid JSON (${(e as Error).message}).`);
  }
  if (!manifest || typeof manifest !== 'object' || !manifest.config) {
    throw new UserError('E_RUN_DIR', `${dir.display(dir.manifestPath)}: missing "config"; is this a planarena run manifest?`);
  }
  return { dir, manifest, records: planOrder(dedupeRecords(dir.readEpisodes()), manifest.config) };
}

/**
 * Records in plan order (scenario, seed, planner, as in `runner/plan.ts`): parallel runs append in
 * completion order, and reports must not depend on which worker finished first. Records outside
 * the configuration keep their relative order, after the rest.
 */
export function planOrder(records: readonly EpisodeRecord[], config: Pick<RunManifest['config'], 'scenarios' | 'seeds' | 'planners'>): EpisodeRecord[] {
  const rank = (list: readonly (string | number)[], v: string | number) => {
    const i = list.indexOf(v);
    return i < 0 ? list.length : i;
  };
  return records
    .map((r, i) => ({ r, key: [rank(config.scenarios, r.scenario), rank(config.seeds, r.seed), rank(config.planners, r.planner), i] }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3])
    .map((x) => x.r);
}
