/**
 * The one secret scrubber. Everything planarena writes where people or other programs read it
 * (recordings, LLM cassettes, episode records, manifests, logs, error messages) passes through
 * {@link scrubSecrets} or {@link scrubDeep} first, so a secret that reached the process never
 * reaches a file or a terminal, whatever echoed it back.
 *
 * Secrets are registered once per process: the LLM client registers its API key, and the
 * variables in {@link SECRET_ENV_VARS} are registered from the environment on first use, so a
 * process that never built a client (the parent of parallel workers, `report`) still scrubs them.
 *
 * A secret is removed in every form a server could echo it in:
 * - as written, in any letter case (`Bearer SK-ABC…`, a lower-cased log line);
 * - JSON-escaped (once or twice: a reply quoted inside a recorded string), percent-encoded;
 * - inside base64 or base64url at any byte offset, which covers `base64(key)`,
 *   `base64("Bearer " + key)` and HTTP Basic `base64(user + ":" + key)`: of each of the three
 *   alignments, the characters that depend only on the key's bytes are matched.
 *
 * Values shorter than {@link MIN_SECRET_LENGTH} characters are not treated as secrets: they
 * cannot be told apart from ordinary words, and scrubbing them would corrupt unrelated text.
 */

/** Environment variables whose values are secrets (the LLM API key and its fallback). */
export const SECRET_ENV_VARS = ['PLANARENA_LLM_API_KEY', 'OPENAI_API_KEY'] as const;
/** Shortest value treated as a secret. */
export const MIN_SECRET_LENGTH = 8;
/** What a secret is replaced with. */
export const SCRUBBED = '***';
/** Shortest base64 fragment matched: 8 characters are 48 bits of the key, no accidental match. */
const MIN_FRAGMENT = 8;

const secrets = new Set<string>();
let envChecked = false;
/** Case-insensitive forms (raw, escaped, percent-encoded) and exact ones (base64 fragments). */
let loose: RegExp | null = null;
let exact: RegExp | null = null;

/** Adds a secret to scrub from now on; empty or short values are ignored (see the file header). */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  compile();
}

/** Registers the secrets found in the environment (done automatically on first scrub). */
export function registerEnvSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of SECRET_ENV_VARS) registerSecret(env[name]);
}

/** True when a secret is registered (scrubbing is then not a no-op). */
export function hasSecrets(): boolean {
  ensureEnv();
  return secrets.size > 0;
}

/** The text with every form of every registered secret replaced by {@link SCRUBBED}. */
export function scrubSecrets(text: string): string {
  ensureEnv();
  if (!loose) return text;
  let out = text.replace(loose, SCRUBBED);
  if (exact) out = out.replace(exact, SCRUBBED);
  return out;
}

/**
 * A copy of a JSON-like value with every string (keys included) scrubbed; the value itself when
 * no secret is registered or none occurs. Typed arrays and other non-plain objects are kept as
 * they are (they hold numbers, not text).
 */
export function scrubDeep<T>(value: T): T {
  if (!hasSecrets()) return value;
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return scrubSecrets(v);
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x) => {
      const y = walk(x);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = scrubSecrets(k);
      const y = walk(x);
      if (y !== x || key !== k) changed = true;
      Object.defineProperty(out, key, { value: y, enumerable: true, writable: true, configurable: true });
    }
    return changed ? out : v;
  }
  return v;
}

/** Every form of `secret` this module removes: `loose` ones in any case, `exact` ones as they are. */
export function secretForms(secret: string): { loose: string[]; exact: string[] } {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  const loose = unique([secret, once, twice, encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret, 'utf8');
  const exactForms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const fragment = base64Core(bytes, offset);
    if (fragment.length >= MIN_FRAGMENT) exactForms.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return { loose, exact: unique(exactForms) };
}

/**
 * The base64 characters of `bytes` placed `offset` bytes into a longer buffer that depend on
 * `bytes` alone: character k covers bits [6k, 6k + 6) of the buffer, so it is kept when that range
 * lies inside the bits of `bytes`.
 */
function base64Core(bytes: Uint8Array, offset: number): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]);
  const b64 = padded.toString('base64');
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return b64.slice(first, end);
}

function compile(): void {
  const all = [...secrets].map(secretForms);
  // Longest first, so a longer form wins over a shorter one it contains.
  const looseForms = unique(all.flatMap((f) => f.loose)).sort((a, b) => b.length - a.length);
  const exactForms = unique(all.flatMap((f) => f.exact)).sort((a, b) => b.length - a.length);
  loose = looseForms.length ? new RegExp(looseForms.map(escapeRegExp).join('|'), 'gi') : null;
  exact = exactForms.length ? new RegExp(exactForms.map(escapeRegExp).join('|'), 'g') : null;
}

function ensureEnv(): void {
  if (envChecked) return;
  envChecked = true;
  registerEnvSecrets();
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
