/**
 * Loading family files: read → strict JSON parse → zod schema (`FamilySpec`) → semantic checks
 * → deep freeze, with the same one-line, path-naming errors as scenario files. Shipped
 * families live in `scenarios/families/<id>.json`; wherever a family id is accepted, a path to
 * a `.json` file is accepted too.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.ts';
import { checkSchemaRef, deepFreeze, displayPath, readText, type Checked } from '../fileText.ts';
import { parseJsonText } from '../jsonText.ts';
import { problemsError, type Problem } from '../problems.ts';
import { issuesToProblems } from '../zodIssues.ts';
import { disjoint } from './factors.ts';
import { FamilySpec, type Family } from './FamilySpec.ts';

export const FAMILY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'families');

/** Factors whose ood values share nothing with their train values. */
export function novelFactors(f: Family): string[] {
  const train = f.splits.train as Record<string, unknown>;
  const ood = f.splits.ood as Record<string, unknown>;
  return Object.keys(train).filter((k) => disjoint(train[k], ood[k]));
}

function checkFamily(f: Family): Problem[] {
  const out: Problem[] = [];
  checkSchemaRef(f.$schema, 'family.schema.json', out);
  if (novelFactors(f).length === 0) {
    out.push({ path: ['splits', 'ood'], message: 'every ood factor overlaps its train values, so ood levels are not out of distribution; give at least one factor values train never uses (a range beyond the train range, or choices train does not list)' });
  }
  return out;
}

/** Checks family JSON text; `fileId`, when given, must equal the family's id. */
export function checkFamilyText(text: string, fileId?: string): Checked<Family> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const result = FamilySpec.safeParse(parsed.value);
  if (!result.success) return { ok: false, problems: [...parsed.duplicates, ...issuesToProblems(result.error.issues, FamilySpec, parsed.value)] };
  const problems = [...parsed.duplicates, ...checkFamily(result.data)];
  if (fileId !== undefined && result.data.id !== fileId) {
    problems.push({ path: ['id'], message: `id "${result.data.id}" does not match the file name "${fileId}.json"; level ids use the family id, so rename the file or change the id` });
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: deepFreeze(result.data), problems: [] };
}

const stem = (file: string) => basename(file).replace(/\.json$/i, '');
const cache = new Map<string, Family>();

/** Loads and checks a family file; throws a `UserError` listing every problem. */
export function loadFamilyFile(file: string): Family {
  const abs = resolve(file);
  const checked = checkFamilyText(readText(abs, 'family'), stem(abs));
  if (!checked.ok) throw problemsError('E_FAMILY', displayPath(abs), checked.problems);
  return checked.value;
}

/** A shipped family by id (`scenarios/families/<id>.json`, loaded once), or a family file by path. */
export function loadFamily(idOrPath: string): Family {
  if (idOrPath.endsWith('.json') || idOrPath.includes('/') || idOrPath.includes('\\')) return loadFamilyFile(idOrPath);
  const hit = cache.get(idOrPath);
  if (hit) return hit;
  const file = join(FAMILY_DIR, `${idOrPath}.json`);
  if (!existsSync(file)) throw new UserError('E_UNKNOWN_FAMILY', `unknown family "${idOrPath}"; valid families: ${listFamilies().join(', ')} (or give a path to a family .json file)`);
  const family = loadFamilyFile(file);
  cache.set(idOrPath, family);
  return family;
}

/** Ids of the shipped families, sorted. */
export function listFamilies(): string[] {
  if (!existsSync(FAMILY_DIR)) return [];
  return readdirSync(FAMILY_DIR)
    .filter((f) => f.endsWith('.json'))
    .map(stem)
    .sort();
}

/** Paths of the shipped family files. */
export function familyFiles(): string[] {
  return listFamilies().map((id) => join(FAMILY_DIR, `${id}.json`));
}
