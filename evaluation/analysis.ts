/**
 * From a run's episode records to everything a report shows: per scenario × planner rows
 * (`summary.ts`), per planner aggregates (success with Wilson interval first, then the
 * per-episode score's IQM and mean with stratified bootstrap intervals, the secondary normalised
 * return, latency, planner counters such as tokens and cost, failure breakdown), the probability
 * of improvement between every two planners, and paired head-to-head tests on the
 * (scenario, seed) episodes both planners ran.
 *
 * Per-episode score: `efficiency` (success × shortest time / time, in [0, 1]) when every record
 * has it, else success (0/1). `scoreKind` says which, and the report prints it. The normalised
 * return ((return − random) / (oracle − random) against the frozen anchors of
 * `scenarios/anchors/`, their uncertainty propagated, clipped to [0, 1]) is secondary and
 * refused, with the reason, unless every scenario of the run has a usable anchor.
 */
import type { FailureCategory } from '../planners/Planner.ts';
import { anchorFor, type AnchorTable } from '../core/anchors.ts';
import { summarize, wilson } from '../core/summary.ts';
import { shippedAnchors } from '../scenarios/anchors.ts';
import { iqm, mcnemarExact, mean, normalizedBootstrap, pairedComparison, performanceProfile, probabilityOfImprovement, quantile, stratifiedBootstrap, type AnchorMoments, type BootstrapOptions, type Interval, type McNemarResult, type PairedDifference } from './stats.ts';
import type { EpisodeRecord, SummaryRow } from '../core/records.ts';
import { generalisation, type Generalisation } from './generalisation.ts';
import { parseLevelId } from '../scenarios/generator/levelId.ts';

/**
 * The stratum a scenario's episodes are resampled in: the scenario itself, or for a generated
 * level its family and split. Generated levels are usually run with one seed each, and a stratum
 * of one episode never varies under resampling: stratified by level, every interval over such a
 * run would have zero width. Levels are the clusters the generalisation table resamples too.
 */
export function stratumOf(scenario: string): string {
  const level = parseLevelId(scenario);
  return level ? `${level.family}-${level.split}` : scenario;
}

export type ScoreKind = 'efficiency' | 'success';

export interface CounterSummary {
  total: number;
  perEpisode: number;
}

export interface PlannerAggregate {
  planner: string;
  episodes: number;
  successes: number;
  successRate: number;
  successCi: [number, number];
  /** IQM of per-episode scores (efficiency or success) pooled over scenarios, stratified bootstrap interval. */
  scoreIqm: Interval;
  scoreMean: Interval;
  /** Secondary: IQM and mean of the normalised return (anchors' uncertainty included, clipped to
   * [0, 1]); null when refused (`RunAnalysis.normalizedNote`). */
  normalizedIqm: Interval | null;
  normalizedMean: Interval | null;
  /** Per-episode median and p95 decision latency (ms), for distributions. */
  latencyP50: number[];
  latencyP95: number[];
  /** Every planner counter (LLM calls, tokens, cost, ...) summed over episodes and per episode. */
  counters: Record<string, CounterSummary>;
  /** Episodes by outcome: success, timeout, flipped, error, ... */
  outcomes: Record<string, number>;
  failureCategories: Partial<Record<FailureCategory, number>>;
  wallSeconds: number;
  /** Fraction of episodes scoring above each of `RunAnalysis.profile.taus`, tasks weighted equally. */
  profile: number[];
}

export interface HeadToHead {
  a: string;
  b: string;
  /** (scenario, seed) episodes both ran. */
  pairs: number;
  success: McNemarResult;
  /** Success rate of A − B on the pairs (points of 1), with a paired stratified bootstrap
   * interval: "A beats B by ≥ 10 points" is decided on this interval excluding 0. */
  successDiff: PairedDifference;
  /** Mean per-episode score (efficiency or success) of A − B on the pairs; p from the sign-flip test. */
  scoreDiff: PairedDifference;
  /** Mean return of A − B on the pairs (secondary); p from the sign-flip test. */
  returnDiff: PairedDifference;
  /** P(score of A > score of B), averaged over scenarios. */
  improvement: Interval;
}

export interface EpisodeError {
  scenario: string;
  planner: string;
  seed: number;
  error: string;
}

export interface RunAnalysis {
  scoreKind: ScoreKind;
  /** Why the normalised return is not shown (a scenario without a usable anchor), else null. */
  normalizedNote: string | null;
  scenarios: string[];
  planners: string[];
  episodes: number;
  rows: SummaryRow[];
  aggregates: PlannerAggregate[];
  headToHead: HeadToHead[];
  errors: EpisodeError[];
  bootstrap: Required<Pick<BootstrapOptions, 'reps' | 'seed'>>;
  /** Thresholds of the performance profiles. */
  profileTaus: number[];
  /** Success per split of generated levels and the gaps to train (null without generated levels). */
  generalisation: Generalisation | null;
}

export interface AnalysisOptions {
  reps?: number;
  seed?: number;
  suite?: string | null;
  /** Anchors of the normalised return (default: the shipped ones). */
  anchors?: AnchorTable;
  /** The run's resolved-scenario hashes (manifest), to refuse anchors of other scenario versions. */
  scenarioHashes?: Record<string, string>;
}

function ordered<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Per-episode scores: efficiency when every record has it, else success (0/1). */
export function episodeScores(records: readonly EpisodeRecord[]): { kind: ScoreKind; score: (r: EpisodeRecord) => number } {
  if (records.length > 0 && records.every((r) => typeof r.efficiency === 'number' && Number.isFinite(r.efficiency))) {
    return { kind: 'efficiency', score: (r) => r.efficiency! };
  }
  return { kind: 'success', score: (r) => (r.success ? 1 : 0) };
}

/** The anchors of every scenario, or the first reason one is refused. */
function runAnchors(scenarios: readonly string[], opts: AnalysisOptions): { anchors: AnchorMoments[] } | { note: string } {
  const table = opts.anchors ?? shippedAnchors();
  const anchors: AnchorMoments[] = [];
  for (const s of scenarios) {
    const a = anchorFor(table, s, opts.scenarioHashes?.[s]);
    if (!a.ok) return { note: a.reason };
    anchors.push(a.anchor);
  }
  return { anchors };
}

const clip01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : x);
const clipInterval = (i: Interval): Interval => ({ point: clip01(i.point), lo: clip01(i.lo), hi: clip01(i.hi) });

export function analyze(records: readonly EpisodeRecord[], opts: AnalysisOptions = {}): RunAnalysis {
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 0 };
  const scenarios = ordered(records.map((r) => r.scenario));
  const planners = ordered(records.map((r) => r.planner));
  const { kind, score } = episodeScores(records);
  const anchored = runAnchors(scenarios, opts);
  const profileTaus = profileThresholds(records.map(score));
  const of = (planner: string, scenario: string) => records.filter((r) => r.planner === planner && r.scenario === scenario);
  const strata = ordered(scenarios.map(stratumOf));

  const aggregates = planners.map((planner): PlannerAggregate => {
    const mine = records.filter((r) => r.planner === planner);
    const byTask = strata.map((k) => mine.filter((r) => stratumOf(r.scenario) === k).map(score)).filter((g) => g.length > 0);
    const successes = mine.filter((r) => r.success).length;
    const counters: Record<string, CounterSummary> = {};
    for (const r of mine) for (const [k, v] of Object.entries(r.plannerStats)) (counters[k] ??= { total: 0, perEpisode: 0 }).total += v;
    for (const c of Object.values(counters)) c.perEpisode = c.total / mine.length;
    const outcomes: Record<string, number> = {};
    const failureCategories: Partial<Record<FailureCategory, number>> = {};
    for (const r of mine) {
      const outcome = r.success ? 'success' : (r.failure ?? 'failed');
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      for (const [c, n] of Object.entries(r.failureCategories) as [FailureCategory, number][]) if (n) failureCategories[c] = (failureCategories[c] ?? 0) + n;
    }
    let normalizedIqm: Interval | null = null;
    let normalizedMean: Interval | null = null;
    if ('anchors' in anchored) {
      const tasks = scenarios.map((s, t) => ({ returns: of(planner, s).map((r) => r.return), anchor: anchored.anchors[t] })).filter((t) => t.returns.length > 0);
      const returns = tasks.map((t) => t.returns);
      const anchors = tasks.map((t) => t.anchor);
      normalizedIqm = clipInterval(normalizedBootstrap(returns, anchors, iqm, boot));
      normalizedMean = clipInterval(normalizedBootstrap(returns, anchors, mean, boot));
    }
    return {
      planner,
      episodes: mine.length,
      successes,
      successRate: successes / mine.length,
      successCi: wilson(successes, mine.length),
      scoreIqm: stratifiedBootstrap(byTask, iqm, boot),
      scoreMean: stratifiedBootstrap(byTask, mean, boot),
      normalizedIqm,
      normalizedMean,
      latencyP50: mine.map((r) => r.plannerMsP50),
      latencyP95: mine.map((r) => r.plannerMsP95),
      counters,
      outcomes,
      failureCategories,
      wallSeconds: mine.reduce((s, r) => s + r.wallSeconds, 0),
      profile: performanceProfile(byTask, profileTaus),
    };
  });

  const headToHead: HeadToHead[] = [];
  for (let i = 0; i < planners.length; i++) {
    for (let j = i + 1; j < planners.length; j++) headToHead.push(compareWithin(records, planners[i], planners[j], scenarios, score, boot));
  }

  const errors = records
    .filter((r) => r.error !== undefined)
    .map((r) => ({ scenario: r.scenario, planner: r.planner, seed: r.seed, error: r.error! }));
  return {
    scoreKind: kind,
    normalizedNote: 'note' in anchored ? anchored.note : null,
    scenarios,
    planners,
    episodes: records.length,
    rows: summarize(records, opts.suite ?? null, undefined, { anchors: opts.anchors ?? shippedAnchors(), scenarioHashes: opts.scenarioHashes }).rows,
    aggregates,
    headToHead,
    errors,
    bootstrap: boot,
    profileTaus,
    generalisation: generalisation(records, boot),
  };
}

/** 41 thresholds from min(0, lowest score) to max(1, highest score). */
function profileThresholds(scores: readonly number[]): number[] {
  const finite = scores.filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(1, ...finite);
  return Array.from({ length: 41 }, (_, i) => lo + ((hi - lo) * i) / 40);
}

/** Paired statistics of planner A against planner B on the seeds both ran, stratum by stratum
 * (`stratumOf`: the scenario, or a generated level's family and split). */
export function compareWithin(
  records: readonly EpisodeRecord[],
  a: string,
  b: string,
  scenarios: readonly string[],
  score: (r: EpisodeRecord) => number,
  boot: BootstrapOptions,
): HeadToHead {
  const pairs = pairEpisodes(
    records.filter((r) => r.planner === a),
    records.filter((r) => r.planner === b),
  );
  const strata = ordered(scenarios.map(stratumOf));
  const diffs = (f: (r: EpisodeRecord) => number) => strata.map((k) => pairs.filter(([x]) => stratumOf(x.scenario) === k).map(([x, y]) => f(x) - f(y)));
  const xs = strata.map((k) => records.filter((r) => r.planner === a && stratumOf(r.scenario) === k).map(score));
  const ys = strata.map((k) => records.filter((r) => r.planner === b && stratumOf(r.scenario) === k).map(score));
  return {
    a,
    b,
    pairs: pairs.length,
    success: mcnemarExact(pairs.map(([x, y]) => [x.success, y.success] as const)),
    successDiff: pairedComparison(diffs((r) => (r.success ? 1 : 0)), boot),
    scoreDiff: pairedComparison(diffs(score), boot),
    returnDiff: pairedComparison(diffs((r) => r.return), boot),
    improvement: probabilityOfImprovement(xs, ys, boot),
  };
}

/** Episodes of A and B on the same (scenario, seed), in A's order. */
export function pairEpisodes(a: readonly EpisodeRecord[], b: readonly EpisodeRecord[]): [EpisodeRecord, EpisodeRecord][] {
  const index = new Map(b.map((r) => [`${r.scenario}\u0000${r.seed}`, r]));
  const out: [EpisodeRecord, EpisodeRecord][] = [];
  for (const x of a) {
    const y = index.get(`${x.scenario}\u0000${x.seed}`);
    if (y) out.push([x, y]);
  }
  return out;
}

/** Latency percentiles of a list of per-episode values (for tables). */
export function latencySummary(values: readonly number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: Number.NaN, p95: Number.NaN, max: Number.NaN };
  return { p50: quantile(values, 0.5), p95: quantile(values, 0.95), max: Math.max(...values) };
}
