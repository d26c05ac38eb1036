/**
 * Per scenario × planner summary of a run's episode records, success first: success rate with
 * its Wilson interval, mean efficiency (success × shortest time / time) with a bootstrap
 * interval, then the secondary shaped-return figures (mean return, normalised score against the
 * frozen anchors in `scenarios/anchors/`), and costs.
 *
 * `evaluation/stats.ts` builds the richer statistics (bootstrap, IQM, paired tests); this file
 * is the quick summary written next to every run.
 */
import type { FailureCategory } from '../planners/Planner.ts';
import type { EpisodeRecord, RunSummary, SummaryRow } from '../core/records.ts';
import { anchorFor, normalizeRow, shippedAnchors, type AnchorTable } from './anchors.ts';
import { mean as meanOf, stratifiedBootstrap } from './stats.ts';

/** Two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion (Wilson 1927). Unlike the normal
 * approximation it stays inside [0, 1] and behaves at 0 and n successes, which is where small
 * robot evaluations live. With no trials the interval is the whole [0, 1].
 */
export function wilson(successes: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Linear-interpolated percentile (q in [0, 1]) of unsorted values; 0 for an empty list. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Names of the baselines that anchor normalised scores (`planarena anchors update`). */
export const RANDOM_BASELINE = 'random';
export const ORACLE_BASELINE = 'oracle';

/** Bootstrap resamples and seed of the summary's efficiency intervals. */
const SUMMARY_BOOT = { reps: 2000, seed: 0 };

export interface SummaryOptions {
  /** Anchors of the normalised score (default: the shipped ones, `scenarios/anchors/`). */
  anchors?: AnchorTable;
  /** The run's resolved-scenario hashes (manifest `config.scenarioHashes`): an anchor made for
   * another version of a scenario is refused. */
  scenarioHashes?: Record<string, string>;
}

/** Mean and 95% bootstrap interval of a [0, 1] score, or nulls when any record lacks it. */
function meanWithInterval(values: readonly (number | undefined)[]): { mean: number | null; ci: [number, number] | null } {
  if (values.length === 0 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return { mean: null, ci: null };
  const xs = values as number[];
  const b = stratifiedBootstrap([xs], meanOf, SUMMARY_BOOT);
  return { mean: b.point, ci: [b.lo, b.hi] };
}

/**
 * One row per (scenario, planner) in order of first appearance in `records`.
 * - `plannerMsP50` is the median of the episodes' p50s; `plannerMsP95` the 95th percentile of
 *   their p95s (a slow tail in one episode shows up).
 * - `failures` counts episodes by `failure` (timeout, flipped, error, ...), successes omitted.
 */
export function summarize(records: readonly EpisodeRecord[], suite: string | null = null, createdAt = new Date().toISOString(), opts: SummaryOptions = {}): RunSummary {
  const groups = new Map<string, EpisodeRecord[]>();
  for (const r of records) {
    const key = `${r.scenario}\u0000${r.planner}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const anchors = opts.anchors ?? shippedAnchors();

  const rows: SummaryRow[] = [];
  for (const list of groups.values()) {
    const { scenario, planner } = list[0];
    const successes = list.filter((r) => r.success).length;
    const returns = list.map((r) => r.return);
    const failures: Record<string, number> = {};
    const failureCategories: Partial<Record<FailureCategory, number>> = {};
    for (const r of list) {
      if (r.failure !== null) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
      for (const [cat, n] of Object.entries(r.failureCategories) as [FailureCategory, number][]) {
        if (n) failureCategories[cat] = (failureCategories[cat] ?? 0) + n;
      }
    }
    const efficiency = meanWithInterval(list.map((r) => r.efficiency));
    const spl = meanWithInterval(list.map((r) => r.spl));
    const normalized = normalizeRow(returns, anchorFor(anchors, scenario, opts.scenarioHashes?.[scenario]));
    rows.push({
      scenario,
      planner,
      episodes: list.length,
      successes,
      successRate: successes / list.length,
      ci95: wilson(successes, list.length),
      efficiency: efficiency.mean,
      efficiencyCi95: efficiency.ci,
      spl: spl.mean,
      meanReturn: mean(returns),
      normalizedScore: normalized.value,
      normalizedCi95: normalized.ci95,
      normalizedNote: normalized.note,
      meanSteps: mean(list.map((r) => r.steps)),
      meanCollisions: mean(list.map((r) => r.collisions)),
      plannerMsP50: percentile(list.map((r) => r.plannerMsP50), 0.5),
      plannerMsP95: percentile(list.map((r) => r.plannerMsP95), 0.95),
      failures,
      failureCategories,
    });
  }
  return { createdAt, suite, rows };
}
