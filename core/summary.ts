/**
 * Per scenario × planner summary of a run's episode records, success first: success rate with
 * its Wilson interval, mean efficiency (success × shortest time / time) with a bootstrap
 * interval, then the secondary shaped-return figures (mean return, normalised score against
 * frozen anchors, `core/anchors.ts`), and costs.
 *
 * Pure (no files, no Node APIs): the runner writes it next to every run and the viewer computes
 * it in the browser for runs still going. `evaluation/stats.ts` builds the richer statistics
 * (stratified bootstrap, IQM, paired tests) for reports.
 */
import { anchorFor, normalizeRow, type AnchorTable } from './anchors.ts';
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

/** Resamples of the efficiency interval. */
const BOOT_REPS = 2000;

/**
 * Mean and 95% percentile-bootstrap interval of a [0, 1] score, or nulls when any record lacks
 * it. The resampling stream is a fixed-seed mulberry32, so a summary is reproducible.
 */
export function meanInterval(values: readonly (number | undefined)[]): { mean: number | null; ci: [number, number] | null } {
  if (values.length === 0 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return { mean: null, ci: null };
  const xs = values as number[];
  const n = xs.length;
  let state = 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const means = new Float64Array(BOOT_REPS);
  for (let r = 0; r < BOOT_REPS; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(next() * n)];
    means[r] = s / n;
  }
  means.sort();
  const at = (q: number) => {
    const pos = (BOOT_REPS - 1) * q;
    const lo = Math.floor(pos);
    return means[lo] + (means[Math.ceil(pos)] - means[lo]) * (pos - lo);
  };
  return { mean: mean(xs), ci: [at(0.025), at(0.975)] };
}

export interface SummaryOptions {
  /** Frozen anchors of the normalised score (`shippedAnchors()` in `scenarios/anchors.ts`);
   * without them every normalised score is refused, saying so. */
  anchors?: AnchorTable;
  /** The run's resolved-scenario hashes (manifest `config.scenarioHashes`): an anchor made for
   * another version of a scenario is refused. */
  scenarioHashes?: Record<string, string>;
}

/** Why every normalised score is null when no anchors were given (the viewer's provisional rows). */
const NO_ANCHORS_NOTE = 'no anchors loaded (the summary.json written at the end of a run has them)';

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
  const anchors = opts.anchors;

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
    const efficiency = meanInterval(list.map((r) => r.efficiency));
    const normalized = anchors ? normalizeRow(returns, anchorFor(anchors, scenario, opts.scenarioHashes?.[scenario])) : { value: null, ci95: null, note: NO_ANCHORS_NOTE };
    rows.push({
      scenario,
      planner,
      episodes: list.length,
      successes,
      successRate: successes / list.length,
      ci95: wilson(successes, list.length),
      efficiency: efficiency.mean,
      efficiencyCi95: efficiency.ci,
      spl: meanInterval(list.map((r) => r.spl)).mean,
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
