/**
 * What every loader of planarena's JSON files shares: reading a file with one-line errors,
 * paths for messages, the outcome of checking a document, and deep freezing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../core/errors.ts';
import type { Problem } from './problems.ts';

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

/** The text of a file, or a `UserError` naming the file and what to do. */
export function readText(file: string, kind: string): string {
  if (!existsSync(file)) throw new UserError('E_FILE_NOT_FOUND', `${displayPath(file)}: no such ${kind} file; check the path`);
  if (statSync(file).isDirectory()) throw new UserError('E_FILE_NOT_FOUND', `${displayPath(file)}: is a directory, not a ${kind} file; name a .json file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError('E_FILE_NOT_FOUND', `${displayPath(file)}: cannot read this ${kind} file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`);
  }
}

/** "$schema" should name `expected` (a file name); anything else gets one problem. */
export function checkSchemaRef(ref: string | undefined, expected: string, out: Problem[]): void {
  if (ref === undefined) return;
  const base = ref.split(/[\\/]/).pop();
  if (base !== expected) {
    const known = ['scenario.schema.json', 'suite.schema.json', 'family.schema.json'];
    const hint = base && known.includes(base) ? ` (that is the schema of a ${base.split('.')[0]} file)` : '';
    out.push({ path: ['$schema'], message: `"$schema" should point to ${expected}${hint}, found "${ref}"; use "../${expected}" or remove the field` });
  }
}
