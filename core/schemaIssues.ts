/**
 * Schema problems in the user's words: the JSON path of the first problem, what was expected and
 * what was found (`$.config.seeds[1]: expected a whole number, found a string "x"`), and how many
 * more there are. Shared by every reader of planarena's own files (manifests, run configs).
 */
import type { z } from 'zod';

/** The first issue (with its JSON path, what was expected and what was found) and how many more. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: unknown, prefix: readonly PropertyKey[] = []): string {
  const issue = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${jsonPath([...prefix, ...issue.path])}: ${describeIssue(issue, root)}${more}`;
}

export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  let found: unknown = root;
  for (const p of issue.path) found = found !== null && typeof found === 'object' ? (found as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const shown =
    found === undefined
      ? 'nothing'
      : found === null
        ? 'null'
        : Array.isArray(found)
          ? `an array of ${found.length} item${found.length === 1 ? '' : 's'}`
          : typeof found === 'object'
            ? 'an object'
            : `a ${typeof found} ${short(found)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, found ${shown}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${shown}`;
    case 'too_small':
    case 'too_big': {
      const limit = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      return issue.origin === 'array' ? `expected ${limit} item${Number(limit.split(' ')[2]) === 1 ? '' : 's'}, found ${shown}` : `expected ${limit}, found ${shown}`;
    }
    default:
      return `${issue.message}, found ${shown}`;
  }
}

const TYPE_NAMES: Record<string, string> = { int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', array: 'an array', object: 'an object', record: 'an object' };

function short(v: unknown): string {
  const t = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `${s}.${String(p)}` : `${s}[${JSON.stringify(String(p))}]`), '$');
}
