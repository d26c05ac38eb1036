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
  /** The seeds; the suite's `defaultSeeds` (else DEFAULT_SEEDS) first seeds when absent. Always
   * a list here: the `--seeds` text is parsed once, by the CLI, and never rebuilt from a list. */
  seeds?: readonly number[];
}

export interface RunPlan {
  suite: string | null;
  scenarios: readonly Scenario[];
  planners: readonly string[];
  seeds: readonly number[];
  episodes: readonly EpisodeSpec[];
}

/** Default number of seeds when neither the request nor a suite says. */
export const DEFAULT_SEEDS = 5;
/** Largest seed: seeds are 31-bit (they key the RNG streams and appear in file names). */
export const MAX_SEED = 2 ** 31 - 1;

/** Checks a seed list: integers from 0 to MAX_SEED, each once, at least one. */
function seedList(seeds: readonly number[]): number[] {
  const bad = seeds.find((s) => !Number.isInteger(s) || s < 0 || s > MAX_SEED);
  if (bad !== undefined) throw new UserError('E_BAD_FLAG', `seed ${bad} is not an integer from 0 to ${MAX_SEED}.`);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new UserError('E_BAD_FLAG', `seed ${dup} appears twice in the seed list.`);
  if (seeds.length === 0) throw new UserError('E_BAD_FLAG', 'the seed list is empty.');
  return [...seeds];
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
  const seeds = req.seeds === undefined ? Array.from({ length: suite?.defaultSeeds ?? DEFAULT_SEEDS }, (_, i) => i) : seedList(req.seeds);

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
