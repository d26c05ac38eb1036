/**
 * Frozen anchors of the normalised return, the pure part: per scenario, the mean return of the
 * `random` and `oracle` planners (with their spread and episode count), committed next to the
 * scenario suites in `scenarios/anchors/<suite>.json` (read and written by
 * `scenarios/anchors.ts`) and recomputed only by `planarena anchors update --suite S`. Pure data
 * and arithmetic, so the summary (and the viewer, in the browser) can use it.
 *
 * Why frozen: anchors taken from whatever baselines happened to run alongside would move with
 * every run (and vanish when the baselines are not run), so two reports' normalised scores could
 * not be compared. Why with their spread: an anchor is itself an estimate; its uncertainty is
 * carried into every normalised-score interval (`normalizeRow` here, and
 * `normalizedBootstrap` in `evaluation/stats.ts`).
 *
 * A scenario's normalised score is refused (null, with the reason) when:
 * - no anchor covers it;
 * - the anchor was taken on another version of the scenario (its resolved-scenario hash differs
 *   from the run's, or from the shipped file's);
 * - the span oracle − random is below MIN_SPAN (degenerate: tiny spans blow the score up) or
 *   negative (it would flip its sign).
 * Scores are shown clipped to [0, 1] (0 = the random anchor, 1 = the oracle anchor).
 */

/** Smallest oracle − random span (return units ≈ metres; a success is worth 10) a score may be
 * normalised by. */
export const MIN_SPAN = 2;

/** Two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;

export interface AnchorStats {
  n: number;
  mean: number;
  /** Sample standard deviation of the returns. */
  sd: number;
}

/** One scenario's anchor. */
export interface Anchor {
  scenario: string;
  random: AnchorStats;
  oracle: AnchorStats;
  /** SHA-256 of the resolved scenario the anchor was made on. */
  scenarioHash: string;
  /** The hash of the shipped scenario file now, when the loader knows it (a stale anchor has a
   * different one). */
  currentHash?: string;
  /** The file it came from. */
  source: string;
}

/** Anchors by scenario id. */
export type AnchorTable = ReadonlyMap<string, Anchor>;

export type AnchorLookup = { ok: true; anchor: Anchor; span: number } | { ok: false; reason: string };

/**
 * The usable anchor of a scenario, or why there is none. `hash`: the resolved-scenario hash the
 * run used (from its manifest); without it, the anchor's `currentHash` (the shipped file's) is
 * checked.
 */
export function anchorFor(table: AnchorTable, scenario: string, hash?: string): AnchorLookup {
  const anchor = table.get(scenario);
  const fix = `run \`planarena anchors update --suite <suite with ${scenario}>\``;
  if (!anchor) return { ok: false, reason: `no frozen anchor for "${scenario}" (${fix})` };
  const now = hash ?? anchor.currentHash;
  if (now !== undefined && now !== anchor.scenarioHash) return { ok: false, reason: `the anchor of "${scenario}" (${anchor.source}) was made for another version of the scenario (${fix})` };
  const span = anchor.oracle.mean - anchor.random.mean;
  if (!(span >= MIN_SPAN)) {
    return { ok: false, reason: `oracle − random span of "${scenario}" is ${span.toFixed(2)}, ${span < 0 ? 'negative' : `below the minimum ${MIN_SPAN}`}: a normalised score would be meaningless` };
  }
  return { ok: true, anchor, span };
}

export interface NormalizedRow {
  /** Clipped to [0, 1]; null when refused. */
  value: number | null;
  /** 95% interval (delta method, anchors' uncertainty included), clipped; null when refused. */
  ci95: [number, number] | null;
  /** Why the score is refused, or a note that it was clipped; null otherwise. */
  note: string | null;
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * A row's normalised return: (mean − random) / (oracle − random) with a 95% interval that adds
 * the anchors' sampling variance to the row's by the delta method:
 *   Var ≈ [s²/n + (N − 1)² · se_random² + N² · se_oracle²] / span².
 */
export function normalizeRow(returns: readonly number[], lookup: AnchorLookup): NormalizedRow {
  if (!lookup.ok) return { value: null, ci95: null, note: lookup.reason };
  if (returns.length === 0) return { value: null, ci95: null, note: 'no episodes' };
  const { anchor, span } = lookup;
  const { mean, sd } = moments(returns);
  const n = returns.length;
  const raw = (mean - anchor.random.mean) / span;
  const seR2 = anchor.random.sd ** 2 / anchor.random.n;
  const seO2 = anchor.oracle.sd ** 2 / anchor.oracle.n;
  const half = Z95 * Math.sqrt(((sd * sd) / n + (raw - 1) ** 2 * seR2 + raw ** 2 * seO2) / (span * span));
  const clipped = raw < 0 || raw > 1;
  return {
    value: clip01(raw),
    ci95: [clip01(raw - half), clip01(raw + half)],
    note: clipped ? `clipped from ${raw.toFixed(2)}` : null,
  };
}

/** Mean, sample standard deviation and count of a list of returns, for an anchor entry. */
export function moments(values: readonly number[]): AnchorStats {
  const n = values.length;
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd };
}
