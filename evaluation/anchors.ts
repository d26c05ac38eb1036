/**
 * Frozen anchors of the normalised return: per scenario, the mean return of the `random` and
 * `oracle` planners (with their spread and episode count), committed next to the scenario suites
 * in `scenarios/anchors/<suite>.json` and recomputed only by `planarena anchors update --suite S`.
 *
 * Why frozen: anchors taken from whatever baselines happened to run alongside would move with
 * every run (and vanish when the baselines are not run), so two reports' normalised scores could
 * not be compared. Why with their spread: an anchor is itself an estimate; its uncertainty is
 * carried into every normalised-score interval (`normalizeRow`, `stats.normalizedBootstrap`).
 *
 * A scenario's normalised score is refused (null, with the reason) when:
 * - no anchor file covers it;
 * - the anchor was taken on another version of the scenario (its resolved-scenario hash differs);
 * - the span oracle − random is below MIN_SPAN (degenerate: tiny spans blow the score up) or
 *   negative (it would flip its sign).
 * Scores are shown clipped to [0, 1] (0 = the random anchor, 1 = the oracle anchor).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { PROJECT_ROOT, scenarioHash } from '../core/manifest.ts';
import { listScenarios, loadScenario } from '../scenarios/load.ts';
import type { EpisodeRecord, RunManifest } from '../core/records.ts';
import { Z95, type AnchorMoments } from './stats.ts';

export const ANCHORS_FORMAT = 'planarena-anchors/1';
/** Where the shipped anchor files live. */
export const ANCHORS_DIR = join(PROJECT_ROOT, 'scenarios', 'anchors');
/** Smallest oracle − random span (return units ≈ metres; a success is worth 10) a score may be
 * normalised by. */
export const MIN_SPAN = 2;

const Moments = z.object({ n: z.number().int().positive(), mean: z.number(), sd: z.number().nonnegative() }).strict();

export const AnchorFileSpec = z
  .object({
    format: z.literal(ANCHORS_FORMAT),
    suite: z.string(),
    createdAt: z.string(),
    git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
    /** How the anchors were made (repeat it with `planarena anchors update`). */
    config: z.object({ seeds: z.array(z.number().int().nonnegative()).min(1), physics: z.enum(['deterministic', 'fast']), plannerConfig: z.record(z.string(), z.unknown()) }).strict(),
    scenarios: z.record(z.string(), z.object({ scenarioHash: z.string(), random: Moments, oracle: Moments }).strict()),
  })
  .strict();
export type AnchorFile = z.infer<typeof AnchorFileSpec>;

/** One scenario's anchor, as looked up by the summaries. */
export interface Anchor extends AnchorMoments {
  scenario: string;
  scenarioHash: string;
  /** The file it came from. */
  source: string;
}

/** Anchors by scenario id. */
export type AnchorTable = ReadonlyMap<string, Anchor>;

export function readAnchorFile(path: string): AnchorFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError('E_ANCHORS', `${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(e as Error).message})`}. Regenerate it with \`planarena anchors update --suite S\`.`);
  }
  const parsed = AnchorFileSpec.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError('E_ANCHORS', `${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}. Regenerate it with \`planarena anchors update --suite S\`.`);
  }
  return parsed.data;
}

export function writeAnchorFile(path: string, file: AnchorFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Every anchor in a directory of anchor files. A scenario anchored in several files takes the
 * entry with the most episodes (random + oracle), ties to the first file by name.
 */
export function loadAnchors(dir: string = ANCHORS_DIR): Map<string, Anchor> {
  const out = new Map<string, Anchor>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const file = readAnchorFile(join(dir, f));
    for (const [scenario, e] of Object.entries(file.scenarios)) {
      const prev = out.get(scenario);
      if (prev && prev.random.n + prev.oracle.n >= e.random.n + e.oracle.n) continue;
      out.set(scenario, { scenario, scenarioHash: e.scenarioHash, random: e.random, oracle: e.oracle, source: basename(f) });
    }
  }
  return out;
}

let shipped: { table: Map<string, Anchor>; current: Map<string, string> } | null = null;

/** The shipped anchors (`scenarios/anchors/`), read once per process, and the current hash of
 * every shipped scenario, to tell stale anchors. */
export function shippedAnchors(): AnchorTable {
  return shippedState().table;
}

function shippedState(): { table: Map<string, Anchor>; current: Map<string, string> } {
  if (!shipped) {
    const current = new Map<string, string>();
    for (const id of listScenarios()) current.set(id, scenarioHash(loadScenario(id)));
    shipped = { table: loadAnchors(), current };
  }
  return shipped;
}

/** The current hash of a shipped scenario (undefined for others). */
function currentHash(scenario: string, table: AnchorTable): string | undefined {
  return table === shipped?.table ? shipped.current.get(scenario) : undefined;
}

export type AnchorLookup = { ok: true; anchor: Anchor; span: number } | { ok: false; reason: string };

/**
 * The usable anchor of a scenario, or why there is none. `hash`: the resolved-scenario hash the
 * run used (from its manifest); without it, shipped scenarios are checked against their files.
 */
export function anchorFor(table: AnchorTable, scenario: string, hash?: string): AnchorLookup {
  const anchor = table.get(scenario);
  const fix = `run \`planarena anchors update --suite <suite with ${scenario}>\``;
  if (!anchor) return { ok: false, reason: `no frozen anchor for "${scenario}" (${fix})` };
  const now = hash ?? currentHash(scenario, table);
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
  const n = returns.length;
  const mean = returns.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? returns.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  const raw = (mean - anchor.random.mean) / span;
  const seR2 = anchor.random.sd ** 2 / anchor.random.n;
  const seO2 = anchor.oracle.sd ** 2 / anchor.oracle.n;
  const half = Z95 * Math.sqrt((variance / n + (raw - 1) ** 2 * seR2 + raw ** 2 * seO2) / (span * span));
  const clipped = raw < 0 || raw > 1;
  return {
    value: clip01(raw),
    ci95: [clip01(raw - half), clip01(raw + half)],
    note: clipped ? `clipped from ${raw.toFixed(2)}` : null,
  };
}

/** Mean, sample standard deviation and count of a list of returns, for an anchor entry. */
export function moments(values: readonly number[]): { n: number; mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd };
}

/**
 * The anchor file of a finished `random` + `oracle` run. Refuses a run with crashed episodes (an
 * anchor must not average in failures of the harness) or with a scenario missing either planner.
 */
export function anchorsFromRun(suite: string, manifest: RunManifest, records: readonly EpisodeRecord[]): AnchorFile {
  const crashed = records.filter((r) => r.failure === 'error' || r.failure === 'planner_error');
  if (crashed.length > 0) {
    const c = crashed[0];
    throw new UserError('E_ANCHORS', `${crashed.length} anchor episode(s) crashed (${c.scenario} · ${c.planner} · seed ${c.seed}: ${c.error ?? c.failure}); fix that before freezing anchors.`);
  }
  const hashes = manifest.config.scenarioHashes ?? {};
  const scenarios: AnchorFile['scenarios'] = {};
  for (const id of manifest.config.scenarios) {
    const returns = (planner: string) => records.filter((r) => r.scenario === id && r.planner === planner).map((r) => r.return);
    const random = returns('random');
    const oracle = returns('oracle');
    if (random.length === 0 || oracle.length === 0) throw new UserError('E_ANCHORS', `scenario "${id}" has no ${random.length === 0 ? 'random' : 'oracle'} episodes; anchors need both.`);
    const hash = hashes[id];
    if (!hash) throw new UserError('E_ANCHORS', `the run's manifest has no hash for scenario "${id}"; rerun with this version of planarena.`);
    scenarios[id] = { scenarioHash: hash, random: moments(random), oracle: moments(oracle) };
  }
  return {
    format: ANCHORS_FORMAT,
    suite,
    createdAt: manifest.createdAt,
    git: manifest.git,
    config: { seeds: manifest.config.seeds, physics: manifest.config.physics, plannerConfig: manifest.config.plannerConfig },
    scenarios,
  };
}
