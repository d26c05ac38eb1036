/**
 * The run plan: (suite or scenario list) × planners × seeds expanded into the ordered list of
 * episodes to run. Pure: it resolves names to validated, frozen scenarios and fails early with
 * one-line errors naming the valid choices, before any physics starts.
 *
 * Order: scenario, then seed, then planner — every planner faces the same scenario and seed
 * back to back, which is what a head-to-head viewer wants to show, and what a shard split by
 * position keeps paired.
 */
import { UserError } from '../core/errors.ts';
import type { Scenario, Suite } from '../scenarios/schema.ts';

export interface EpisodeSpec {
  scenario: string;
  planner: string;
  seed: number;
}

/** Where scenarios and suites come from: `scenarios/load.ts`, or fixtures in tests. Both
 * accept an id or a path to a .json file and throw a one-line UserError listing valid ids. */
export interface ScenarioCatalog {
  loadScenario(idOrPath: string): Scenario;
  loadSuite(idOrPath: string): Suite;
}

export interface PlanRequest {
  suite?: string;
  /** Scenario ids; exclusive with `suite`. */
  scenarios?: string[];
  planners: string[];
  /** `--seeds` as typed: a count "N" (seeds 0..N-1) or a list "3,7,9" / "0-4,10"; or the seed
   * list of a recorded run (never turned back into text: "3" would read as a count); the suite's
   * default count when absent. */
  seeds?: string | readonly number[];
}

export interface RunPlan {
  suite: string | null;
  scenarios: readonly Scenario[];
  planners: readonly string[];
  seeds: readonly number[];
  episodes: readonly EpisodeSpec[];
}

/** Default number of seeds when neither `--seeds` nor a suite says. */
export const DEFAULT_SEEDS = 5;
const MAX_SEED = 2 ** 31 - 1;

/**
 * `--seeds` syntax: a bare count `N` means seeds 0..N-1; a comma list of seeds and inclusive
 * ranges (`3,7,9`, `0-4,10`, `7-7` for seed 7 alone) names them explicitly.
 */
export function parseSeeds(value: string | readonly number[] | undefined, fallbackCount: number): number[] {
  if (value === undefined) return range(0, fallbackCount - 1);
  if (typeof value !== 'string') return seedList(value);
  const text = value.trim();
  const bad = (why: string) =>
    new UserError('E_BAD_FLAG', `--seeds "${value}": ${why}. Use a count (--seeds 5 = seeds 0..4) or a list (--seeds 3,7,9 or 0-4,10).`);
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 100_000) throw bad('the count must be between 1 and 100000');
    return range(0, n - 1);
  }
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw bad(`"${part}" is not a seed or a range a-b`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw bad(`range ${part} runs backwards`);
    if (hi > MAX_SEED) throw bad(`seeds must be at most ${MAX_SEED}`);
    if (hi - lo > 100_000) throw bad(`range ${part} is too long`);
    seeds.push(...range(lo, hi));
  }
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw bad(`seed ${dup} appears twice`);
  return seeds;
}

/** A recorded seed list, checked as the text form is. */
function seedList(seeds: readonly number[]): number[] {
  const bad = seeds.find((s) => !Number.isInteger(s) || s < 0 || s > MAX_SEED);
  if (bad !== undefined) throw new UserError('E_BAD_FLAG', `seed ${bad} is not an integer from 0 to ${MAX_SEED}.`);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new UserError('E_BAD_FLAG', `seed ${dup} appears twice in the seed list.`);
  if (seeds.length === 0) throw new UserError('E_BAD_FLAG', 'the seed list is empty.');
  return [...seeds];
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** Splits a comma list flag ("a, b,,c" → [a, b, c]), dropping duplicates but keeping order. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

/** Resolves a request against the catalog. Planner names are checked by the caller (registry). */
export function expandPlan(req: PlanRequest, catalog: ScenarioCatalog): RunPlan {
  if (req.suite !== undefined && req.scenarios !== undefined && req.scenarios.length > 0) {
    throw new UserError('E_BAD_FLAG', 'pass either --suite or --scenarios, not both.');
  }
  if (req.planners.length === 0) throw new UserError('E_BAD_FLAG', 'no planners: pass --planners a,b (see `planarena list planners`).');

  let suite: Suite | null = null;
  let ids: string[];
  if (req.suite !== undefined) {
    suite = catalog.loadSuite(req.suite);
    ids = suite.scenarios;
  } else if (req.scenarios && req.scenarios.length > 0) {
    ids = req.scenarios;
  } else {
    throw new UserError('E_BAD_FLAG', 'nothing to run: pass --suite S or --scenarios a,b (see `planarena list suites`).');
  }

  const scenarios: Scenario[] = [];
  for (const id of ids) {
    const scenario = catalog.loadScenario(id);
    if (scenarios.some((s) => s.id === scenario.id)) throw new UserError('E_BAD_FLAG', `scenario "${scenario.id}" is listed twice; list each scenario once.`);
    scenarios.push(scenario);
  }
  const seeds = parseSeeds(req.seeds, suite?.defaultSeeds ?? DEFAULT_SEEDS);

  const episodes: EpisodeSpec[] = [];
  for (const scenario of scenarios) {
    for (const seed of seeds) {
      for (const planner of req.planners) episodes.push({ scenario: scenario.id, planner, seed });
    }
  }
  return Object.freeze({
    suite: suite?.id ?? null,
    scenarios: Object.freeze(scenarios),
    planners: Object.freeze([...req.planners]),
    seeds: Object.freeze(seeds),
    episodes: Object.freeze(episodes.map((e) => Object.freeze(e))),
  });
}
