/**
 * Turns zod issues into `Problem`s a scenario author can act on: each names what was expected,
 * what the file holds at that JSON path, and the fix. Where zod's issue lacks context (the valid
 * keys of an object, the choices of a discriminated union), the schema is walked along the
 * issue's path to find it, so the messages stay right when the schema grows.
 */
import type { z } from 'zod';
import { jsonType, showValue, valueAt, type Problem } from './problems.ts';

type Path = (string | number)[];
/** The parts of zod 4's internal definition we read; `_zod.def` is zod's documented introspection surface. */
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  items?: Schema[];
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  in?: Schema;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean } } }[];
}
type Schema = { _zod: { def: Def } };

const def = (s: Schema): Def => s._zod.def;

/** Removes optional/default/nullable/pipe wrappers. */
function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'readonly' || d.type === 'prefault') && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

/** The sub-schema at `path`, following the data through discriminated unions; undefined if lost. */
export function schemaAt(root: z.ZodType, path: readonly (string | number)[], data: unknown): Schema | undefined {
  let s: Schema | undefined = root as unknown as Schema;
  for (let k = 0; k <= path.length && s; k++) {
    s = unwrap(s);
    const d = def(s);
    if (d.type === 'union') {
      const here = valueAt(data, path.slice(0, k));
      const branch = d.discriminator ? pickByDiscriminator(d, here) : pickUnionBranch(d, here);
      // At the end of the path an undecidable union is itself the answer ("one of ...").
      if (!branch) return k === path.length ? s : undefined;
      s = unwrap(branch);
    }
    if (k === path.length) return s;
    const part = path[k];
    const dd = def(s);
    if (dd.type === 'object' && typeof part === 'string') s = dd.shape?.[part];
    else if (dd.type === 'tuple' && typeof part === 'number') s = dd.items?.[part];
    else if (dd.type === 'array') s = dd.element;
    else return undefined;
  }
  return s;
}

function pickByDiscriminator(d: Def, value: unknown): Schema | undefined {
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[d.discriminator!] : undefined;
  return d.options?.find((o) => literalValues(unwrap(o), d.discriminator!).includes(tag));
}

/** For a plain union, the first branch whose JSON type matches the value. */
function pickUnionBranch(d: Def, value: unknown): Schema | undefined {
  const t = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (Array.isArray(value)) {
    const sameLength = d.options?.find((o) => def(unwrap(o)).type === 'tuple' && def(unwrap(o)).items?.length === value.length);
    if (sameLength) return sameLength;
  }
  return d.options?.find((o) => {
    const ot = def(unwrap(o)).type;
    return ot === t || (t === 'array' && ot === 'tuple') || (t === 'boolean' && ot === 'literal');
  });
}

function literalValues(obj: Schema, key: string): unknown[] {
  const field = obj._zod.def.shape?.[key];
  if (!field) return [];
  const fd = def(unwrap(field));
  return fd.values ?? [];
}

/** Valid keys of the object schema at `path`, for "unknown key" messages. */
function keysAt(root: z.ZodType, path: Path, data: unknown): string[] {
  const s = schemaAt(root, path, data);
  return s && def(s).type === 'object' ? Object.keys(def(s).shape ?? {}) : [];
}

/** A short human description of what a schema accepts: "a number", "[x, y] (2 numbers)", ... */
export function describeSchema(s: Schema, depth = 0): string {
  const u = unwrap(s);
  const d = def(u);
  switch (d.type) {
    case 'number': {
      const bounds = (d.checks ?? []).map((c) => c._zod.def).filter((c) => c.check === 'greater_than' || c.check === 'less_than');
      const text = bounds.map((c) => `${c.check === 'greater_than' ? (c.inclusive ? '>=' : '>') : c.inclusive ? '<=' : '<'} ${c.value}`);
      return text.length ? `a number ${text.join(' and ')}` : 'a number';
    }
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'literal':
    case 'enum':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' or ');
    case 'tuple': {
      const items = d.items ?? [];
      if (items.every((i) => def(unwrap(i)).type === 'number')) return `an array of ${items.length} numbers`;
      if (items.every((i) => isNumberPair(i))) return `an array of ${items.length} ranges [lo, hi]`;
      if (depth > 1) return `an array of ${items.length} items`;
      return `an array [${items.map((i) => describeSchema(i, depth + 1)).join(', ')}]`;
    }
    case 'array': {
      const el = def(unwrap(d.element!));
      if (el.type === 'tuple' && el.items?.every((i) => def(unwrap(i)).type === 'number')) return `an array of [${['x', 'y', 'z', 'w'].slice(0, el.items.length).join(', ')}] points`;
      if (el.type === 'object') return 'an array of objects';
      if (el.type === 'string') return 'an array of strings';
      if (el.type === 'number') return 'an array of numbers';
      return 'an array';
    }
    case 'object': {
      const keys = Object.keys(d.shape ?? {});
      return depth > 0 || keys.length > 6 ? 'an object' : `an object {${keys.join(', ')}}`;
    }
    case 'union':
      if (d.discriminator) {
        const tags = (d.options ?? []).flatMap((o) => literalValues(unwrap(o), d.discriminator!)).map(String);
        return `an object with "${d.discriminator}": ${tags.join(', ')}`;
      }
      return (d.options ?? []).map((o) => describeSchema(o, depth + 1)).join(', or ');
    default:
      return d.type;
  }
}

function isNumberPair(s: Schema): boolean {
  const d = def(unwrap(s));
  return d.type === 'tuple' && d.items?.length === 2 && d.items.every((i) => def(unwrap(i)).type === 'number');
}

/** Nouns for enum-valued fields so that messages read "valid robots: ...". */
function choiceNoun(path: Path): string {
  const key = [...path].reverse().find((p) => typeof p === 'string') as string | undefined;
  const parent = path.length >= 2 ? path[path.length - 2] : undefined;
  if (key === 'type' && parent === 'robot') return 'robot';
  if (key === 'type' && parent === 'goal') return 'goal type';
  if (key === 'builder' || key === 'split') return key;
  return key ? `"${key}" value` : 'value';
}

/** Closest candidate by edit distance, when close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "a string \"x\"", "null", "nothing": what the file holds, for messages. */
function foundText(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  return `${jsonType(v)} ${showValue(v)}`;
}

/** Converts every issue of a failed `safeParse` of `data` against `root` into problems. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], root: z.ZodType, data: unknown, prefix: Path = []): Problem[] {
  // zod still runs length checks on a value of the wrong type; the type error says it all.
  const wrongType = new Set(issues.filter((i) => i.code === 'invalid_type').map((i) => JSON.stringify(i.path)));
  return issues
    .filter((i) => i.code === 'invalid_type' || !wrongType.has(JSON.stringify(i.path)))
    .flatMap((issue) => issueToProblems(issue, root, data, [...prefix, ...(issue.path as Path)]));
}

function issueToProblems(issue: z.core.$ZodIssue, root: z.ZodType, data: unknown, path: Path): Problem[] {
  const found = valueAt(data, path);
  const last = path[path.length - 1];
  const schema = () => schemaAt(root, path, data);
  const expected = () => {
    const s = schema();
    return s ? describeSchema(s) : 'a different value';
  };
  switch (issue.code) {
    case 'invalid_type': {
      if (found === undefined) {
        const what = typeof last === 'number' ? `item ${last}` : `field "${String(last ?? 'document')}"`;
        return [{ path, message: `missing required ${what}; add it: ${expected()}` }];
      }
      const hint = issue.expected === 'number' && typeof found === 'string' && Number.isFinite(Number(found)) ? '; write the number without quotes' : '';
      const int = issue.expected === 'int' ? 'a whole number' : expected();
      return [{ path, message: `expected ${int}, found ${foundText(found)}${hint || `; replace it with ${int}`}` }];
    }
    case 'unrecognized_keys': {
      const valid = keysAt(root, path, data);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, valid);
        return {
          path: [...path, key],
          message: `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; valid keys here: ${valid.join(', ')}`,
        };
      });
    }
    case 'invalid_value': {
      const choices = issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const noun = choiceNoun(path);
      const guess = typeof found === 'string' ? didYouMean(found, choices) : undefined;
      if (found === undefined) return [{ path, message: `missing required field "${String(last)}"; add it, one of: ${choices.join(', ')}` }];
      if (choices.length === 1) return [{ path, message: `expected ${JSON.stringify(issue.values[0])}, found ${showValue(found)}` }];
      return [{ path, message: `unknown ${noun} ${showValue(found)}${guess ? ` (did you mean "${guess}"?)` : ''}; valid ${noun}s: ${choices.join(', ')}` }];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const unionSchema = schemaAt(root, path.slice(0, -1), {});
        const options = unionSchema ? (def(unionSchema).options ?? []).flatMap((o) => literalValues(unwrap(o), issue.discriminator!)) : [];
        const choices = options.map(String);
        const noun = choiceNoun(path);
        if (found === undefined) return [{ path, message: `missing required field "${issue.discriminator}"; add it, one of: ${choices.join(', ')}` }];
        const guess = typeof found === 'string' ? didYouMean(found, choices) : undefined;
        return [{ path, message: `unknown ${noun} ${showValue(found)}${guess ? ` (did you mean "${guess}"?)` : ''}; valid ${noun}s: ${choices.join(', ')}` }];
      }
      // A branch whose every issue lies below this path matched the value's shape: report those.
      const deep = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (deep) return issuesToProblems(deep, root, data, path);
      if (found === undefined) return [{ path, message: `missing required field "${String(last)}"; add it: ${expected()}` }];
      return [{ path, message: `expected ${expected()}, found ${foundText(found)}` }];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const inclusive = (issue as { inclusive?: boolean }).inclusive;
      if (issue.origin === 'array' || issue.origin === 'set') {
        const n = Array.isArray(found) ? found.length : 0;
        const s = schema();
        if (s && def(s).type === 'tuple') return [{ path, message: `expected exactly ${plural(def(s).items!.length, 'item')} (${expected()}), found ${plural(n, 'item')}: ${showValue(found)}` }];
        const message = small ? `needs at least ${plural(Number(limit), 'item')}, found ${n}` : `allows at most ${plural(Number(limit), 'item')}, found ${n}`;
        return [{ path, message: issue.message && !issue.message.startsWith('Too') ? `${issue.message}, found ${n}` : message }];
      }
      if (issue.origin === 'string') return [{ path, message: small && Number(limit) === 1 ? 'must not be empty; write some text' : `${issue.message}, found ${showValue(found)}` }];
      const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      // A schema's own message (it says why the bound exists) beats zod's default "Too small...".
      if (issue.message && !issue.message.startsWith('Too')) return [{ path, message: `${issue.message}, found ${showValue(found)}; use a value ${op} ${limit}` }];
      return [{ path, message: `must be ${op} ${limit}, found ${showValue(found)}; use a value ${op} ${limit}` }];
    }
    case 'invalid_format':
      return [{ path, message: `${issue.message}; found ${showValue(found)}` }];
    case 'custom':
      return [{ path, message: found === undefined ? issue.message : `${issue.message}; found ${showValue(found)}` }];
    default:
      return [{ path, message: `${issue.message}; found ${showValue(found)}` }];
  }
}
