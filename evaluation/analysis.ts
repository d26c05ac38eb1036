/**
 * From a run's episode records to everything a report shows: per scenario × planner rows
 * (`summary.ts`), per planner aggregates (success with Wilson interval, score IQM and mean with
 * stratified bootstrap intervals, latency, planner counters such as tokens and cost, failure
 * breakdown), the probability of improvement between every two planners, and paired
 * head-to-head tests on the (scenario, seed) episodes both planners ran.
 *
 * Score per episode: the normalised return (return − random) / (oracle − random) with the
 * random and oracle means of that scenario, when both baselines ran on every scenario; success
 * (0/1) otherwise. `scoreKind` says which, and the report prints it.
 */
import type { FailureCategory } from '../planners/Planner.ts';
import { ORACLE_BASELINE, RANDOM_BASELINE, summarize, wilson } from '../core/summary.ts';
import { iqm, mcnemarExact, mean, pairedBootstrap, performanceProfile, probabilityOfImprovement, quantile, stratifiedBootstrap, type BootstrapOptions, type Interval, type McNemarResult, type PairedDifference } from './stats.ts';
import type { EpisodeRecord, SummaryRow } from '../core/records.ts';
import { generalisation, type Generalisation } from './generalisation.ts';

export type ScoreKind = 'normalized' | 'success';

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
  /** IQM of per-episode scores pooled over scenarios, stratified bootstrap interval. */
  scoreIqm: Interval;
  scoreMean: Interval;
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
  /** Mean return of A − B on the pairs. */
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
}

function ordered<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Per-episode scores: normalised return when every scenario has both baselines, else success. */
export function episodeScores(records: readonly EpisodeRecord[]): { kind: ScoreKind; score: (r: EpisodeRecord) => number } {
  const scenarios = ordered(records.map((r) => r.scenario));
  const meanReturn = (scenario: string, planner: string) => {
    const list = records.filter((r) => r.scenario === scenario && r.planner === planner);
    return list.length === 0 ? undefined : mean(list.map((r) => r.return));
  };
  const anchors = new Map<string, { random: number; span: number }>();
  for (const s of scenarios) {
    const random = meanReturn(s, RANDOM_BASELINE);
    const oracle = meanReturn(s, ORACLE_BASELINE);
    if (random === undefined || oracle === undefined || Math.abs(oracle - random) < 1e-9) break;
    anchors.set(s, { random, span: oracle - random });
  }
  if (scenarios.length > 0 && anchors.size === scenarios.length) {
    return { kind: 'normalized', score: (r) => (r.return - anchors.get(r.scenario)!.random) / anchors.get(r.scenario)!.span };
  }
  return { kind: 'success', score: (r) => (r.success ? 1 : 0) };
}

export function analyze(records: readonly EpisodeRecord[], opts: AnalysisOptions = {}): RunAnalysis {
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 0 };
  const scenarios = ordered(records.map((r) => r.scenario));
  const planners = ordered(records.map((r) => r.planner));
  const { kind, score } = episodeScores(records);
  const profileTaus = profileThresholds(records.map(score));
  const of = (planner: string, scenario: string) => records.filter((r) => r.planner === planner && r.scenario === scenario);

  const aggregates = planners.map((planner): PlannerAggregate => {
    const mine = records.filter((r) => r.planner === planner);
    const byTask = scenarios.map((s) => of(planner, s).map(score)).filter((g) => g.length > 0);
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
    return {
      planner,
      episodes: mine.length,
      successes,
      successRate: successes / mine.length,
      successCi: wilson(successes, mine.length),
      scoreIqm: stratifiedBootstrap(byTask, iqm, boot),
      scoreMean: stratifiedBootstrap(byTask, mean, boot),
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
    scenarios,
    planners,
    episodes: records.length,
    rows: summarize(records, opts.suite ?? null).rows,
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

/** Paired statistics of planner A against planner B on the seeds both ran, scenario by scenario. */
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
  const diffs = scenarios.map((s) => pairs.filter(([x]) => x.scenario === s).map(([x, y]) => x.return - y.return));
  const xs = scenarios.map((s) => records.filter((r) => r.planner === a && r.scenario === s).map(score));
  const ys = scenarios.map((s) => records.filter((r) => r.planner === b && r.scenario === s).map(score));
  return {
    a,
    b,
    pairs: pairs.length,
    success: mcnemarExact(pairs.map(([x, y]) => [x.success, y.success] as const)),
    returnDiff: pairedBootstrap(diffs, boot),
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
