/**
 * The flags of `planarena run` and `demo`: their specs, their usage text and their parsing into
 * the pipeline's `RunSource` and `ExecutionOptions`. Planner settings are not listed here: their
 * dedicated flags (`--llm-url`), the `--set` keys and their help lines are generated from each
 * planner's declarations (`planners/registry.ts` → `PLANNER_SETTINGS`).
 */
import { UserError } from '../core/errors.ts';
import { CLOCKS, LIDAR_METHODS, OBSERVATION_TIERS, PHYSICS, type Shard } from '../core/runConfig.ts';
import { camelCase, dashed, describeType, didYouMean, settingsIndex, type SettingSpec } from '../core/settings.ts';
import { PLANNER_SETTINGS } from '../planners/registry.ts';
import { DEFAULT_HOST, DEFAULT_PORT, type ExecutionOptions, type RunRequest, type RunSource } from '../runner/pipeline.ts';
import { parseSeeds, splitList } from './args.ts';
import { choiceFlag, intFlag, type FlagSpec } from './args.ts';

/** Settings that have a flag of their own (`--llm-url URL`, `--llm-record`). */
const SETTING_FLAGS: readonly SettingSpec[] = PLANNER_SETTINGS.flatMap((g) => g.settings.filter((s) => s.flag));

const BASE_FLAGS = {
  suite: { type: 'string' },
  scenarios: { type: 'string' },
  planners: { type: 'string' },
  seeds: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  physics: { type: 'string' },
  lidar: { type: 'string' },
  observation: { type: 'string' },
  record: { type: 'boolean' },
  'no-record': { type: 'boolean' },
  clock: { type: 'string' },
  live: { type: 'boolean' },
  'no-live': { type: 'boolean' },
  race: { type: 'boolean' },
  'no-race': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  pace: { type: 'string' },
  set: { type: 'string', multiple: true },
  workers: { type: 'string' },
  resume: { type: 'string' },
  from: { type: 'string' },
  shard: { type: 'string' },
  'allow-drift': { type: 'boolean' },
  mcap: { type: 'string' },
  'allow-planner-errors': { type: 'boolean' },
} as const satisfies FlagSpec;

/** Every flag `run` accepts: the run's own, then one per planner setting that has a flag. */
export const RUN_FLAGS: FlagSpec = {
  ...BASE_FLAGS,
  ...Object.fromEntries(SETTING_FLAGS.map((s) => [dashed(s.key), { type: s.type === 'boolean' ? 'boolean' : 'string' }])),
};

export type RunFlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The planner-settings part of `run --help`, generated from the declarations. */
export function settingsUsage(): string {
  const lines: string[] = ['planner settings (--set key=value, repeatable; the same settings reach every planner):'];
  for (const group of PLANNER_SETTINGS) {
    lines.push(`  ${group.planners.join(', ')}:`);
    for (const s of group.settings) {
      const name = s.flag ? `--${dashed(s.key)}${s.type === 'boolean' ? '' : ` ${placeholder(s)}`}` : `--set ${dashed(s.key)}=${placeholder(s)}`;
      const def = s.default === null ? '' : ` [default ${s.default}]`;
      lines.push(`    ${name.padEnd(34)} ${s.doc}${def}`);
    }
  }
  return lines.join('\n');
}

function placeholder(s: SettingSpec): string {
  if (s.type === 'choice') return s.choices!.join('|');
  if (s.type === 'boolean') return 'true|false';
  if (s.type === 'integer') return 'N';
  if (s.type === 'number') return 'X';
  if (s.type === 'seconds') return 'SECONDS';
  return /url/i.test(s.key) ? 'URL' : /gguf|cassette|prices/i.test(s.key) ? 'FILE' : /checkpoint|prompts/i.test(s.key) ? 'DIR' : 'TEXT';
}

/** Markdown table of every planner setting (docs/settings.md is this text; a test keeps it so). */
export function settingsMarkdown(): string {
  const rows = PLANNER_SETTINGS.flatMap((g) =>
    g.settings.map((s) => `| ${g.planners.join(', ')} | \`${s.flag ? `--${dashed(s.key)}` : `--set ${dashed(s.key)}`}\` | ${describeType(s)} | ${s.default === null ? '—' : `\`${s.default}\``} | ${s.doc.replace(/\|/g, '\\|')} |`),
  );
  return [
    '# Planner settings',
    '',
    'Generated from the declarations in `planners/*/settings.ts` by `planarena list settings --markdown`;',
    'a test checks that this file matches them. Every setting can be given as `--set key=value`',
    '(key dashed or camelCase); the ones with a flag of their own also as `--key value`. An unknown key',
    'is an error that names the closest known one. Settings are recorded in the run manifest',
    '(`config.plannerConfig`) and reach every planner; each reads only its own prefix.',
    '',
    '| planner | setting | value | default | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Planner settings given by flags and `--set`, by key; values stay as typed (the pipeline types
 * them by their declarations). Unknown `--set` keys are refused here with a "did you mean". */
export function plannerConfigFromFlags(values: RunFlagValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const s of SETTING_FLAGS) {
    const v = values[dashed(s.key)];
    if (v !== undefined) config[s.key] = v;
  }
  const index = settingsIndex(PLANNER_SETTINGS);
  for (const item of (values.set as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError('E_BAD_FLAG', `--set "${item}": expected key=value, e.g. --set wm-samples=128.`);
    const typed = item.slice(0, eq).trim();
    const key = camelCase(typed);
    if (!index.has(key)) {
      const guess = didYouMean(key, [...index.keys()]);
      throw new UserError(
        'E_UNKNOWN_SETTING',
        `--set ${typed}: unknown planner setting${guess ? `; did you mean "${dashed(guess)}"?` : '.'} See \`planarena run --help\` or docs/settings.md for every setting.`,
      );
    }
    config[key] = item.slice(eq + 1).trim();
  }
  return config;
}

function str(values: RunFlagValues, k: string): string | undefined {
  return typeof values[k] === 'string' ? (values[k] as string) : undefined;
}

function numberFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UserError('E_BAD_FLAG', `--${name} must be a number >= ${min}, got "${value}".`);
  return n;
}

export function parseWorkers(value: string | undefined): number | 'auto' {
  if (value === undefined) return 1;
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError('E_BAD_FLAG', `--workers must be "auto" or an integer from 1 to 256, got "${value}".`);
  return n;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count) {
    throw new UserError('E_BAD_FLAG', `--shard "${value}": expected K/N with 0 <= K < N, e.g. --shard 0/4 … --shard 3/4 (K is 0-based, like $SLURM_ARRAY_TASK_ID).`);
  }
  return { index, count };
}

/** `--flag` / `--no-flag` → true / false, else the default; both at once is refused. */
function onOff(values: RunFlagValues, name: string, fallback: boolean): boolean {
  if (values[name] && values[`no-${name}`]) throw new UserError('E_BAD_FLAG', `pass either --${name} or --no-${name}, not both.`);
  return values[`no-${name}`] ? false : values[name] ? true : fallback;
}

/** The request part of the flags (what to run). `recordDefault`: the demo records unless
 * --no-record. */
export function requestFromFlags(values: RunFlagValues, recordDefault = false): RunRequest {
  const scenarios = splitList(str(values, 'scenarios'));
  return {
    suite: str(values, 'suite'),
    scenarios: scenarios.length > 0 ? scenarios : undefined,
    planners: splitList(str(values, 'planners')),
    seeds: str(values, 'seeds') === undefined ? undefined : parseSeeds(str(values, 'seeds')!),
    physics: choiceFlag('physics', str(values, 'physics'), PHYSICS, 'deterministic'),
    lidar: choiceFlag('lidar', str(values, 'lidar'), LIDAR_METHODS, 'analytic'),
    observation: choiceFlag('observation', str(values, 'observation'), OBSERVATION_TIERS, 'state'),
    clock: choiceFlag('clock', str(values, 'clock'), CLOCKS, 'turn'),
    record: onOff(values, 'record', recordDefault),
    plannerConfig: plannerConfigFromFlags(values),
  };
}

/** Flags that describe what to run; with --resume or --from the manifest says it instead. */
const REQUEST_FLAGS = ['suite', 'scenarios', 'planners', 'seeds', 'physics', 'lidar', 'observation', 'clock', 'record', 'no-record'] as const;

/** What a command does when a flag is not given: `run` is unpaced, unrecorded and not live; the
 * demo is live, recorded and paced. Race mode follows live unless --race / --no-race says. */
export interface RunDefaults {
  live?: boolean;
  record?: boolean;
  /** Pace when live (simulated seconds per wall second). */
  livePace?: number;
}

/** All of `run`'s flags → where the run comes from and how to execute it. */
export function parseRunFlags(values: RunFlagValues, defaults: RunDefaults = {}): { source: RunSource; exec: ExecutionOptions } {
  const resume = str(values, 'resume');
  const from = str(values, 'from');
  if (resume !== undefined && from !== undefined) throw new UserError('E_BAD_FLAG', 'pass either --resume DIR or --from MANIFEST, not both.');
  if (resume !== undefined && values.shard !== undefined) throw new UserError('E_BAD_FLAG', '--resume keeps the shard of the run it resumes; drop --shard.');
  if (resume !== undefined && values.out !== undefined) throw new UserError('E_BAD_FLAG', '--resume writes into the run it resumes; drop --out.');
  const recorded = resume ?? from;
  if (recorded !== undefined) {
    const given = REQUEST_FLAGS.filter((f) => values[f] !== undefined);
    if (given.length > 0) {
      throw new UserError('E_BAD_FLAG', `--${resume !== undefined ? 'resume' : 'from'} runs what the manifest recorded; drop ${given.map((f) => `--${f}`).join(', ')} (planner settings such as --llm-url may still be given).`);
    }
  }
  const live = onOff(values, 'live', defaults.live ?? false);
  const port = intFlag('port', str(values, 'port'), DEFAULT_PORT, 0);
  if (port > 65535) throw new UserError('E_BAD_FLAG', `--port must be at most 65535, got ${port}.`);
  const exec: ExecutionOptions = {
    out: str(values, 'out'),
    force: Boolean(values.force),
    workers: parseWorkers(str(values, 'workers')),
    shard: values.shard === undefined ? undefined : parseShard(String(values.shard)),
    live: live ? { port, host: str(values, 'host') ?? DEFAULT_HOST, token: str(values, 'token') } : undefined,
    pace: numberFlag('pace', str(values, 'pace'), live ? (defaults.livePace ?? 1) : 0, 0),
    race: onOff(values, 'race', live),
    allowDrift: Boolean(values['allow-drift']),
  };
  const plannerConfig = plannerConfigFromFlags(values);
  const source: RunSource =
    resume !== undefined ? { kind: 'resume', dir: resume, plannerConfig } : from !== undefined ? { kind: 'from', manifest: from, plannerConfig } : { kind: 'request', request: requestFromFlags(values, defaults.record ?? false) };
  return { source, exec };
}
