/**
 * Loading scenario and suite files: read → strict JSON parse → zod schema → semantic checks →
 * deep freeze. Every failure is a `UserError` naming the file, the JSON path, what was expected,
 * what was found and the fix (see `problems.ts`). Everything that runs a scenario gets it from
 * here, so it has passed every check and cannot be mutated.
 *
 * Shipped scenarios live in `scenarios/files/<id>.json`, suites in `scenarios/suites/<id>.json`.
 * Wherever an id is accepted, a path to a `.json` file is accepted too. A generated level's id
 * (`<family>-<split>-<level>`, see `generator/levelId.ts`) names a scenario too: it is generated
 * from its family file on first use. A suite's `generate` entries become such ids.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { deepFreeze, displayPath, readText, type Checked } from './fileText.ts';
import { checkFamilyText, familyFiles, listFamilies, loadFamily } from './generator/FamilyCatalog.ts';
import { generateLevel } from './generator/generateLevel.ts';
import { levelId, parseLevelId } from './generator/levelId.ts';
import { parseJsonText } from './jsonText.ts';
import { problemsError, type Problem } from './problems.ts';
import { ScenarioSpec, SuiteSpec, type Scenario, type Suite } from './schema.ts';
import { checkScenario, checkSuite, type SuiteCatalog } from './semantics.ts';
import { issuesToProblems } from './zodIssues.ts';

export { deepFreeze, displayPath, type Checked } from './fileText.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = join(HERE, 'files');
export const SUITE_DIR = join(HERE, 'suites');

export type FileKind = 'scenario' | 'suite' | 'family';

/** Parses and checks a document against a schema, then runs the semantic checks. */
function checkText<T>(text: string, schema: z.ZodType<T>, semantics: (value: T) => Problem[], fileId?: string): Checked<T> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const result = schema.safeParse(parsed.value);
  if (!result.success) return { ok: false, problems: [...parsed.duplicates, ...issuesToProblems(result.error.issues, schema, parsed.value)] };
  const problems = [...parsed.duplicates, ...semantics(result.data)];
  const id = (result.data as { id?: string }).id;
  if (fileId !== undefined && id !== fileId) {
    problems.push({ path: ['id'], message: `id "${id}" does not match the file name "${fileId}.json"; runs and reports use the id, so rename the file or change the id` });
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: deepFreeze(result.data), problems: [] };
}

/** Checks scenario JSON text. `fileId`, when given, must equal the scenario's id. */
export function checkScenarioText(text: string, fileId?: string): Checked<Scenario> {
  return checkText(text, ScenarioSpec, checkScenario, fileId);
}

/** What suites may name: shipped scenarios, generated levels of shipped families, those families. */
export function shippedCatalog(): SuiteCatalog {
  const scenarios = listScenarios();
  const families = listFamilies();
  return {
    scenarios,
    families,
    isScenario: (id) => scenarios.includes(id) || isLevelOfShippedFamily(id),
    trainLevels: (family) => (families.includes(family) ? loadFamily(family).trainLevels : undefined),
  };
}

function isLevelOfShippedFamily(id: string): boolean {
  const ref = parseLevelId(id);
  if (!ref || !listFamilies().includes(ref.family)) return false;
  return ref.split !== 'train' || ref.level < loadFamily(ref.family).trainLevels;
}

/** Checks suite JSON text; the scenarios and families it names must be in `catalog` (default: shipped). */
export function checkSuiteText(text: string, fileId?: string, catalog: SuiteCatalog = shippedCatalog()): Checked<Suite> {
  const checked = checkText(text, SuiteSpec, (s) => checkSuite(s, catalog), fileId);
  if (!checked.ok || checked.value.generate.length === 0) return checked;
  // Generated levels join the scenario list, so that everything downstream sees plain ids.
  const value = checked.value;
  const generated = value.generate.flatMap((g) => Array.from({ length: g.count }, (_, k) => levelId(g.family, g.split, g.start + k)));
  return { ok: true, value: deepFreeze({ ...value, scenarios: [...value.scenarios, ...generated] }), problems: [] };
}

/** Checks family JSON text (see `generator/FamilyCatalog.ts`). */
export { checkFamilyText } from './generator/FamilyCatalog.ts';

const stem = (file: string) => basename(file).replace(/\.json$/i, '');

/** Loads and checks a scenario file; throws a `UserError` listing every problem. */
export function loadScenarioFile(file: string): Scenario {
  const abs = resolve(file);
  const text = readText(abs, 'scenario');
  if (sniffKind(text) === 'suite') {
    throw new UserError('E_SCENARIO', `${displayPath(abs)}: is a suite file, not a scenario; pass it where a suite is expected (planarena run --suite ${displayPath(abs)})`);
  }
  const checked = checkScenarioText(text, stem(abs));
  if (!checked.ok) throw problemsError('E_SCENARIO', displayPath(abs), checked.problems);
  return checked.value;
}

const looksLikePath = (s: string) => s.endsWith('.json') || s.includes('/') || s.includes('\\');

/**
 * Loads a shipped scenario by id (`scenarios/files/<id>.json`), a generated level by its id
 * (`rooms-test-12`: generated from `scenarios/families/rooms.json`), or a scenario file by path.
 */
export function loadScenario(idOrPath: string): Scenario {
  if (looksLikePath(idOrPath)) return loadScenarioFile(idOrPath);
  const file = join(SCENARIO_DIR, `${idOrPath}.json`);
  if (existsSync(file)) return loadScenarioFile(file);
  const ref = parseLevelId(idOrPath);
  if (ref && listFamilies().includes(ref.family)) return generateLevel(loadFamily(ref.family), ref.split, ref.level);
  throw new UserError(
    'E_UNKNOWN_SCENARIO',
    `unknown scenario "${idOrPath}"; valid scenarios: ${listScenarios().join(', ')}, or a generated level <family>-<train|test|ood>-<level> of a family (${listFamilies().join(', ')}), or a path to a .json file`,
  );
}

/** Loads a suite by id (`scenarios/suites/<id>.json`) or by path. */
export function loadSuite(idOrPath: string): Suite {
  let file: string;
  if (looksLikePath(idOrPath)) file = resolve(idOrPath);
  else {
    file = join(SUITE_DIR, `${idOrPath}.json`);
    if (!existsSync(file)) throw new UserError('E_UNKNOWN_SUITE', `unknown suite "${idOrPath}"; valid suites: ${listSuites().join(', ')} (or give a path to a .json file)`);
  }
  const text = readText(file, 'suite');
  if (sniffKind(text) === 'scenario') {
    throw new UserError('E_SUITE', `${displayPath(file)}: is a scenario file, not a suite; pass it where scenarios are expected (planarena run --scenarios ${displayPath(file)})`);
  }
  const checked = checkSuiteText(text, stem(file));
  if (!checked.ok) throw problemsError('E_SUITE', displayPath(file), checked.problems);
  return checked.value;
}

/** The scenarios of a suite (generated levels included), loaded and checked, in the suite's order. */
export function loadSuiteScenarios(suite: Suite): Scenario[] {
  return suite.scenarios.map((id) => loadScenario(id));
}

function idsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map(stem)
    .sort();
}

/** Ids of the shipped scenarios, sorted. */
export function listScenarios(): string[] {
  return idsIn(SCENARIO_DIR);
}

/** Ids of the shipped suites, sorted. */
export function listSuites(): string[] {
  return idsIn(SUITE_DIR);
}

/**
 * Whether a file holds a scenario, a suite or a family: by its keys (a scenario has `robot` or
 * `goal`, a suite has `scenarios` or `generate`, a family has `builder` or `splits`), then its
 * `$schema`, then its folder (`suites/`, `families/`). Keys come first so that a scenario
 * pointing at the wrong `$schema` is still checked as a scenario and told so. Unparsable files
 * count as scenarios, the common case, so their syntax error gets reported.
 */
export function detectKind(file: string, text: string): FileKind {
  const folder = basename(dirname(resolve(file)));
  return sniffKind(text) ?? (folder === 'suites' ? 'suite' : folder === 'families' ? 'family' : 'scenario');
}

/** The kind a document's content shows, or undefined when it shows none (or does not parse). */
export function sniffKind(text: string): FileKind | undefined {
  const parsed = parseJsonText(text);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return undefined;
  const doc = parsed.value as Record<string, unknown>;
  if ('robot' in doc || 'goal' in doc) return 'scenario';
  if ('scenarios' in doc || 'generate' in doc) return 'suite';
  if ('builder' in doc || 'splits' in doc) return 'family';
  if (typeof doc.$schema === 'string') {
    if (doc.$schema.endsWith('suite.schema.json')) return 'suite';
    if (doc.$schema.endsWith('scenario.schema.json')) return 'scenario';
    if (doc.$schema.endsWith('family.schema.json')) return 'family';
  }
  return undefined;
}

/** Checks any scenario, suite or family file without throwing on its content (missing files still throw). */
export function checkFile(file: string): { kind: FileKind } & Checked<unknown> {
  const abs = resolve(file);
  const text = readText(abs, 'scenario, suite or family');
  const kind = detectKind(abs, text);
  const checked = kind === 'suite' ? checkSuiteText(text, stem(abs)) : kind === 'family' ? checkFamilyText(text, stem(abs)) : checkScenarioText(text, stem(abs));
  return { kind, ...checked };
}

/** Paths of every shipped scenario, suite and family file. */
export function shippedFiles(): string[] {
  return [...listScenarios().map((id) => join(SCENARIO_DIR, `${id}.json`)), ...listSuites().map((id) => join(SUITE_DIR, `${id}.json`)), ...familyFiles()];
}

export { listFamilies, loadFamily } from './generator/FamilyCatalog.ts';
