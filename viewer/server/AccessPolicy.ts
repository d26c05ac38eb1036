/**
 * Who may talk to the viewer's server, decided per HTTP request and per WebSocket upgrade from
 * headers that are never trusted to be well formed (every parser here returns null rather than
 * throwing: one bad header must not take the server, or the run streaming through it, down).
 *
 * - **Host** (DNS rebinding): a page on `evil.example` whose name is re-pointed at 127.0.0.1
 *   reaches the server with `Host: evil.example:PORT`. The Host must name this server: an IP
 *   literal (rebinding needs a name the attacker controls, so literals are safe), `localhost`,
 *   the `--host` the server was started with, or (when bound to every interface) this machine's
 *   host name; and the port must be the bound port.
 * - **Origin** (cross-site WebSocket hijacking): a WebSocket from a browser carries its page's
 *   Origin, which must be this server (same host and port as the Host header). Tools that send
 *   no Origin are allowed; `Origin: null` (sandboxed frames) and unparsable values are refused.
 * - **Token**: a server reachable from other machines (bound to anything but loopback) requires
 *   an access token, printed in its URL (`/?token=…`). The page's first request carries it in the
 *   query; the server answers with an HttpOnly, SameSite=Strict cookie, so the page's API calls
 *   and its WebSocket carry it without the client knowing. `Authorization: Bearer <token>` works
 *   for scripts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

export type Verdict = { ok: true; setCookie?: string } | { ok: false; status: 400 | 401 | 403; message: string };

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A fresh random token (128 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** `{ name, port }` of a Host header value (`name`, `name:port`, `[v6]:port`); null when malformed. */
export function parseHost(value: string | undefined, defaultPort = 80): { name: string; port: number } | null {
  if (!value || value.length > 300) return null;
  let name: string;
  let rest: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    name = value.slice(1, end);
    if (isIP(name) !== 6) return null;
    rest = value.slice(end + 1);
  } else {
    const colon = value.indexOf(':');
    if (colon !== value.lastIndexOf(':')) return null; // a bare IPv6 literal must be bracketed
    name = colon < 0 ? value : value.slice(0, colon);
    rest = colon < 0 ? '' : value.slice(colon);
    if (!/^[A-Za-z0-9.-]+$/.test(name)) return null;
  }
  let port = defaultPort;
  if (rest !== '') {
    if (!/^:\d{1,5}$/.test(rest)) return null;
    port = Number(rest.slice(1));
    if (port > 65535) return null;
  }
  return { name: name.toLowerCase(), port };
}

/** `{ scheme, name, port }` of an Origin header; null for `null`, garbage, or anything not http(s). */
export function parseOrigin(value: string): { name: string; port: number } | null {
  const m = /^(https?):\/\/([^/?#]+)$/i.exec(value.trim());
  if (!m) return null;
  return parseHost(m[2], m[1].toLowerCase() === 'https' ? 443 : 80);
}

export class AccessPolicy {
  private readonly names: Set<string>;
  private port = 0;

  constructor(
    /** The interface the server is bound to (`--host`). */
    readonly bindHost: string,
    /** The access token, or null when none is required. */
    readonly token: string | null,
  ) {
    const bind = bindHost.toLowerCase().replace(/^\[|\]$/g, '');
    this.names = new Set(['localhost', bind]);
    if (bind === '0.0.0.0' || bind === '::') {
      const me = hostname().toLowerCase();
      this.names.add(me);
      this.names.add(`${me}.local`);
    }
  }

  /** The cookie the token travels in, per port (two servers on one host keep theirs apart). */
  get cookieName(): string {
    return `planarena_token_${this.port}`;
  }

  /** Set once the server listens (port 0 picks one). */
  listening(port: number): void {
    this.port = port;
  }

  /** Checks an HTTP request; a valid token in the query earns a cookie. */
  checkHttp(headers: IncomingHttpHeaders, query: URLSearchParams | null): Verdict {
    const host = this.checkHost(headers.host);
    if (host) return host;
    return this.checkToken(headers, query);
  }

  /** Checks a WebSocket upgrade: Host, then Origin, then token. */
  checkUpgrade(headers: IncomingHttpHeaders, query: URLSearchParams | null): Verdict {
    const host = this.checkHost(headers.host);
    if (host) return host;
    const origin = headers.origin;
    if (origin !== undefined) {
      const o = parseOrigin(String(origin));
      const h = parseHost(headers.host);
      if (!o || !h || o.name !== h.name || o.port !== h.port) {
        return { ok: false, status: 403, message: `Origin ${JSON.stringify(String(origin).slice(0, 100))} is not this server; open the viewer from its own URL` };
      }
    }
    const token = this.checkToken(headers, query);
    return token.ok ? { ok: true } : token;
  }

  private checkHost(value: string | undefined): Verdict | null {
    const h = parseHost(value);
    if (!h) return { ok: false, status: 400, message: `missing or malformed Host header ${JSON.stringify(String(value ?? '').slice(0, 100))}` };
    if (h.port !== this.port || !(isIP(h.name) !== 0 || this.names.has(h.name))) {
      return {
        ok: false,
        status: 403,
        message: `Host ${JSON.stringify(String(value).slice(0, 100))} does not name this server (port ${this.port}); use its IP address, localhost or the --host it was started with`,
      };
    }
    return null;
  }

  private checkToken(headers: IncomingHttpHeaders, query: URLSearchParams | null): Verdict {
    if (this.token === null) return { ok: true };
    const fromQuery = query?.get('token') ?? null;
    if (fromQuery !== null && this.matches(fromQuery)) {
      return { ok: true, setCookie: `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/` };
    }
    const auth = typeof headers.authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(headers.authorization)?.[1] : undefined;
    if (auth !== undefined && this.matches(auth)) return { ok: true };
    const cookie = cookieValue(headers.cookie, this.cookieName);
    if (cookie !== null && this.matches(cookie)) return { ok: true };
    return { ok: false, status: 401, message: 'this viewer needs its access token: open the URL planarena printed (it ends in ?token=...)' };
  }

  private matches(given: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(this.token!);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** The value of cookie `name` in a Cookie header; null when absent. */
function cookieValue(header: string | undefined, name: string): string | null {
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
