/**
 * What changed between two sets of episode records — a run and a later run (`planarena
 * compare`), or a committed baseline and a fresh CI run (`planarena ci`).
 *
 * Per scenario × planner, episodes are paired on the seed. Success is tested with McNemar's
 * exact test on the pairs, the return with a paired bootstrap of (after − before); trajectory
 * hashes say whether anything moved at all. A row's verdict:
 * - `identical`: every paired trajectory hash equal (nothing changed);
 * - `regressed` / `improved`: a significant (p < alpha) change in success or in return;
 * - `changed`: trajectories differ but no significant change;
 * - `missing` / `new`: the row is only in the first / second set, or seeds went missing.
 *
 * A row's numbers are all on the same footing: with seeds in both sets, every figure (success
 * before and after, Δ return, the tests) is over those paired seeds only; a row with no paired
 * seed (`new`, or `missing` entirely) shows each set's own success rate, marked unpaired, and no
 * difference.
 */
import { mcnemarExact, pairedBootstrap, type McNemarResult, type PairedDifference } from './stats.ts';
import type { EpisodeRecord } from '../core/records.ts';

/** The fields a comparison reads: full episode records and baseline entries both have them. */
export type ComparableRecord = Pick<EpisodeRecord, 'scenario' | 'planner' | 'seed' | 'success' | 'return' | 'trajectoryHash'>;

export type Verdict = 'identical' | 'changed' | 'improved' | 'regressed' | 'missing' | 'new';

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
  /** Mean return of after − before on the paired seeds. */
  returnDiff: PairedDifference;
  /** One line saying why the verdict. */
  detail: string;
}

export interface CompareOptions {
  alpha?: number;
  reps?: number;
  seed?: number;
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

export function compareRecords(before: readonly ComparableRecord[], after: readonly ComparableRecord[], opts: CompareOptions = {}): RowComparison[] {
  const alpha = opts.alpha ?? 0.05;
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 0 };
  const a = groupBy(before);
  const b = groupBy(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys.map((key) => {
    const xs = a.get(key) ?? [];
    const ys = b.get(key) ?? [];
    const { scenario, planner } = (xs[0] ?? ys[0])!;
    const bySeed = new Map(ys.map((r) => [r.seed, r]));
    const pairs = xs.flatMap((x) => (bySeed.has(x.seed) ? [[x, bySeed.get(x.seed)!] as const] : []));
    const missingSeeds = xs.filter((x) => !bySeed.has(x.seed)).map((x) => x.seed);
    const success = mcnemarExact(pairs.map(([x, y]) => [x.success, y.success] as const));
    const returnDiff = pairedBootstrap([pairs.map(([x, y]) => y.return - x.return)], boot);
    const hashChanges = pairs.filter(([x, y]) => x.trajectoryHash !== y.trajectoryHash).length;

    let verdict: Verdict;
    let detail: string;
    if (xs.length === 0) {
      verdict = 'new';
      detail = `only in the second set (${ys.length} episodes)`;
    } else if (ys.length === 0 || missingSeeds.length > 0) {
      verdict = 'missing';
      detail = ys.length === 0 ? 'no episodes in the second set' : `seeds ${missingSeeds.join(', ')} have no episode in the second set; the figures are over the ${pairs.length} paired seed${pairs.length === 1 ? '' : 's'}`;
    } else if (hashChanges === 0) {
      verdict = 'identical';
      detail = `all ${pairs.length} trajectories identical`;
    } else {
      const successDown = success.aOnly > success.bOnly && success.pValue < alpha;
      const successUp = success.bOnly > success.aOnly && success.pValue < alpha;
      const returnDown = returnDiff.point < 0 && returnDiff.pValue < alpha;
      const returnUp = returnDiff.point > 0 && returnDiff.pValue < alpha;
      const facts = `success ${pctText(rate(pairs.map(([x]) => x)))} → ${pctText(rate(pairs.map(([, y]) => y)))} (McNemar p=${pText(success.pValue)}), return ${signed(returnDiff.point)} (p=${pText(returnDiff.pValue)}), ${hashChanges}/${pairs.length} trajectories differ`;
      if (successDown || (returnDown && !successUp)) verdict = 'regressed';
      else if (successUp || returnUp) verdict = 'improved';
      else verdict = 'changed';
      detail = facts;
    }
    return {
      scenario,
      planner,
      verdict,
      before: xs.length,
      after: ys.length,
      paired: pairs.length,
      successBefore: pairs.length > 0 ? rate(pairs.map(([x]) => x)) : rate(xs),
      successAfter: pairs.length > 0 ? rate(pairs.map(([, y]) => y)) : rate(ys),
      hashChanges,
      missingSeeds,
      success,
      returnDiff,
      detail,
    };
  });
}

function pctText(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–';
}
function pText(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
function signed(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : '–';
}

/** Markdown table of a comparison, most serious verdicts first. */
export function formatComparison(rows: readonly RowComparison[], titles: { before: string; after: string }): string {
  const order: Verdict[] = ['regressed', 'missing', 'improved', 'changed', 'new', 'identical'];
  const sorted = [...rows].sort((x, y) => order.indexOf(x.verdict) - order.indexOf(y.verdict));
  const lines = [
    `Comparing ${titles.before} (before) with ${titles.after} (after); paired on seeds.`,
    '',
    '| scenario | planner | verdict | paired seeds | success before → after | Δ return (after − before) | detail |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of sorted) {
    // Paired rows: every figure over the paired seeds. Unpaired rows: each set alone, no Δ.
    const success = r.paired > 0 ? `${pctText(r.successBefore)} → ${pctText(r.successAfter)}` : `${pctText(r.successBefore)} → ${pctText(r.successAfter)} (unpaired: ${r.before} → ${r.after} episodes)`;
    lines.push(`| ${r.scenario} | ${r.planner} | ${r.verdict} | ${r.paired} | ${success} | ${r.paired > 0 ? signed(r.returnDiff.point) : '–'} | ${r.detail} |`);
  }
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  lines.push('', `${rows.length} rows: ${order.map((v) => `${count(v)} ${v}`).join(', ')}.`);
  return lines.join('\n');
}
