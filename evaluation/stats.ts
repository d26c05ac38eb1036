/**
 * Statistics for trustworthy planner comparisons, after rliable (Agarwal et al. 2021, "Deep RL
 * at the Edge of the Statistical Precipice"):
 *
 * - Interquartile mean (IQM): the 25% trimmed mean of all scores pooled over tasks × runs,
 *   trimming `floor(0.25 n)` from each end exactly as `scipy.stats.trim_mean` does. Robust to
 *   outliers, more efficient than the median.
 * - Stratified bootstrap confidence intervals: resample episodes with replacement *within* each
 *   task (scenario), so every resample keeps the task mix; percentile method. The RNG is a
 *   seeded `Rng` stream, so a report's intervals are reproducible.
 * - Probability of improvement P(X > Y): per task the Mann-Whitney U statistic divided by
 *   n·m (ties count one half), averaged over tasks.
 * - Paired head-to-head on identical (scenario, seed) episodes: McNemar's exact test on success,
 *   a paired, stratified bootstrap interval of a mean difference, and the paired permutation
 *   (sign-flip) test that decides significance: exact at small n, where the bootstrap's p-value
 *   is anti-conservative (three differences of −0.01..−0.03 give a bootstrap p of 0.0005 but a
 *   sign-flip p of 0.25, the smallest three pairs can ever give).
 * - Holm's step-down correction when several rows are decided at once, and the smallest number
 *   of pairs below which no test could reach the significance level (`minimumPairs`).
 * - Normalised scores against frozen anchors with the anchors' own uncertainty: the anchors are
 *   redrawn from their sampling distributions in every bootstrap replicate.
 *
 * Everything here is pure and deterministic: same data and same seed give the same numbers.
 */
import { Rng } from '../sim/rng.ts';

/** Two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Linear-interpolated quantile (q in [0, 1]) of values already sorted ascending. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * Interquartile mean: mean of the values left after cutting `floor(n / 4)` from each end of
 * the sorted list (scipy's `trim_mean(x, 0.25)`, which rliable uses). NaN for no values.
 */
export function iqm(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // Two selections instead of a sort: the bootstrap calls this thousands of times.
  const a = Float64Array.from(values as ArrayLike<number>);
  const cut = Math.floor(n * 0.25);
  select(a, cut, 0, n - 1);
  select(a, n - cut - 1, cut, n - 1);
  let s = 0;
  for (let i = cut; i < n - cut; i++) s += a[i];
  return s / (n - 2 * cut);
}

/**
 * Rearranges a[lo..hi] so that a[k] holds the value it would have if sorted, with nothing
 * larger before it and nothing smaller after it (Hoare's quickselect, median-of-three pivot).
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted and constant inputs linear.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** An estimate with its confidence interval. */
export interface Interval {
  point: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  /** Resamples; rliable uses 50,000 for papers, 2,000 is plenty for a 95% interval in a report. */
  reps?: number;
  /** Seed of the resampling stream: the same seed gives the same interval. */
  seed?: number;
  /** Coverage of the interval. */
  confidence?: number;
}

const DEFAULT_REPS = 2000;

function bootRng(opts: BootstrapOptions, concern: string): Rng {
  return Rng.stream('bootstrap', opts.seed ?? 0, concern);
}

/**
 * Stratified bootstrap of `statistic` over scores grouped by task: each resample draws, for
 * every task independently, as many scores as it has, with replacement, and pools them.
 * Returns the statistic on the data and the percentile interval of its resamples.
 */
export function stratifiedBootstrap(
  groups: readonly (readonly number[])[],
  statistic: (pooled: Float64Array) => number,
  opts: BootstrapOptions = {},
): Interval {
  const total = groups.reduce((s, g) => s + g.length, 0);
  const pooled = new Float64Array(total);
  let k = 0;
  for (const g of groups) for (const v of g) pooled[k++] = v;
  const point = statistic(pooled);
  if (total === 0) return { point, lo: Number.NaN, hi: Number.NaN };

  const reps = opts.reps ?? DEFAULT_REPS;
  const rng = bootRng(opts, 'stratified');
  const stats = new Float64Array(reps);
  const sample = new Float64Array(total);
  for (let r = 0; r < reps; r++) {
    let j = 0;
    for (const g of groups) for (let i = 0; i < g.length; i++) sample[j++] = g[rng.int(g.length)];
    stats[r] = statistic(sample);
  }
  return { point, ...percentileInterval(stats, opts.confidence ?? 0.95) };
}

function percentileInterval(stats: Float64Array, confidence: number): { lo: number; hi: number } {
  const finite = stats.filter(Number.isFinite).sort();
  const alpha = (1 - confidence) / 2;
  return { lo: quantileSorted(finite, alpha), hi: quantileSorted(finite, 1 - alpha) };
}

/**
 * P(X > Y) + ½ P(X = Y) for one task: the Mann-Whitney U statistic of X over Y divided by n·m.
 * 0.5 means neither is better; NaN when either side is empty.
 */
export function mannWhitneyProbability(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) return Number.NaN;
  // O((n + m) log m): for each a, count the b below it and equal to it by binary search.
  const sorted = Float64Array.from(y).sort();
  let u = 0;
  for (const a of x) {
    const below = lowerBound(sorted, a);
    const notAbove = upperBound(sorted, a);
    u += below + 0.5 * (notAbove - below);
  }
  return u / (x.length * y.length);
}

/** First index with sorted[i] >= v. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with sorted[i] > v. */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Probability of improvement of X over Y (rliable): the per-task Mann-Whitney probability,
 * averaged over the tasks both have scores on. `x[t]` and `y[t]` are the scores on task t.
 * The interval comes from a bootstrap stratified by task and by side.
 */
export function probabilityOfImprovement(x: readonly (readonly number[])[], y: readonly (readonly number[])[], opts: BootstrapOptions = {}): Interval {
  const tasks: RankedTask[] = [];
  for (let t = 0; t < Math.min(x.length, y.length); t++) if (x[t].length > 0 && y[t].length > 0) tasks.push(rankTask(x[t], y[t]));
  const point = mean(tasks.map((t) => mannWhitneyProbability(t.x, t.y)));
  if (tasks.length === 0) return { point, lo: Number.NaN, hi: Number.NaN };

  // Resampling works on ranks: a histogram of the resampled y ranks and its prefix sums give, for
  // any x, how many resampled y lie below and level with it — O(n + m) per task, no sorting.
  const reps = opts.reps ?? DEFAULT_REPS;
  const rng = bootRng(opts, 'poi');
  const stats = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    let sum = 0;
    for (const t of tasks) {
      const n = t.ra.length;
      const m = t.rb.length;
      t.counts.fill(0);
      for (let j = 0; j < m; j++) t.counts[t.rb[rng.int(m)]]++;
      let acc = 0;
      for (let k = 0; k < t.counts.length; k++) {
        t.below[k] = acc;
        acc += t.counts[k];
      }
      let u = 0;
      for (let i = 0; i < n; i++) {
        const k = t.ra[rng.int(n)];
        u += t.below[k] + 0.5 * t.counts[k];
      }
      sum += u / (n * m);
    }
    stats[r] = sum / tasks.length;
  }
  return { point, ...percentileInterval(stats, opts.confidence ?? 0.95) };
}

interface RankedTask {
  x: readonly number[];
  y: readonly number[];
  /** Rank of each value among the task's distinct values (ties share a rank). */
  ra: Int32Array;
  rb: Int32Array;
  /** Scratch: resampled y count per rank, and the count below each rank. */
  counts: Float64Array;
  below: Float64Array;
}

function rankTask(x: readonly number[], y: readonly number[]): RankedTask {
  const distinct = [...new Set([...x, ...y])].sort((a, b) => a - b);
  const rank = new Map(distinct.map((v, k) => [v, k]));
  return {
    x,
    y,
    ra: Int32Array.from(x, (v) => rank.get(v)!),
    rb: Int32Array.from(y, (v) => rank.get(v)!),
    counts: new Float64Array(distinct.length),
    below: new Float64Array(distinct.length),
  };
}

/** McNemar's test on paired successes. */
export interface McNemarResult {
  /** Pairs where A succeeded and B failed. */
  aOnly: number;
  /** Pairs where B succeeded and A failed. */
  bOnly: number;
  /** Pairs where both succeeded / both failed. */
  both: number;
  neither: number;
  /** Exact two-sided p-value: 2 · P(Binomial(b + c, ½) ≤ min(b, c)), capped at 1. */
  pValue: number;
}

/**
 * McNemar's exact test for paired binary outcomes (success of A and B on the same scenario and
 * seed). Only the discordant pairs carry information; with none the p-value is 1.
 */
export function mcnemarExact(pairs: readonly (readonly [boolean, boolean])[]): McNemarResult {
  let aOnly = 0;
  let bOnly = 0;
  let both = 0;
  let neither = 0;
  for (const [a, b] of pairs) {
    if (a && b) both++;
    else if (a) aOnly++;
    else if (b) bOnly++;
    else neither++;
  }
  const n = aOnly + bOnly;
  const k = Math.min(aOnly, bOnly);
  // Sum C(n, i) / 2^n for i ≤ k in log space, which stays exact enough for n in the thousands.
  let tail = 0;
  let logC = 0; // log C(n, 0)
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return { aOnly, bOnly, both, neither, pValue: n === 0 ? 1 : Math.min(1, 2 * tail) };
}

export interface PairedDifference extends Interval {
  /** Paired episodes. */
  n: number;
  /** Two-sided p-value of "mean difference = 0": the sign-flip test's (`pairedComparison`), or
   * the bootstrap's (`pairedBootstrap`: twice the smaller tail mass at 0). */
  pValue: number;
}

/**
 * Paired bootstrap of the mean of A − B over paired episodes, stratified by task: `diffs[t]` are
 * the per-seed differences on task t. The p-value is the percentile-bootstrap one (twice the
 * fraction of resampled means on the far side of 0), floored at 1/reps.
 */
export function pairedBootstrap(diffs: readonly (readonly number[])[], opts: BootstrapOptions = {}): PairedDifference {
  const groups = diffs.filter((g) => g.length > 0);
  const n = groups.reduce((s, g) => s + g.length, 0);
  const ci = stratifiedBootstrap(groups, mean, opts);
  if (n === 0) return { ...ci, n, pValue: 1 };
  if (groups.every((g) => g.every((d) => d === 0))) return { ...ci, n, pValue: 1 };
  // Re-run the resampling (same stream) to count sides; cheaper than keeping every resample.
  const reps = opts.reps ?? DEFAULT_REPS;
  const rng = bootRng(opts, 'stratified');
  let below = 0;
  let above = 0;
  for (let r = 0; r < reps; r++) {
    let s = 0;
    for (const g of groups) for (let i = 0; i < g.length; i++) s += g[rng.int(g.length)];
    const m = s / n;
    if (m <= 0) below++;
    if (m >= 0) above++;
  }
  const pValue = Math.min(1, Math.max(1 / reps, (2 * Math.min(below, above)) / reps));
  return { ...ci, n, pValue };
}

/**
 * Performance profile (rliable): for each threshold τ, the fraction of scores above τ, where each
 * task weighs the same (the per-task fractions are averaged), so a task with more episodes does
 * not dominate.
 */
export function performanceProfile(groups: readonly (readonly number[])[], taus: readonly number[]): number[] {
  const tasks = groups.filter((g) => g.length > 0);
  return taus.map((tau) => (tasks.length === 0 ? Number.NaN : mean(tasks.map((g) => g.filter((v) => v > tau).length / g.length))));
}

export interface SignFlipResult {
  /** Paired differences, and how many are not zero (zeros carry no sign). */
  n: number;
  nonZero: number;
  /** Two-sided p-value of "the differences are symmetric about 0" for the statistic |Σ d|. */
  pValue: number;
  /** True when every sign assignment was enumerated (nonZero ≤ EXACT_LIMIT). */
  exact: boolean;
}

/** Sign assignments are enumerated exactly up to this many non-zero differences (2^20 sums). */
export const EXACT_LIMIT = 20;

/**
 * Paired permutation test by sign flipping (Fisher's randomisation test for paired data): under
 * "no difference" each paired difference is as likely to have either sign, so the p-value is the
 * fraction of the 2^n sign assignments whose |sum| is at least the observed |sum|. Exact for up
 * to EXACT_LIMIT non-zero differences; beyond that `reps` random assignments from a seeded stream
 * give p = (1 + hits) / (1 + reps), never 0. On ±1 differences (success) it is McNemar's exact test.
 */
export function signFlipTest(diffs: readonly number[], opts: { reps?: number; seed?: number } = {}): SignFlipResult {
  const d = diffs.filter((x) => x !== 0 && Number.isFinite(x));
  const n = diffs.length;
  if (d.length === 0) return { n, nonZero: 0, pValue: 1, exact: true };
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  // Sums that differ by rounding only are the same sum.
  const scale = d.reduce((s, x) => s + Math.abs(x), 0);
  const limit = observed - 1e-12 * scale;
  if (d.length <= EXACT_LIMIT) {
    // Gray code: each next assignment flips one sign, so each sum costs one addition.
    const total = 2 ** d.length;
    let sum = d.reduce((s, x) => s + x, 0);
    const sign = new Int8Array(d.length).fill(1);
    let hits = Math.abs(sum) >= limit ? 1 : 0;
    for (let k = 1; k < total; k++) {
      const bit = 31 - Math.clz32(k & -k);
      sum -= 2 * sign[bit] * d[bit];
      sign[bit] = -sign[bit];
      if (Math.abs(sum) >= limit) hits++;
    }
    return { n, nonZero: d.length, pValue: Math.min(1, hits / total), exact: true };
  }
  const reps = opts.reps ?? 20000;
  const rng = Rng.stream('signflip', opts.seed ?? 0, 'paired');
  let hits = 0;
  for (let r = 0; r < reps; r++) {
    let sum = 0;
    for (const x of d) sum += rng.uniform(0, 1) < 0.5 ? -x : x;
    if (Math.abs(sum) >= limit) hits++;
  }
  return { n, nonZero: d.length, pValue: (1 + hits) / (1 + reps), exact: false };
}

/**
 * Holm's step-down adjustment (Holm 1979) of a family of p-values, in their original order:
 * the i-th smallest becomes max over j ≤ i of min(1, (m − j + 1) · p_(j)). Rejecting where the
 * adjusted p < alpha controls the family-wise error rate at alpha. NaN entries are left out of
 * the family and stay NaN.
 */
export function holm(pValues: readonly number[]): number[] {
  const idx = pValues.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const m = idx.length;
  const out = pValues.map(() => Number.NaN);
  let running = 0;
  idx.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Fewest non-zero paired differences at which a two-sided sign-flip (or McNemar) test can get
 * below `alpha` at all: its smallest p-value is 2 / 2^n. Below it a "no change" verdict would be
 * foregone, so comparisons say "not enough episodes to decide" instead (6 at alpha = 0.05).
 */
export function minimumPairs(alpha: number): number {
  // Decisions need p < alpha, so 2^(1 − n) < alpha.
  return Math.max(1, Math.floor(1 + Math.log2(1 / alpha) + 1e-12) + 1);
}

/** The random and oracle means that anchor a scenario's normalised score, with their spread. */
export interface AnchorMoments {
  random: { mean: number; sd: number; n: number };
  oracle: { mean: number; sd: number; n: number };
}

/**
 * Stratified bootstrap of `statistic` over per-episode normalised scores (return − random) /
 * (oracle − random), where the anchors' uncertainty is propagated: every replicate redraws each
 * task's random and oracle means from Normal(mean, sd² / n) besides resampling the episodes. The
 * point estimate uses the anchors' means. Replicates whose drawn span is not positive are
 * dropped (NaN).
 */
export function normalizedBootstrap(
  returns: readonly (readonly number[])[],
  anchors: readonly AnchorMoments[],
  statistic: (pooled: Float64Array) => number,
  opts: BootstrapOptions = {},
): Interval {
  const total = returns.reduce((s, g) => s + g.length, 0);
  const pooled = new Float64Array(total);
  let k = 0;
  returns.forEach((g, t) => {
    const a = anchors[t];
    for (const v of g) pooled[k++] = (v - a.random.mean) / (a.oracle.mean - a.random.mean);
  });
  const point = statistic(pooled);
  if (total === 0) return { point, lo: Number.NaN, hi: Number.NaN };
  const reps = opts.reps ?? DEFAULT_REPS;
  const rng = bootRng(opts, 'normalized');
  const stats = new Float64Array(reps);
  const sample = new Float64Array(total);
  for (let r = 0; r < reps; r++) {
    let j = 0;
    let ok = true;
    returns.forEach((g, t) => {
      const a = anchors[t];
      const lo = a.random.mean + rng.normal() * (a.random.sd / Math.sqrt(Math.max(1, a.random.n)));
      const hi = a.oracle.mean + rng.normal() * (a.oracle.sd / Math.sqrt(Math.max(1, a.oracle.n)));
      if (!(hi - lo > 0)) ok = false;
      for (let i = 0; i < g.length; i++) sample[j++] = (g[rng.int(g.length)] - lo) / (hi - lo);
    });
    stats[r] = ok ? statistic(sample) : Number.NaN;
  }
  return { point, ...percentileInterval(stats, opts.confidence ?? 0.95) };
}

/**
 * A paired difference as comparisons report it: the mean of A − B with its paired, stratified
 * bootstrap interval, and the two-sided p-value of the sign-flip test (exact at small n, so a
 * handful of pairs can never look significant).
 */
export function pairedComparison(diffs: readonly (readonly number[])[], opts: BootstrapOptions = {}): PairedDifference {
  const groups = diffs.filter((g) => g.length > 0);
  const ci = stratifiedBootstrap(groups, mean, opts);
  const flat = groups.flat();
  return { ...ci, n: flat.length, pValue: signFlipTest(flat, { seed: opts.seed }).pValue };
}
