/**
 * Configuration of remote planners (`planners/remote`), resolved once per planner from
 * `PlannerOptions.config` (flags --remote-url, --remote-timeout, --remote-name, and `--set`),
 * validated, then frozen. Errors name the flag and the fix.
 *
 * Several remote planners can run side by side: `--planners remote:ppo,remote:dreamer` with
 * `--remote-url ppo=ws://h1:8000,dreamer=ws://h2:8000`. A value without `LABEL=` applies to
 * every remote planner that has no entry of its own, so a single `--planners remote
 * --remote-url ws://h:8000` needs no labels. `--remote-timeout` takes the same two forms.
 */
import { UserError } from '../../core/errors.ts';
import { PLANNER_LABEL as LABEL } from '../Planner.ts';

export interface RemoteSettings {
  /** `--remote-url`: the policy server, `ws://HOST:PORT[/PATH]` (or `wss://`); per planner as
   * `LABEL=URL,LABEL=URL`, where LABEL is the part after `remote:` in --planners. */
  url: string | null;
  /** `--remote-timeout`: seconds to wait for each reply (and to connect) before the episode
   * ends as planner_error (timeout); `S`, `Ss`, `Nms`, or per planner `LABEL=S,…`. */
  timeoutS: number;
  /** `--remote-name`: the label of a planner given as plain `remote`, so reports say `remote:NAME`
   * (two runs of different policies then compare by name). */
  name: string | null;
  /** `--set remote-max-frame-mb=N`: largest reply frame accepted, MiB; a bigger one ends the
   * episode as planner_error (oversize) and the connection is replaced. */
  maxFrameMb: number;
}

export const REMOTE_DEFAULTS: Readonly<RemoteSettings> = Object.freeze({ url: null, timeoutS: 30, name: null, maxFrameMb: 4 });


/** Settings of the remote planner with `label` (undefined for plain `remote`). */
export function resolveRemoteConfig(raw: Record<string, unknown>, label: string | undefined): Readonly<RemoteSettings> {
  const urls = perLabel(raw.remoteUrl, '--remote-url');
  const timeouts = perLabel(raw.remoteTimeout, '--remote-timeout');
  const key = label ?? '';
  const url = urls.get(key) ?? urls.get('') ?? null;
  if (url !== null) checkUrl(url);
  const timeoutText = timeouts.get(key) ?? timeouts.get('');
  const timeoutS = timeoutText === undefined ? REMOTE_DEFAULTS.timeoutS : seconds(timeoutText, '--remote-timeout');
  return Object.freeze({ url, timeoutS, name: remoteName(raw), maxFrameMb: maxFrame(raw.remoteMaxFrameMb) });
}

/** `--remote-name`, checked; null when not given. */
export function remoteName(raw: Record<string, unknown>): string | null {
  const v = raw.remoteName;
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !LABEL.test(v)) {
    throw new UserError('E_REMOTE_CONFIG', `--remote-name ${JSON.stringify(v)}: use letters, digits, '.', '_' or '-' (at most 64), e.g. --remote-name ppo-v2.`);
  }
  return v;
}

/**
 * `a=1,b=2`, `1`, or `1,b=2` → Map (key '' = the default for any label). A value whose text before
 * the first `=` is not a label (a URL with a query string) is a default value as a whole.
 */
function perLabel(value: unknown, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null || value === '') return out;
  for (const item of String(value).split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:/]+)=(.+)$/.exec(item);
    const [key, v] = m && LABEL.test(m[1].trim()) ? [m[1].trim(), m[2].trim()] : ['', item];
    if (out.has(key)) {
      throw new UserError('E_REMOTE_CONFIG', `${flag} gives ${key ? `"${key}"` : 'a default (no LABEL=)'} twice; give one value per remote planner, e.g. ${flag} ppo=…,dreamer=….`);
    }
    out.set(key, v);
  }
  return out;
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('E_REMOTE_CONFIG', `--remote-url "${url}" is not a URL; e.g. --remote-url ws://127.0.0.1:8000 (or LABEL=ws://… per remote planner).`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new UserError('E_REMOTE_CONFIG', `--remote-url "${url}" must start with ws:// or wss:// (policy servers speak WebSocket); e.g. --remote-url ws://127.0.0.1:8000.`);
  }
}

/** Seconds: "30", "30s", "500ms", or a number. */
function seconds(v: unknown, flag: string): number {
  const text = String(v).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?$/.exec(text);
  const n = m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : Number.NaN;
  if (!(n > 0) || n > 86_400) throw new UserError('E_REMOTE_CONFIG', `${flag} must be a time in seconds above 0 (e.g. 30, 30s or 500ms); got ${JSON.stringify(v)}.`);
  return n;
}

function maxFrame(v: unknown): number {
  if (v === undefined || v === null || v === '') return REMOTE_DEFAULTS.maxFrameMb;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1024) throw new UserError('E_REMOTE_CONFIG', `--set remote-max-frame-mb must be a number of MiB in (0, 1024]; got ${JSON.stringify(v)}.`);
  return n;
}
