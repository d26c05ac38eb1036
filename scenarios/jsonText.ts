/**
 * Strict JSON parsing with positions. `JSON.parse` reports a syntax error as an offset (or, in
 * some Node versions, not at all) and silently keeps the last of two equal keys; scenario
 * authors need the line and column, a hint at the usual culprits (trailing commas, comments,
 * single quotes), and to hear about duplicate keys. This small recursive-descent parser gives
 * all three. Files are a few kilobytes, so speed does not matter.
 *
 * Hostile input gets the same treatment as typos: nesting deeper than {@link MAX_JSON_DEPTH}
 * (which would otherwise overflow this recursive parser's stack), numbers too large for a
 * double (`1e999`), and raw control characters such as NUL inside strings are each reported
 * with their line and column.
 */
import { MAX_JSON_DEPTH } from './limits.ts';
import type { Problem } from './problems.ts';

export type JsonResult = { ok: true; value: unknown; duplicates: Problem[] } | { ok: false; problem: Problem };

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** 1-based line and column of `offset` in `text` (columns count UTF-16 units). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function parseJsonText(text: string): JsonResult {
  const duplicates: Problem[] = [];
  let i = 0;
  // A leading byte-order mark is common in files saved by Windows editors; JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) i = 1;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(at, message);
  };

  const skipSpace = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail('comments are not allowed in JSON; delete the comment');
      else return;
    }
  };

  const describeHere = (): string => {
    if (i >= text.length) return 'the end of the file';
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 40));
    if (word) return `"${word[0]}"`;
    const code = text.charCodeAt(i);
    return code < 0x20 || code === 0x7f ? `the control character ${controlName(code)}` : `"${text[i]}"`;
  };

  let depth = 0;
  const enter = () => {
    if (++depth > MAX_JSON_DEPTH) fail(`arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels here; a scenario needs at most 6, so flatten the document`);
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('string is never closed; add the closing double quote', start);
      if (c === '"') break;
      if (c === '\n') fail('line break inside a string; close the string with a double quote before the end of the line', start);
      const code = text.charCodeAt(i);
      if (code < 0x20) fail(`${controlName(code)} inside a string; JSON strings cannot hold raw control characters: delete it or write it as \\u${code.toString(16).padStart(4, '0')}`);
      if (c === '\\') i++;
      i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      // Bad escapes are the only way a well-delimited string fails to parse.
      return fail('invalid escape sequence in string; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX', start);
    }
  };

  const parseValue = (path: (string | number)[]): unknown => {
    skipSpace();
    const c = text[i];
    if (c === '{') return parseObject(path);
    if (c === '[') return parseArray(path);
    if (c === '"') return parseString();
    if (c === "'") fail('strings must use double quotes, not single quotes');
    const num = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 64));
    if (num && num[0].length > 0 && /[-0-9]/.test(c ?? '')) {
      const value = Number(num[0]);
      // JSON.parse would turn 1e999 into Infinity, which then reads as null in every message.
      if (!Number.isFinite(value)) fail(`the number ${num[0]} is too large for a double (the largest is about 1.8e308); write a smaller number`);
      i += num[0].length;
      return value;
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i) && !/[A-Za-z0-9_]/.test(text[i + word.length] ?? '')) {
        i += word.length;
        return value;
      }
    }
    if (c === undefined) return fail('the file ends where a value was expected; the document is incomplete');
    if (c === '}' || c === ']') return fail(`expected a value, found "${c}"; if a comma comes just before it, delete that trailing comma (JSON allows none)`);
    return fail(`expected a value (number, "string", true, false, null, [array] or {object}), found ${describeHere()}; NaN, Infinity and unquoted words are not JSON`);
  };

  const parseArray = (path: (string | number)[]): unknown[] => {
    const out: unknown[] = [];
    enter();
    i++;
    skipSpace();
    if (text[i] === ']') {
      i++;
      depth--;
      return out;
    }
    for (;;) {
      out.push(parseValue([...path, out.length]));
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (text[i] === ']') fail('trailing comma before "]"; delete it (JSON allows no trailing commas)');
        continue;
      }
      if (text[i] === ']') {
        i++;
        depth--;
        return out;
      }
      fail(`expected "," or "]" after an array item, found ${describeHere()}; add the missing comma or close the array`);
    }
  };

  const parseObject = (path: (string | number)[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, number>();
    enter();
    i++;
    skipSpace();
    if (text[i] === '}') {
      i++;
      depth--;
      return out;
    }
    for (;;) {
      skipSpace();
      if (text[i] === '}') fail('trailing comma before "}"; delete it (JSON allows no trailing commas)');
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describeHere()}; quote the key like "name"`);
      const keyAt = i;
      const key = parseString();
      skipSpace();
      if (text[i] !== ':') fail(`expected ":" after the property name "${key}", found ${describeHere()}`);
      i++;
      const value = parseValue([...path, key]);
      const first = seen.get(key);
      if (first !== undefined) {
        const { line } = lineColumn(text, first);
        const here = lineColumn(text, keyAt);
        duplicates.push({
          path: [...path, key],
          message: `duplicate key "${key}" (lines ${line} and ${here.line}); JSON keeps only the last one, so delete one of them`,
        });
      }
      seen.set(key, keyAt);
      // Define rather than assign so that a key named "__proto__" stays a plain key.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        depth--;
        return out;
      }
      fail(`expected "," or "}" after the value of "${key}", found ${describeHere()}; add the missing comma or close the object`);
    }
  };

  try {
    const value = parseValue([]);
    skipSpace();
    if (i < text.length) fail(`unexpected ${describeHere()} after the end of the document; a file holds exactly one JSON value`);
    return { ok: true, value, duplicates };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return { ok: false, problem: { path: [], at: lineColumn(text, e.offset), message: `invalid JSON: ${e.message}` } };
  }
}

const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 9: 'tab', 10: 'line feed', 13: 'carriage return', 0x7f: 'DEL' };

/** "U+0000 (NUL)": a control character named so that a reader can find it. */
function controlName(code: number): string {
  const name = CONTROL_NAMES[code];
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${name ? ` (${name})` : ''}`;
}
