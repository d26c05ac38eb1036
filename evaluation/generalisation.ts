/**
 * The generalisation gap on procedurally generated levels: per planner, success on the train,
 * test and ood splits and the differences test − train and ood − train, with 95% intervals.
 *
 * A level's split and family come from its id (`<family>-<split>-<level>`), so the records of
 * one run of several suites, or of several runs reported together (`planarena report A B C`),
 * group themselves. Episodes of one level share its layout and are not independent, so the
 * intervals come from a **cluster bootstrap over levels, stratified by family**: each resample
 * draws, within every family of a split, as many levels as the split has, with replacement,
 * keeping all of a level's episodes; a gap's resample pairs independent resamples of the two
 * splits. 2,000 resamples by default, seeded, so the same records give the same intervals.
 */
import type { EpisodeRecord, SummaryRow } from '../core/records.ts';
import { parseLevelId } from '../scenarios/generator/levelId.ts';
import { SPLITS, type Split } from '../scenarios/schema.ts';
import { Rng } from '../sim/rng.ts';
import { quantileSorted, type BootstrapOptions, type Interval } from './stats.ts';
import { wilson } from '../core/summary.ts';

export interface SplitResult {
  episodes: number;
  levels: number;
  successes: number;
  /** Success rate over the split's episodes, with its level-cluster bootstrap interval. */
  success: Interval;
}

export interface GapRow {
  planner: string;
  splits: Partial<Record<Split, SplitResult>>;
  /** test − train and ood − train success, when both splits ran. */
  testGap?: Interval;
  oodGap?: Interval;
}

export interface FamilyCell {
  family: string;
  planner: string;
  split: Split;
  episodes: number;
  levels: number;
  successes: number;
}

export interface Generalisation {
  rows: GapRow[];
  /** Success per family × planner × split (Wilson intervals are computed when shown). */
  cells: FamilyCell[];
  splits: Split[];
  families: string[];
}

interface Level {
  family: string;
  successes: number;
  n: number;
}

/** The gap table, or null when no record is of a generated level. */
export function generalisation(records: readonly EpisodeRecord[], opts: BootstrapOptions = {}): Generalisation | null {
  const tagged = records.flatMap((r) => {
    const ref = parseLevelId(r.scenario);
    return ref ? [{ r, ref }] : [];
  });
  if (tagged.length === 0) return null;
  const planners = [...new Set(tagged.map((t) => t.r.planner))];
  const families = [...new Set(tagged.map((t) => t.ref.family))];
  const splits = SPLITS.filter((s) => tagged.some((t) => t.ref.split === s));
  const reps = opts.reps ?? 2000;

  const rows: GapRow[] = planners.map((planner) => {
    // Levels of each split: episodes of one scenario id pooled.
    const levels = new Map<Split, Map<string, Level>>();
    for (const { r, ref } of tagged) {
      if (r.planner !== planner) continue;
      const bySplit = levels.get(ref.split) ?? new Map<string, Level>();
      levels.set(ref.split, bySplit);
      const lv = bySplit.get(r.scenario) ?? { family: ref.family, successes: 0, n: 0 };
      lv.successes += r.success ? 1 : 0;
      lv.n++;
      bySplit.set(r.scenario, lv);
    }
    const rng = Rng.stream('bootstrap', opts.seed ?? 0, `generalisation:${planner}`);
    const resamples = new Map<Split, Float64Array>();
    const result: Partial<Record<Split, SplitResult>> = {};
    for (const split of splits) {
      const lv = levels.get(split);
      if (!lv) continue;
      const all = [...lv.values()];
      const strata = families.map((f) => all.filter((l) => l.family === f)).filter((g) => g.length > 0);
      const draws = resampleRates(strata, reps, rng);
      resamples.set(split, draws);
      const successes = all.reduce((s, l) => s + l.successes, 0);
      const episodes = all.reduce((s, l) => s + l.n, 0);
      result[split] = { episodes, levels: all.length, successes, success: { point: successes / episodes, ...percentile(draws, opts.confidence) } };
    }
    const gap = (a: Split, b: Split): Interval | undefined => {
      const x = resamples.get(a);
      const y = resamples.get(b);
      if (!x || !y) return undefined;
      const d = x.map((v, k) => v - y[k]);
      return { point: result[a]!.success.point - result[b]!.success.point, ...percentile(d, opts.confidence) };
    };
    return { planner, splits: result, testGap: gap('test', 'train'), oodGap: gap('ood', 'train') };
  });

  const cells = new Map<string, FamilyCell>();
  const levelSets = new Map<string, Set<string>>();
  for (const { r, ref } of tagged) {
    const key = `${ref.family}\u0000${r.planner}\u0000${ref.split}`;
    const c = cells.get(key) ?? { family: ref.family, planner: r.planner, split: ref.split, episodes: 0, levels: 0, successes: 0 };
    c.episodes++;
    c.successes += r.success ? 1 : 0;
    const seen = levelSets.get(key) ?? new Set<string>();
    seen.add(r.scenario);
    levelSets.set(key, seen);
    c.levels = seen.size;
    cells.set(key, c);
  }
  return { rows, cells: [...cells.values()], splits, families };
}

/** Pooled success rate of `reps` stratified cluster resamples of the levels. */
function resampleRates(strata: readonly (readonly Level[])[], reps: number, rng: Rng): Float64Array {
  const out = new Float64Array(reps);
  for (let k = 0; k < reps; k++) {
    let s = 0;
    let n = 0;
    for (const g of strata) {
      for (let i = 0; i < g.length; i++) {
        const l = g[rng.int(g.length)];
        s += l.successes;
        n += l.n;
      }
    }
    out[k] = n > 0 ? s / n : Number.NaN;
  }
  return out;
}

function percentile(draws: Float64Array, confidence = 0.95): { lo: number; hi: number } {
  const sorted = draws.filter(Number.isFinite).sort();
  const alpha = (1 - confidence) / 2;
  return { lo: quantileSorted(sorted, alpha), hi: quantileSorted(sorted, 1 - alpha) };
}

/**
 * Per-scenario rows with generated levels folded into one row per family, split and planner
 * ("rooms · test (50 levels)"), so a report of 1,000 levels stays readable. Hand-written
 * scenarios keep their own rows, first.
 */
export function foldLevelRows(rows: readonly SummaryRow[]): SummaryRow[] {
  const plain: SummaryRow[] = [];
  const groups = new Map<string, { rows: SummaryRow[]; label: string }>();
  for (const row of rows) {
    const ref = parseLevelId(row.scenario);
    if (!ref) {
      plain.push(row);
      continue;
    }
    const key = `${ref.family}\u0000${ref.split}\u0000${row.planner}`;
    const g = groups.get(key) ?? { rows: [], label: `${ref.family} · ${ref.split}` };
    g.rows.push(row);
    groups.set(key, g);
  }
  const folded = [...groups.values()].map(({ rows: rs, label }): SummaryRow => {
    const episodes = rs.reduce((s, r) => s + r.episodes, 0);
    const successes = rs.reduce((s, r) => s + r.successes, 0);
    const weighted = (f: (r: SummaryRow) => number) => rs.reduce((s, r) => s + f(r) * r.episodes, 0) / episodes;
    const norm = rs.every((r) => r.normalizedScore !== null) ? weighted((r) => r.normalizedScore!) : null;
    const efficiency = rs.every((r) => r.efficiency !== null) ? weighted((r) => r.efficiency!) : null;
    const spl = rs.every((r) => r.spl !== null) ? weighted((r) => r.spl!) : null;
    const failures: Record<string, number> = {};
    for (const r of rs) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    return {
      ...rs[0],
      scenario: `${label} (${rs.length} level${rs.length === 1 ? '' : 's'})`,
      episodes,
      successes,
      successRate: successes / episodes,
      ci95: wilson(successes, episodes),
      // Folded means carry no interval: the levels' intervals do not combine.
      efficiency,
      efficiencyCi95: null,
      spl,
      meanReturn: weighted((r) => r.meanReturn),
      normalizedScore: norm,
      normalizedCi95: null,
      normalizedNote: norm === null ? (rs.find((r) => r.normalizedNote)?.normalizedNote ?? null) : null,
      meanSteps: weighted((r) => r.meanSteps),
      meanCollisions: weighted((r) => r.meanCollisions),
      failures,
    };
  });
  return [...plain, ...folded];
}
