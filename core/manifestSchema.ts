/**
 * The shape of `manifest.json` as the readers of a run directory rely on it (report, compare,
 * merge, ci, `run --resume` / `--from`). A manifest is checked against it on load, so a damaged
 * or hand-edited one is one line naming the field (`$.config.seeds[1]: expected a whole number
 * >= 0, found a string "x"`) instead of a stack trace somewhere downstream.
 *
 * Unknown keys are kept (newer planarena versions may add some); known keys must have their
 * type. Fields that older manifests lack are optional here, as in `RunManifest`.
 */
import { z } from 'zod';
import { UserError } from './errors.ts';
import type { RunManifest } from './records.ts';

const name = z.string().min(1).max(256);
const count = z.number().int().min(0);

const ConfigShape = z
  .object({
    suite: z.string().nullable(),
    scenarios: z.array(name).min(1).max(100_000),
    planners: z.array(name).min(1).max(1000),
    seeds: z.array(count.max(Number.MAX_SAFE_INTEGER)).min(1).max(1_000_000),
    physics: z.enum(['deterministic', 'fast']),
    lidar: z.enum(['analytic', 'rapier']).optional(),
    record: z.boolean(),
    clock: z.enum(['turn', 'realtime']),
    plannerConfig: z.record(z.string(), z.unknown()),
    shard: z
      .object({ index: count, count: count.min(1) })
      .loose()
      .refine((s) => s.index < s.count, { message: 'shard index must be below the shard count' })
      .optional(),
    scenarioHashes: z.record(z.string(), z.string()).optional(),
    skippedPlanners: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export const ManifestShape = z
  .object({
    planarena: z.string(),
    createdAt: z.string(),
    command: z.array(z.string()),
    git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }).loose(),
    versions: z.record(z.string(), z.string()),
    machine: z.object({ platform: z.string(), arch: z.string(), cpus: z.string(), cores: z.number(), memGiB: z.number(), node: z.string() }).loose(),
    config: ConfigShape,
  })
  .loose();

/** Checks parsed manifest JSON; throws a one-line `UserError` naming `shown` and the first bad field. */
export function checkManifest(json: unknown, shown: string): RunManifest {
  const r = ManifestShape.safeParse(json);
  if (r.success) return r.data as unknown as RunManifest;
  const issue = r.error.issues[0];
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''})` : '';
  throw new UserError('E_RUN_DIR', `${shown}: ${jsonPath(issue.path)}: ${describeIssue(issue, json)}${more}; this is not an intact planarena run manifest: restore it, or start a new run with --out`);
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
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
