/**
 * Flags of `planarena run` (and `demo`) → one resolved, frozen `RunSettings`. Planner-specific
 * flags become `PlannerOptions.config` for every factory: the runner knows no planner by name,
 * each factory picks the keys it understands.
 */
import { choiceFlag, intFlag, type FlagSpec } from '../cli/args.ts';
import { UserError } from '../core/errors.ts';
import { LIDAR_METHODS, type LidarMethod, type PhysicsFlavor } from '../sim/types.ts';
import { scenarioHash } from '../core/manifest.ts';
import type { RunManifest } from '../core/records.ts';
import type { Clock, EpisodeOptions } from './episode.ts';
import { splitList, type RunPlan } from './plan.ts';

export const PHYSICS: readonly PhysicsFlavor[] = ['deterministic', 'fast'];
export const CLOCKS: readonly Clock[] = ['turn', 'realtime'];
export const DEFAULT_PORT = 8765;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Planner flags forwarded as config: flag → camelCase key. `text` values pass as typed (URLs,
 * paths), `value`s become numbers when numeric, `presence` flags become `true`.
 */
const PLANNER_FLAGS = {
  'llm-url': { key: 'llmUrl', kind: 'text' },
  'llm-model': { key: 'llmModel', kind: 'text' },
  'llm-mode': { key: 'llmMode', kind: 'text' },
  'llm-cassette': { key: 'llmCassette', kind: 'text' },
  'llm-record': { key: 'llmRecord', kind: 'presence' },
  'llm-replay': { key: 'llmReplay', kind: 'presence' },
  'llm-gguf': { key: 'llmGguf', kind: 'text' },
  'llm-timeout': { key: 'llmTimeout', kind: 'value' },
  checkpoint: { key: 'checkpoint', kind: 'text' },
  'remote-url': { key: 'remoteUrl', kind: 'text' },
  'remote-timeout': { key: 'remoteTimeout', kind: 'text' },
  'remote-name': { key: 'remoteName', kind: 'text' },
} as const;

export const RUN_FLAGS = {
  suite: { type: 'string' },
  scenarios: { type: 'string' },
  planners: { type: 'string' },
  seeds: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  physics: { type: 'string' },
  lidar: { type: 'string' },
  record: { type: 'boolean' },
  clock: { type: 'string' },
  live: { type: 'boolean' },
  'no-live': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  pace: { type: 'string' },
  'llm-url': { type: 'string' },
  'llm-model': { type: 'string' },
  'llm-mode': { type: 'string' },
  'llm-cassette': { type: 'string' },
  'llm-record': { type: 'boolean' },
  'llm-replay': { type: 'boolean' },
  'llm-gguf': { type: 'string' },
  'llm-timeout': { type: 'string' },
  checkpoint: { type: 'string' },
  'remote-url': { type: 'string' },
  'remote-timeout': { type: 'string' },
  'remote-name': { type: 'string' },
  set: { type: 'string', multiple: true },
} as const satisfies FlagSpec;

type FlagValues = { [K in keyof typeof RUN_FLAGS]?: (typeof RUN_FLAGS)[K] extends { multiple: true } ? string[] : string | boolean };

export interface RunSettings {
  suite?: string;
  scenarios?: string[];
  planners: string[];
  /** As typed; parsed by the plan. */
  seeds?: string;
  out?: string;
  force: boolean;
  physics: PhysicsFlavor;
  lidar: LidarMethod;
  record: boolean;
  clock: Clock;
  live: boolean;
  port: number;
  host: string;
  /** Simulated seconds per wall second; 0 = unpaced. */
  pace: number;
  plannerConfig: Record<string, unknown>;
}

/** `max-std` → `maxStd`. */
export function camelCase(key: string): string {
  return key.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `--set` and numeric flag values: numbers and booleans become typed, the rest stay strings. */
export function parseValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return Number(text);
  return text;
}

export function plannerConfigFromFlags(values: FlagValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [flag, f] of Object.entries(PLANNER_FLAGS)) {
    const v = values[flag as keyof FlagValues];
    if (v === undefined) continue;
    config[f.key] = f.kind === 'presence' ? true : f.kind === 'value' ? parseValue(String(v)) : String(v);
  }
  for (const item of (values.set as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError('E_BAD_FLAG', `--set "${item}": expected key=value, e.g. --set samples=256.`);
    const key = camelCase(item.slice(0, eq).trim());
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new UserError('E_BAD_FLAG', `--set "${item}": the key must be letters and digits (dashes allowed), e.g. --set max-std=0.8.`);
    config[key] = parseValue(item.slice(eq + 1).trim());
  }
  return config;
}

function numberFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UserError('E_BAD_FLAG', `--${name} must be a number >= ${min}, got "${value}".`);
  return n;
}

/** Resolves parsed flags; `liveDefault` is the demo's "live unless --no-live". */
export function resolveRunSettings(values: FlagValues, liveDefault = false): Readonly<RunSettings> {
  const str = (k: keyof FlagValues) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const live = values['no-live'] ? false : values.live ? true : liveDefault;
  const scenarios = splitList(str('scenarios'));
  const settings: RunSettings = {
    suite: str('suite'),
    scenarios: scenarios.length > 0 ? scenarios : undefined,
    planners: splitList(str('planners')),
    seeds: str('seeds'),
    out: str('out'),
    force: Boolean(values.force),
    physics: choiceFlag('physics', str('physics'), PHYSICS, 'deterministic'),
    lidar: choiceFlag('lidar', str('lidar'), LIDAR_METHODS, 'analytic'),
    record: Boolean(values.record),
    clock: choiceFlag('clock', str('clock'), CLOCKS, 'turn'),
    live,
    port: intFlag('port', str('port'), DEFAULT_PORT, 0),
    host: str('host') ?? DEFAULT_HOST,
    pace: numberFlag('pace', str('pace'), live ? 1 : 0, 0),
    plannerConfig: plannerConfigFromFlags(values),
  };
  if (settings.port > 65535) throw new UserError('E_BAD_FLAG', `--port must be at most 65535, got ${settings.port}.`);
  return Object.freeze(settings);
}

/** Config keys whose values never go into a manifest. */
const SECRET = /key|token|secret|password|auth/i;

/** The planner config as written to the manifest: secrets replaced by "***". */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET.test(k) ? '***' : v]));
}

/** The run's resolved configuration as the manifest records it (planner secrets redacted). */
export function runConfig(
  settings: Readonly<RunSettings>,
  plan: Pick<RunPlan, 'suite' | 'scenarios' | 'planners' | 'seeds'>,
  skipped: readonly { planner: string; reason: string }[],
  shard?: { index: number; count: number },
): RunManifest['config'] {
  return {
    suite: plan.suite,
    scenarios: plan.scenarios.map((s) => s.id),
    planners: [...plan.planners],
    seeds: [...plan.seeds],
    physics: settings.physics,
    lidar: settings.lidar,
    record: settings.record,
    clock: settings.clock,
    plannerConfig: redactConfig(settings.plannerConfig),
    ...(shard && shard.count > 1 ? { shard } : {}),
    scenarioHashes: Object.fromEntries(plan.scenarios.map((s) => [s.id, scenarioHash(s)])),
    ...(skipped.length > 0 ? { skippedPlanners: Object.fromEntries(skipped.map((s) => [s.planner, s.reason])) } : {}),
  };
}

/** The per-episode options every episode of the run shares. */
export function episodeOptionsOf(settings: Readonly<RunSettings>): EpisodeOptions {
  return { physics: settings.physics, lidar: settings.lidar, clock: settings.clock, record: settings.record, pace: settings.pace };
}
