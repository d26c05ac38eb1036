/**
 * Anchor files: `scenarios/anchors/<suite>.json`, committed with the scenario suites, written
 * only by `planarena anchors update --suite S` and read by every summary. Per scenario they hold
 * the mean, standard deviation and count of the `random` and `oracle` planners' returns and the
 * scenario's resolved hash (the normalisation itself, and why a score is refused, is in
 * `core/anchors.ts`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { moments, type Anchor, type AnchorTable } from '../core/anchors.ts';
import { UserError } from '../core/errors.ts';
import { scenarioHash } from '../core/manifest.ts';
import type { EpisodeRecord, RunManifest } from '../core/records.ts';
import { listScenarios, loadScenario, SCENARIO_DIR } from './load.ts';

export const ANCHORS_FORMAT = 'planarena-anchors/1';
/** Where the shipped anchor files live (next to `scenarios/files/` and `scenarios/suites/`). */
export const ANCHORS_DIR = join(dirname(SCENARIO_DIR), 'anchors');

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
 * entry with the most episodes (random + oracle), ties to the first file by name. `current`:
 * the hash of each scenario as it is now, attached so stale anchors are refused.
 */
export function loadAnchors(dir: string = ANCHORS_DIR, current: ReadonlyMap<string, string> = new Map()): Map<string, Anchor> {
  const out = new Map<string, Anchor>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const file = readAnchorFile(join(dir, f));
    for (const [scenario, e] of Object.entries(file.scenarios)) {
      const prev = out.get(scenario);
      if (prev && prev.random.n + prev.oracle.n >= e.random.n + e.oracle.n) continue;
      const now = current.get(scenario);
      out.set(scenario, { scenario, scenarioHash: e.scenarioHash, random: e.random, oracle: e.oracle, source: basename(f), ...(now !== undefined ? { currentHash: now } : {}) });
    }
  }
  return out;
}

let shipped: Map<string, Anchor> | null = null;

/** The shipped anchors (`scenarios/anchors/`), each with the current hash of its shipped
 * scenario; read once per process. */
export function shippedAnchors(): AnchorTable {
  if (!shipped) {
    const current = new Map<string, string>();
    for (const id of listScenarios()) current.set(id, scenarioHash(loadScenario(id)));
    shipped = loadAnchors(ANCHORS_DIR, current);
  }
  return shipped;
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
