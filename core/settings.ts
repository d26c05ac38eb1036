/**
 * Planner settings, declared once. Each planner lists its settings — key, type, default, one doc
 * line — in a small module of its own (no heavy imports), and everything else is generated from
 * those declarations: the `--set` keys the CLI accepts, the dedicated flags (`--llm-url`), the
 * `run --help` text, docs/settings.md, and the validation that turns a typo into an error with a
 * "did you mean" instead of a silent default.
 *
 * Keys are camelCase in `PlannerOptions.config` and in manifests (`wmSamples`); users type them
 * dashed (`--set wm-samples=64`). Every key starts with its planner's prefix, so two planners'
 * settings never collide even though every planner receives the same config.
 */
import { UserError } from './errors.ts';

export type SettingValue = string | number | boolean;

export interface SettingSpec {
  /** camelCase key, prefixed by the planner (`wmSamples`, `llmUrl`, `oracleHorizon`). */
  readonly key: string;
  /** `seconds`: a positive duration, typed as 30, 30s or 500ms, stored in seconds. */
  readonly type: 'number' | 'integer' | 'boolean' | 'string' | 'choice' | 'seconds';
  /** The value when the user sets nothing; null when unset means "not given" (e.g. no URL) or
   * the default depends on something else (the doc line says what). */
  readonly default: SettingValue | null;
  /** One line: what it does, in the user's words. */
  readonly doc: string;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Also a flag of its own (`--llm-url URL`); booleans become switches (`--llm-record`). */
  readonly flag?: boolean;
  /** Never written to a manifest, recording or log: replaced by "***". */
  readonly secret?: boolean;
}

/** The settings of one planner (or of a planner family sharing a prefix). */
export interface SettingsGroup {
  /** The planner(s) these settings belong to, as `list planners` names them. */
  readonly planners: readonly string[];
  readonly settings: readonly SettingSpec[];
}

/** `wmSamples` → `wm-samples`. */
export function dashed(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `wm-samples` (or `wm_samples`, or `wmSamples`) → `wmSamples`. */
export function camelCase(key: string): string {
  return key.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** How a user spells a setting: its flag, or `--set key`. */
export function spelling(spec: SettingSpec): string {
  return spec.flag ? `--${dashed(spec.key)}` : `--set ${dashed(spec.key)}`;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** The closest candidate to `word` when it is close enough to be a typo, else null. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** Describes a spec's accepted values, for errors and help. */
export function describeType(spec: SettingSpec): string {
  const range = (spec.min !== undefined ? ` >= ${spec.min}` : '') + (spec.max !== undefined ? `${spec.min !== undefined ? ',' : ''} <= ${spec.max}` : '');
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${spec.choices!.join(', ')}`;
    case 'integer':
      return `an integer${range}`;
    case 'number':
      return `a number${range}`;
    case 'string':
      return 'text';
    case 'seconds':
      return 'a time in seconds (e.g. 30, 30s or 500ms)';
  }
}

/**
 * Turns a given value (a string typed on the command line, or a typed value from a manifest) into
 * the spec's type, or throws a one-line error naming how the user spelled it and what it accepts.
 */
export function coerceSetting(spec: SettingSpec, raw: unknown): SettingValue {
  const bad = () =>
    new UserError('E_PLANNER_SETTING', `${spelling(spec)} must be ${describeType(spec)}${spec.default !== null ? ` (default ${spec.default})` : ''}; got ${JSON.stringify(raw)}.`);
  switch (spec.type) {
    case 'boolean':
      if (raw === true || raw === 'true' || raw === '1' || raw === '') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      throw bad();
    case 'string':
      if (typeof raw !== 'string') throw bad();
      return raw;
    case 'choice':
      if (typeof raw !== 'string' || !spec.choices!.includes(raw)) throw bad();
      return raw;
    case 'seconds': {
      const m = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/.exec(raw) : null;
      const n = typeof raw === 'number' ? raw : m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : Number.NaN;
      if (!Number.isFinite(n) || n <= 0) throw bad();
      return n;
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) throw bad();
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw bad();
      return n;
    }
  }
}

/** Index of every declared setting by key. */
export function settingsIndex(groups: readonly SettingsGroup[]): Map<string, { spec: SettingSpec; planners: readonly string[] }> {
  const index = new Map<string, { spec: SettingSpec; planners: readonly string[] }>();
  for (const g of groups) {
    for (const spec of g.settings) {
      if (index.has(spec.key)) throw new Error(`setting ${spec.key} is declared twice`);
      index.set(spec.key, { spec, planners: g.planners });
    }
  }
  return index;
}

/**
 * Validates a planner config against the declarations: every key must be declared (an unknown
 * key is an error naming it, the closest known key and where the full list is), and every value
 * is coerced to its declared type. Returns a new object with the typed values, keys in the
 * order given.
 */
export function validateSettings(groups: readonly SettingsGroup[], given: Readonly<Record<string, unknown>>): Record<string, SettingValue> {
  const index = settingsIndex(groups);
  const out: Record<string, SettingValue> = {};
  for (const [key, raw] of Object.entries(given)) {
    const entry = index.get(key);
    if (!entry) {
      const known = [...index.keys()];
      const guess = didYouMean(key, known);
      throw new UserError(
        'E_UNKNOWN_SETTING',
        `unknown planner setting "${dashed(key)}"${guess ? `; did you mean "${dashed(guess)}"?` : '.'} Known settings: ${known.map(dashed).join(', ')} (documented in \`planarena run --help\` and docs/settings.md).`,
      );
    }
    out[key] = coerceSetting(entry.spec, raw);
  }
  return out;
}

/** Every setting of `specs` with its value in `config`, or its default (typed); null stays null. */
export function readSettings(specs: readonly SettingSpec[], config: Readonly<Record<string, unknown>>): Record<string, SettingValue | null> {
  const out: Record<string, SettingValue | null> = {};
  for (const spec of specs) {
    const raw = config[spec.key];
    out[spec.key] = raw === undefined || raw === null ? spec.default : coerceSetting(spec, raw);
  }
  return out;
}

/** The config as a manifest may hold it: secret values replaced by "***". */
export function redactSettings(groups: readonly SettingsGroup[], config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const index = settingsIndex(groups);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, index.get(k)?.spec.secret || /key|token|secret|password|auth/i.test(k) ? '***' : v]));
}
