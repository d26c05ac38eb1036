/**
 * Per scenario × planner summary of a run's episode records: success rate with its Wilson
 * interval, mean return, normalised score against the random and oracle baselines, and costs.
 *
 * The evaluation helper's `evaluation/stats.ts` builds the richer statistics (bootstrap, IQM,
 * paired tests); this file is the quick, dependency-free summary written next to every run.
 */
import type { EpisodeRecord, FailureCategory, RunSummary, SummaryRow } from './records.ts';

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

/**
 * (score − random) / (oracle − random): 0 is the random baseline, 1 the oracle. Null when the
 * two baselines score the same (nothing to normalise by) or either is missing.
 */
export function normalizedScore(score: number, random: number | undefined, oracle: number | undefined): number | null {
  if (random === undefined || oracle === undefined) return null;
  const span = oracle - random;
  if (!Number.isFinite(span) || Math.abs(span) < 1e-9) return null;
  return (score - random) / span;
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

/** Names of the baselines that anchor normalised scores. */
export const RANDOM_BASELINE = 'random';
export const ORACLE_BASELINE = 'oracle';

/**
 * One row per (scenario, planner) in order of first appearance in `records`.
 * - `plannerMsP50` is the median of the episodes' p50s; `plannerMsP95` the 95th percentile of
 *   their p95s (a slow tail in one episode shows up).
 * - `failures` counts episodes by `failure` (timeout, flipped, error, ...), successes omitted.
 */
export function summarize(records: readonly EpisodeRecord[], suite: string | null = null, createdAt = new Date().toISOString()): RunSummary {
  const groups = new Map<string, EpisodeRecord[]>();
  for (const r of records) {
    const key = `${r.scenario}\u0000${r.planner}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }

  // Baseline returns per scenario, for the normalised score.
  const baseline = (planner: string, scenario: string): number | undefined => {
    const list = groups.get(`${scenario}\u0000${planner}`);
    return list ? mean(list.map((r) => r.return)) : undefined;
  };

  const rows: SummaryRow[] = [];
  for (const list of groups.values()) {
    const { scenario, planner } = list[0];
    const successes = list.filter((r) => r.success).length;
    const meanReturn = mean(list.map((r) => r.return));
    const failures: Record<string, number> = {};
    const failureCategories: Partial<Record<FailureCategory, number>> = {};
    for (const r of list) {
      if (r.failure !== null) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
      for (const [cat, n] of Object.entries(r.failureCategories) as [FailureCategory, number][]) {
        if (n) failureCategories[cat] = (failureCategories[cat] ?? 0) + n;
      }
    }
    rows.push({
      scenario,
      planner,
      episodes: list.length,
      successes,
      successRate: successes / list.length,
      ci95: wilson(successes, list.length),
      meanReturn,
      normalizedScore: normalizedScore(meanReturn, baseline(RANDOM_BASELINE, scenario), baseline(ORACLE_BASELINE, scenario)),
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
