/**
 * What every loader of planarena's JSON files shares: reading a file with one-line errors,
 * paths for messages, the outcome of checking a document, and deep freezing.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../core/errors.ts';
import { MAX_SCENARIO_FILE_BYTES } from './limits.ts';
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

/**
 * The text of a scenario or suite file. Only regular files are read (a FIFO or a device named
 * as a scenario would block or never end), at most {@link MAX_SCENARIO_FILE_BYTES}, and the bytes
 * must be UTF-8: a file saved in another encoding is reported with the position of the first bad
 * byte instead of being silently patched with U+FFFD.
 */
export function readText(file: string, kind: string): string {
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
