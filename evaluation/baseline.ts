/**
 * CI baselines: `results/baselines/<suite>.json`, committed, written by `planarena baseline
 * update` and checked by `planarena ci`.
 *
 * A baseline holds the run configuration to repeat (scenarios, planners, seeds, physics, clock,
 * planner settings), which planners are deterministic, and per episode the outcome and the
 * trajectory hash. Wall-clock fields are left out on purpose: they change on every machine and
 * would make every baseline update a noisy diff.
 *
 * The check: a deterministic planner (its factory says `deterministic: true`) must reproduce
 * every trajectory hash exactly; a stochastic one must not regress significantly (McNemar on
 * success, the paired sign-flip test on efficiency, Holm-corrected across the stochastic rows;
 * `evaluation/compare.ts`), and with too few seeds to decide it passes saying so. A missing
 * episode fails too.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { compareRecords, type CompareOptions, type RowComparison } from './compare.ts';
import type { EpisodeRecord, RunManifest } from '../core/records.ts';
import type { RunConfig } from '../core/runConfig.ts';

export const BASELINE_FORMAT = 'planarena-baseline/1';

const BaselineEpisode = z.object({
  scenario: z.string(),
  planner: z.string(),
  seed: z.number().int(),
  success: z.boolean(),
  failure: z.string().nullable(),
  steps: z.number(),
  return: z.number(),
  /** Absent in baselines written before efficiency existed. */
  efficiency: z.number().optional(),
  trajectoryHash: z.string(),
});
export type BaselineEpisode = z.infer<typeof BaselineEpisode>;

export const BaselineFile = z.object({
  format: z.literal(BASELINE_FORMAT),
  suite: z.string().nullable(),
  createdAt: z.string(),
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  /** The run configuration to repeat (`core/runConfig.ts`); `lidar` and `record` were added
   * later and default to what older baselines ran with. */
  config: z.object({
    scenarios: z.array(z.string()).min(1),
    planners: z.array(z.string()).min(1),
    seeds: z.array(z.number().int().nonnegative()).min(1),
    physics: z.enum(['deterministic', 'fast']),
    lidar: z.enum(['analytic', 'rapier']).optional(),
    observation: z.enum(['state', 'sensor']).optional(),
    clock: z.enum(['turn', 'realtime']),
    record: z.boolean().optional(),
    plannerConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  /** SHA-256 of each resolved scenario when the baseline was written (see the run manifest). */
  scenarioHashes: z.record(z.string(), z.string()).optional(),
  /** SHA-256 of the planners' other inputs (checkpoints, prompts; see the run manifest). */
  inputHashes: z.record(z.string(), z.string()).optional(),
  /** Planner name → its factory's `deterministic` flag when the baseline was written. */
  deterministic: z.record(z.string(), z.boolean()),
  episodes: z.array(BaselineEpisode),
});
export type Baseline = z.infer<typeof BaselineFile>;

/** Builds a baseline from a finished run. */
export function baselineFromRun(manifest: RunManifest, records: readonly EpisodeRecord[], deterministic: Record<string, boolean>): Baseline {
  const c = manifest.config;
  return {
    format: BASELINE_FORMAT,
    suite: c.suite,
    createdAt: manifest.createdAt,
    git: manifest.git,
    config: { scenarios: c.scenarios, planners: c.planners, seeds: c.seeds, physics: c.physics, ...(c.lidar !== 'analytic' ? { lidar: c.lidar } : {}), ...(c.observation !== 'state' ? { observation: c.observation } : {}), clock: c.clock, plannerConfig: c.plannerConfig },
    ...(c.scenarioHashes ? { scenarioHashes: c.scenarioHashes } : {}),
    ...(Object.keys(c.inputHashes).length > 0 ? { inputHashes: c.inputHashes } : {}),
    deterministic,
    episodes: records.map((r) => ({
      scenario: r.scenario,
      planner: r.planner,
      seed: r.seed,
      success: r.success,
      failure: r.failure,
      steps: r.steps,
      return: r.return,
      ...(typeof r.efficiency === 'number' ? { efficiency: r.efficiency } : {}),
      trajectoryHash: r.trajectoryHash,
    })),
  };
}

/** The run configuration a baseline repeats. */
export function baselineRunConfig(b: Baseline): RunConfig {
  const c = b.config;
  return {
    suite: b.suite,
    scenarios: [...c.scenarios],
    planners: [...c.planners],
    seeds: [...c.seeds],
    physics: c.physics,
    lidar: c.lidar ?? 'analytic',
    observation: c.observation ?? 'state',
    record: c.record ?? false,
    clock: c.clock,
    plannerConfig: { ...c.plannerConfig },
    scenarioHashes: { ...(b.scenarioHashes ?? {}) },
    inputHashes: { ...(b.inputHashes ?? {}) },
  };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError('E_BASELINE', `--baseline ${path}: file not found. Write one with \`planarena baseline update --suite S --out ${path}\`.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError('E_BASELINE', `--baseline ${path}: not valid JSON (${(e as Error).message}).`);
  }
  const parsed = BaselineFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new UserError('E_BASELINE', `--baseline ${path}: ${where}: ${issue.message}. Regenerate it with \`planarena baseline update\`.`);
  }
  return parsed.data;
}

export type CiStatus = 'pass' | 'fail';

export interface CiCase {
  scenario: string;
  planner: string;
  deterministic: boolean;
  status: CiStatus;
  /** Why it failed: trajectories moved for a deterministic planner, a significant regression,
   * missing episodes, or episodes that now crash (planner_error / error) and did not before. */
  reason: 'hash_mismatch' | 'regression' | 'missing' | 'error' | null;
  comparison: RowComparison;
  /** Wall seconds of the row's episodes in the fresh run. */
  seconds: number;
  message: string;
}

/** Checks fresh records against the baseline, one case per scenario × planner of the baseline. */
export function checkAgainstBaseline(baseline: Baseline, records: readonly EpisodeRecord[], opts: CompareOptions & { scenarioHashes?: Record<string, string> } = {}): CiCase[] {
  // Deterministic planners are judged by their hashes: only stochastic rows form the Holm family.
  const rows = compareRecords(baseline.episodes, records, { ...opts, tested: (_s, planner) => baseline.deterministic[planner] !== true }).filter((r) => r.verdict !== 'new');
  return rows.map((row) => {
    const deterministic = baseline.deterministic[row.planner] === true;
    const seconds = records.filter((r) => r.scenario === row.scenario && r.planner === row.planner).reduce((s, r) => s + r.wallSeconds, 0);
    let reason: CiCase['reason'] = null;
    let message: string;
    const crashed = newCrashes(baseline, records, row.scenario, row.planner);
    if (row.verdict === 'missing') {
      reason = 'missing';
      message = `missing episodes: ${row.detail}`;
    } else if (crashed.length > 0) {
      reason = 'error';
      message = `${crashed.length} episode(s) now end in an error (seed ${crashed[0].seed}: ${crashed[0].error ?? crashed[0].failure})`;
    } else if (deterministic && row.hashChanges > 0) {
      reason = 'hash_mismatch';
      const edited = baseline.scenarioHashes && opts.scenarioHashes && baseline.scenarioHashes[row.scenario] !== opts.scenarioHashes[row.scenario];
      message = `deterministic planner: ${row.hashChanges} of ${row.paired} trajectory hashes differ from the baseline${edited ? ' — the scenario definition changed since the baseline' : ''} (${row.detail})`;
    } else if (row.verdict === 'regressed') {
      reason = 'regression';
      message = `significant regression: ${row.detail}`;
    } else if (row.verdict === 'undecided') {
      message = `${row.detail}; passes (nothing can be concluded either way)`;
    } else {
      message = deterministic ? `all ${row.paired} trajectory hashes reproduced` : `no significant regression (${row.detail})`;
    }
    return { scenario: row.scenario, planner: row.planner, deterministic, status: reason ? 'fail' : 'pass', reason, comparison: row, seconds, message };
  });
}

const CRASH = new Set(['error', 'planner_error']);

/** Fresh episodes of a row that crashed where the baseline's same seed did not. */
function newCrashes(baseline: Baseline, records: readonly EpisodeRecord[], scenario: string, planner: string): EpisodeRecord[] {
  const before = new Map(baseline.episodes.filter((e) => e.scenario === scenario && e.planner === planner).map((e) => [e.seed, e]));
  return records.filter((r) => r.scenario === scenario && r.planner === planner && r.failure !== null && CRASH.has(r.failure) && !CRASH.has(before.get(r.seed)?.failure ?? ''));
}
