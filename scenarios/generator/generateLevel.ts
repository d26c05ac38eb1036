/**
 * (family, split, level) → one complete, ordinary scenario, the same on every machine.
 *
 * Procgen-style splits: the train split is the fixed set of levels 0 .. trainLevels-1; test
 * levels draw from the same factor ranges but from streams keyed by "test", so no test level is
 * a train level; ood levels draw from the family's ood factor values. Each attempt of a level has
 * its own stream (`Draw.forLevel(family, split, level, attempt)`); a draw the builder finds
 * unsolvable, or that breaks a scenario rule, is redrawn from the next attempt's stream, so the
 * level a number names never changes.
 *
 * The scenario records where it came from in `generated` (family, split, level, difficulty and
 * the drawn factors); its id is the level id (`levelId`), which `scenarios/load.ts` resolves.
 */
import { UserError } from '../../core/errors.ts';
import { deepFreeze } from '../fileText.ts';
import { formatPath } from '../problems.ts';
import { ScenarioSpec, type Scenario, type Split } from '../schema.ts';
import { checkScenario } from '../semantics.ts';
import { isRejection } from './Builder.ts';
import { Draw, factorValue } from './Draw.ts';
import { isRange } from './factors.ts';
import { BUILDERS, type Family } from './FamilySpec.ts';
import { levelId } from './levelId.ts';

/** Draws tried per level before giving up (a family whose ranges are this hard to satisfy is a mistake). */
export const MAX_DRAWS = 200;

const cache = new WeakMap<Family, Map<string, Scenario>>();

/** The level, generated (or from this process's cache: levels are immutable and frozen). */
export function generateLevel(family: Family, split: Split, level: number): Scenario {
  let levels = cache.get(family);
  if (!levels) cache.set(family, (levels = new Map()));
  const key = `${split}/${level}`;
  const hit = levels.get(key);
  if (hit) return hit;
  const scenario = buildLevel(family, split, level);
  levels.set(key, scenario);
  return scenario;
}

/** The level, generated afresh (no cache): what `generateLevel` does on a miss, and what the bench times. */
export function buildLevel(family: Family, split: Split, level: number): Scenario {
  if (!Number.isInteger(level) || level < 0) throw new UserError('E_GENERATE', `level ${level}: levels are whole numbers from 0`);
  if (split === 'train' && level >= family.trainLevels) {
    throw new UserError('E_GENERATE', `family "${family.id}" has ${family.trainLevels} train levels (0-${family.trainLevels - 1}); level ${level} is not one of them. Use split "test" for more levels from the same ranges`);
  }
  const builder = BUILDERS[family.builder];
  const factors = split === 'ood' ? family.splits.ood : family.splits.train;
  const id = levelId(family.id, split, level);
  let last = '';
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    const draft = builder.build(Draw.forLevel(family.id, split, level, attempt), factors as never, { family: family.id, split, level });
    if (isRejection(draft)) {
      last = draft.reject;
      continue;
    }
    const { factors: drawn, description, ...rest } = draft;
    const recorded = Object.fromEntries(Object.entries(drawn).map(([k, v]) => [k, factorValue(v)]));
    const parsed = ScenarioSpec.safeParse({
      id,
      title: `${family.title} · ${split} ${level}`,
      description: `Generated level ${level} of family "${family.id}" (${split} split): ${description}`,
      ...rest,
      tags: [...builder.tags, 'generated'],
      generated: { family: family.id, split, level, difficulty: difficulty(family, drawn), factors: recorded },
    });
    if (!parsed.success) throw new Error(`generator "${family.builder}" built an invalid scenario for ${id}: ${parsed.error.issues.map((i) => `${formatPath(i.path as (string | number)[])}: ${i.message}`).join('; ')}`);
    const problems = checkScenario(parsed.data);
    if (problems.length) {
      last = `${formatPath(problems[0].path)}: ${problems[0].message}`;
      continue;
    }
    return deepFreeze(parsed.data);
  }
  throw new UserError(
    'E_GENERATE',
    `family "${family.id}": ${split} level ${level}: no solvable layout in ${MAX_DRAWS} draws (last reason: ${last}); the factor values in splits.${split === 'ood' ? 'ood' : 'train'} are too tight, widen them`,
  );
}

/**
 * Difficulty: each knob's drawn value placed on its train range (0 = easiest end, 1 = hardest;
 * ood values may fall outside), averaged over the knobs the level has, to two decimals.
 */
export function difficulty(family: Family, drawn: Record<string, number | string>): number {
  const builder = BUILDERS[family.builder];
  const train = family.splits.train as Record<string, unknown>;
  const parts: number[] = [];
  for (const [name, sign] of Object.entries(builder.knobs)) {
    const v = drawn[name];
    const range = train[name];
    if (typeof v !== 'number' || !isRange(range)) continue;
    const t = range[1] > range[0] ? (v - range[0]) / (range[1] - range[0]) : 0.5;
    parts.push(sign > 0 ? t : 1 - t);
  }
  if (parts.length === 0) return 0;
  const mean = parts.reduce((a, b) => a + b, 0) / parts.length;
  const r = Math.round(mean * 100) / 100;
  return r === 0 ? 0 : r;
}
