/**
 * A `Problem` is one thing wrong with a scenario or suite file, located by a JSON path.
 * Every check (JSON syntax, schema, semantics) reports problems in this one shape so that
 * `planarena validate` can print all of them and the loaders can throw one `UserError`.
 */
import { UserError } from '../core/errors.ts';

export interface Problem {
  /** Where in the document: keys and array indices from the root, e.g. ["obstacles", 2, "size"]. */
  path: readonly (string | number)[];
  /** What is wrong, what was found, and how to fix it, as one sentence or two. */
  message: string;
  /** Text position, for syntax errors (1-based). Printed instead of the path when the path is empty. */
  at?: { line: number; column: number };
}

/** `$.obstacles[2].size`; keys that are not plain identifiers are quoted: `$["my key"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One problem as the CLI prints it: `FILE: $.path: message`. */
export function formatProblem(file: string, p: Problem): string {
  return `${file}: ${where(p)}: ${p.message}`;
}

function where(p: Problem): string {
  if (p.at && p.path.length === 0) return `line ${p.at.line}, column ${p.at.column}`;
  return formatPath(p.path);
}

/**
 * One `UserError` for a bad file. The CLI prints errors on one line, so several problems are
 * joined with "; " after a count; `planarena validate FILE` lists them one per line.
 */
export function problemsError(code: string, file: string, problems: readonly Problem[]): UserError {
  if (problems.length === 1) return new UserError(code, formatProblem(file, problems[0]));
  const each = problems.map((p) => `${where(p)}: ${p.message}`).join('; ');
  return new UserError(code, `${file}: ${problems.length} problems: ${each}`);
}

/** A short, quoted rendering of a JSON value for messages: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON.stringify writes Infinity and NaN as null, which would misreport the value.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // Only reachable for values that cannot come out of JSON.parse; describe by type instead.
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A length or time for messages: at most 3 decimals, no trailing zeros. */
export const fmtNum = (v: number): string => String(Math.round(v * 1000) / 1000);
export const fmtPoint = (p: readonly number[]): string => `[${p.map(fmtNum).join(', ')}]`;

/** The JSON type name of a value as users think of it: "string", "array", "object", "null"... */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** The value at `path` inside `root`, or undefined when the path leaves the document. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}
