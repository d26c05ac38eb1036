/**
 * What changed between two sets of episode records — a run and a later run (`planarena
 * compare`), or a committed baseline and a fresh CI run (`planarena ci`).
 *
 * Per scenario × planner, episodes are paired on the seed. Two headline metrics are tested:
 * success (McNemar's exact test on the pairs, which is the sign-flip test of ±1 differences) and
 * efficiency (the paired sign-flip permutation test of after − before; the return when either
 * side's records predate efficiency). Every test of every row is one family: the p-values are
 * Holm-adjusted across rows before any verdict, so twenty rows do not buy twenty chances of a
 * false alarm. The return difference is reported, not decided on (secondary). Trajectory hashes
 * say whether anything moved at all. A row's verdict:
 * - `identical`: every paired trajectory hash equal (nothing changed);
 * - `undecided`: trajectories moved, but fewer paired seeds than `minimumPairs(alpha)` (6 at
 *   0.05): no outcome could be significant, so it says "not enough episodes to decide";
 * - `regressed` / `improved`: a significant (Holm-adjusted p < alpha) change in success, or in
 *   efficiency without the opposite change in success;
 * - `changed`: trajectories differ but nothing significant;
 * - `missing` / `new`: the row is only in the first / second set, or seeds went missing.
 *
 * A row's numbers are all on the same footing: with seeds in both sets, every figure (success
 * before and after, Δ return, the tests) is over those paired seeds only; a row with no paired
 * seed (`new`, or `missing` entirely) shows each set's own success rate, marked unpaired, and no
 * difference.
 */
import { holm, mcnemarExact, minimumPairs, pairedComparison, type McNemarResult, type PairedDifference } from './stats.ts';
import type { EpisodeRecord } from '../core/records.ts';

/** The fields a comparison reads: full episode records and baseline entries both have them. */
export type ComparableRecord = Pick<EpisodeRecord, 'scenario' | 'planner' | 'seed' | 'success' | 'return' | 'trajectoryHash'> & { efficiency?: number };

export type Verdict = 'identical' | 'changed' | 'improved' | 'regressed' | 'undecided' | 'missing' | 'new';

export interface RowComparison {
  scenario: string;
  planner: string;
  verdict: Verdict;
  /** Episodes in each set, and seeds present in both. */
  before: number;
  after: number;
  paired: number;
  /** Success rates over the paired seeds; with no paired seed, over each set's own episodes. */
  successBefore: number;
  successAfter: number;
  /** Paired seeds whose trajectory hash differs. */
  hashChanges: number;
  /** Seeds of the before set with no episode in the after set. */
  missingSeeds: number[];
  /** McNemar: aOnly = succeeded only before, bOnly = only after. */
  success: McNemarResult;
  /** The second decided metric: efficiency, or the return when either side lacks efficiency. */
  metric: 'efficiency' | 'return';
  /** Mean of after − before of `metric` on the paired seeds; p from the sign-flip test. */
  metricDiff: PairedDifference;
  /** Mean return of after − before (reported, not decided on); p from the sign-flip test. */
  returnDiff: PairedDifference;
  /** Holm-adjusted p-values of the two tests (NaN when the row was not tested). */
  adjusted: { success: number; metric: number };
  /** One line saying why the verdict. */
  detail: string;
}

export interface CompareOptions {
  alpha?: number;
  reps?: number;
  seed?: number;
  /** Rows whose tests join the Holm family (default: all). `ci` leaves out deterministic
   * planners, which are judged by their hashes alone. */
  tested?: (scenario: string, planner: string) => boolean;
}

function groupBy<R extends ComparableRecord>(records: readonly R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of records) {
    const k = `${r.scenario}\u0000${r.planner}`;
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const rate = (list: readonly ComparableRecord[]) => (list.length === 0 ? Number.NaN : list.filter((r) => r.success).length / list.length);
const hasEfficiency = (r: ComparableRecord) => typeof r.efficiency === 'number' && Number.isFinite(r.efficiency);

export function compareRecords(before: readonly ComparableRecord[], after: readonly ComparableRecord[], opts: CompareOptions = {}): RowComparison[] {
  const alpha = opts.alpha ?? 0.05;
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 0 };
  const minPairs = minimumPairs(alpha);
  const a = groupBy(before);
  const b = groupBy(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];

  // Per-row statistics
  const rows = keys.map((key): RowComparison & { testable: boolean; inFamily: boolean } => {
    const xs = a.get(key) ?? [];
    const ys = b.get(key) ?? [];
    const { scenario, planner } = (xs[0] ?? ys[0])!;
    const bySeed = new Map(ys.map((r) => [r.seed, r]));
    const pairs = xs.flatMap((x) => (bySeed.has(x.seed) ? [[x, bySeed.get(x.seed)!] as const] : []));
    const missingSeeds = xs.filter((x) => !bySeed.has(x.seed)).map((x) => x.seed);
    const metric = pairs.length > 0 && pairs.every(([x, y]) => hasEfficiency(x) && hasEfficiency(y)) ? 'efficiency' : 'return';
    const value = (r: ComparableRecord) => (metric === 'efficiency' ? r.efficiency! : r.return);
    const hashChanges = pairs.filter(([x, y]) => x.trajectoryHash !== y.trajectoryHash).length;
    const inFamily = opts.tested?.(scenario, planner) ?? true;
    const testable = xs.length > 0 && ys.length > 0 && missingSeeds.length === 0 && hashChanges > 0 && pairs.length >= minPairs && inFamily;
    return {
      scenario,
      planner,
      verdict: 'changed',
      before: xs.length,
      after: ys.length,
      paired: pairs.length,
      successBefore: pairs.length > 0 ? rate(pairs.map(([x]) => x)) : rate(xs),
      successAfter: pairs.length > 0 ? rate(pairs.map(([, y]) => y)) : rate(ys),
      hashChanges,
      missingSeeds,
      success: mcnemarExact(pairs.map(([x, y]) => [x.success, y.success] as const)),
      metric,
      metricDiff: pairedComparison([pairs.map(([x, y]) => value(y) - value(x))], boot),
      returnDiff: pairedComparison([pairs.map(([x, y]) => y.return - x.return)], boot),
      adjusted: { success: Number.NaN, metric: Number.NaN },
      detail: '',
      testable,
      inFamily,
    };
  });

  // Holm across every test of every tested row
  const family: number[] = [];
  for (const r of rows) if (r.testable) family.push(r.success.pValue, r.metricDiff.pValue);
  const adjusted = holm(family);
  let k = 0;
  for (const r of rows) if (r.testable) r.adjusted = { success: adjusted[k++], metric: adjusted[k++] };

  // Verdicts
  return rows.map(({ testable, inFamily, ...r }) => {
    const facts = () =>
      `success ${pctText(r.successBefore)} → ${pctText(r.successAfter)} (McNemar p=${pText(r.success.pValue)}${testable ? `, Holm ${pText(r.adjusted.success)}` : ''}), ${r.metric} ${signed(r.metricDiff.point)} (sign-flip p=${pText(r.metricDiff.pValue)}${testable ? `, Holm ${pText(r.adjusted.metric)}` : ''}), ${r.hashChanges}/${r.paired} trajectories differ`;
    if (r.before === 0) return { ...r, verdict: 'new', detail: `only in the second set (${r.after} episodes)` };
    if (r.after === 0 || r.missingSeeds.length > 0) {
      return { ...r, verdict: 'missing', detail: r.after === 0 ? 'no episodes in the second set' : `seeds ${r.missingSeeds.join(', ')} have no episode in the second set; the figures are over the ${r.paired} paired seed${r.paired === 1 ? '' : 's'}` };
    }
    if (r.hashChanges === 0) return { ...r, verdict: 'identical', detail: `all ${r.paired} trajectories identical` };
    // Rows judged otherwise (deterministic planners in ci: by their hashes) get no test at all.
    if (r.paired < minPairs && inFamily) {
      return { ...r, verdict: 'undecided', detail: `not enough episodes to decide: ${r.paired} paired seeds, at least ${minPairs} needed at alpha ${alpha} (${facts()})` };
    }
    if (!testable) return { ...r, verdict: 'changed', detail: facts() };
    const significant = (p: number) => p < alpha;
    const successDown = r.success.aOnly > r.success.bOnly && significant(r.adjusted.success);
    const successUp = r.success.bOnly > r.success.aOnly && significant(r.adjusted.success);
    const metricDown = r.metricDiff.point < 0 && significant(r.adjusted.metric);
    const metricUp = r.metricDiff.point > 0 && significant(r.adjusted.metric);
    const verdict: Verdict = successDown || (metricDown && !successUp) ? 'regressed' : successUp || metricUp ? 'improved' : 'changed';
    return { ...r, verdict, detail: facts() };
  });
}

function pctText(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–';
}
function pText(p: number): string {
  return !Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3);
}
function signed(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : '–';
}

/** Markdown table of a comparison, most serious verdicts first. */
export function formatComparison(rows: readonly RowComparison[], titles: { before: string; after: string }): string {
  const order: Verdict[] = ['regressed', 'missing', 'improved', 'changed', 'undecided', 'new', 'identical'];
  const sorted = [...rows].sort((x, y) => order.indexOf(x.verdict) - order.indexOf(y.verdict));
  const lines = [
    `Comparing ${titles.before} (before) with ${titles.after} (after); paired on seeds; success and efficiency decided with Holm-corrected paired tests.`,
    '',
    '| scenario | planner | verdict | paired seeds | success before → after | Δ efficiency (after − before) | Δ return | detail |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of sorted) {
    // Paired rows: every figure over the paired seeds. Unpaired rows: each set alone, no Δ.
    const success = r.paired > 0 ? `${pctText(r.successBefore)} → ${pctText(r.successAfter)}` : `${pctText(r.successBefore)} → ${pctText(r.successAfter)} (unpaired: ${r.before} → ${r.after} episodes)`;
    const eff = r.paired > 0 && r.metric === 'efficiency' ? signed(r.metricDiff.point) : '–';
    lines.push(`| ${r.scenario} | ${r.planner} | ${r.verdict} | ${r.paired} | ${success} | ${eff} | ${r.paired > 0 ? signed(r.returnDiff.point) : '–'} | ${r.detail} |`);
  }
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  lines.push('', `${rows.length} rows: ${order.map((v) => `${count(v)} ${v}`).join(', ')}.`);
  return lines.join('\n');
}
