/**
 * Loading scenario and suite files: read → strict JSON parse → zod schema → semantic checks →
 * deep freeze. Every failure is a `UserError` naming the file, the JSON path, what was expected,
 * what was found and the fix (see `problems.ts`). Everything that runs a scenario gets it from
 * here, so it has passed every check and cannot be mutated.
 *
 * Shipped scenarios live in `scenarios/files/<id>.json`, suites in `scenarios/suites/<id>.json`.
 * Wherever an id is accepted, a path to a `.json` file is accepted too.
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { parseJsonText } from './jsonText.ts';
import { MAX_SCENARIO_FILE_BYTES } from './limits.ts';
import { problemsError, type Problem } from './problems.ts';
import { ScenarioSpec, SuiteSpec, type Scenario, type Suite } from './schema.ts';
import { checkScenario, checkSuite } from './semantics.ts';
import { issuesToProblems } from './zodIssues.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = join(HERE, 'files');
export const SUITE_DIR = join(HERE, 'suites');

export type FileKind = 'scenario' | 'suite';

/** The outcome of checking one file: its problems, and the frozen value when there are none. */
export type Checked<T> = { ok: true; value: T; problems: [] } | { ok: false; problems: Problem[] };

/** A path for messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && rel.length < file.length ? rel : file;
}

/** Recursively freezes a parsed document (plain objects and arrays only). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The text of a scenario or suite file. Only regular files are read (a FIFO or a device named
 * as a scenario would block or never end), at most {@link MAX_SCENARIO_FILE_BYTES}, and the bytes
 * must be UTF-8: a file saved in another encoding is reported with the position of the first bad
 * byte instead of being silently patched with U+FFFD.
 */
function readText(file: string, kind: string): string {
  const shown = displayPath(file);
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError('E_FILE_NOT_FOUND', `${shown}: no such ${kind} file; check the path`);
    throw new UserError('E_FILE_NOT_FOUND', `${shown}: cannot read this ${kind} file (${code ?? (e as Error).message}); check its permissions`);
  }
  if (st.isDirectory()) throw new UserError('E_FILE_NOT_FOUND', `${shown}: is a directory, not a ${kind} file; name a .json file`);
  if (!st.isFile()) throw new UserError('E_NOT_A_FILE', `${shown}: is ${fileTypeName(st)}, not a regular file; name a .json file`);
  if (st.size > MAX_SCENARIO_FILE_BYTES) {
    throw new UserError('E_FILE_TOO_LARGE', `${shown}: ${st.size} bytes is more than the ${MAX_SCENARIO_FILE_BYTES}-byte limit for a ${kind} file; a scenario needs a few kilobytes (see docs/limits.md)`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError('E_FILE_NOT_FOUND', `${shown}: cannot read this ${kind} file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`);
  }
  return decodeUtf8(bytes, shown);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, or throws a `UserError` naming the line, column and byte of the first bad sequence. */
export function decodeUtf8(bytes: Uint8Array, shown: string): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at; k++) {
      if (bytes[k] === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    const hex = `0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')}`;
    throw new UserError('E_ENCODING', `${shown}: line ${line}, column ${at - lineStart + 1}: invalid UTF-8 (byte ${hex} at offset ${at}); save the file as UTF-8`);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
      if (k === 1 && ((c === 0xe0 && x < 0xa0) || (c === 0xed && x > 0x9f) || (c === 0xf0 && x < 0x90) || (c === 0xf4 && x > 0x8f))) return i;
    }
    i += n + 1;
  }
  return b.length - 1;
}

function fileTypeName(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

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

/** Checks suite JSON text; the scenario ids it names must be among `known` (default: shipped). */
export function checkSuiteText(text: string, fileId?: string, known: readonly string[] = listScenarios()): Checked<Suite> {
  return checkText(text, SuiteSpec, (s) => checkSuite(s, known), fileId);
}

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

/** Loads a shipped scenario by id (`scenarios/files/<id>.json`), or a scenario file by path. */
export function loadScenario(idOrPath: string): Scenario {
  if (looksLikePath(idOrPath)) return loadScenarioFile(idOrPath);
  const file = join(SCENARIO_DIR, `${idOrPath}.json`);
  if (!existsSync(file)) throw new UserError('E_UNKNOWN_SCENARIO', `unknown scenario "${idOrPath}"; valid scenarios: ${listScenarios().join(', ')} (or give a path to a .json file)`);
  return loadScenarioFile(file);
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

/** The scenarios of a suite, loaded and checked, in the suite's order. */
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
 * Whether a file holds a scenario or a suite: by its keys (a scenario has `robot` or `goal`, a
 * suite has `scenarios`), then its `$schema`, then its folder (`suites/`). Keys come first so
 * that a scenario pointing at the wrong `$schema` is still checked as a scenario and told so.
 * Unparsable files count as scenarios, the common case, so their syntax error gets reported.
 */
export function detectKind(file: string, text: string): FileKind {
  return sniffKind(text) ?? (basename(dirname(resolve(file))) === 'suites' ? 'suite' : 'scenario');
}

/** The kind a document's content shows, or undefined when it shows none (or does not parse). */
export function sniffKind(text: string): FileKind | undefined {
  const parsed = parseJsonText(text);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return undefined;
  const doc = parsed.value as Record<string, unknown>;
  if ('robot' in doc || 'goal' in doc) return 'scenario';
  if ('scenarios' in doc) return 'suite';
  if (typeof doc.$schema === 'string') {
    if (doc.$schema.endsWith('suite.schema.json')) return 'suite';
    if (doc.$schema.endsWith('scenario.schema.json')) return 'scenario';
  }
  return undefined;
}

/** Checks any scenario or suite file without throwing on its content (missing files still throw). */
export function checkFile(file: string): { kind: FileKind } & Checked<Scenario | Suite> {
  const abs = resolve(file);
  const text = readText(abs, 'scenario or suite');
  const kind = detectKind(abs, text);
  const checked = kind === 'suite' ? checkSuiteText(text, stem(abs)) : checkScenarioText(text, stem(abs));
  return { kind, ...checked };
}

/** Paths of every shipped scenario and suite file. */
export function shippedFiles(): string[] {
  return [...listScenarios().map((id) => join(SCENARIO_DIR, `${id}.json`)), ...listSuites().map((id) => join(SUITE_DIR, `${id}.json`))];
}
