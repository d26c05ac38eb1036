/**
 * The viewer's server: one port for the built browser client (static files), the read-only
 * runs API (replay, results page) and the WebSocket stream ({@link WS_PATH}) of live episodes.
 *
 * `startLiveServer` is what `planarena run --live`, `planarena demo` (`npm start`) and
 * `planarena serve` call. Hand its `observer` to the runner to stream episodes as they run.
 *
 * Nothing a client sends can crash the server or the run streaming through it: every header is
 * parsed defensively (`AccessPolicy.ts`: Host against DNS rebinding, Origin against cross-site
 * WebSockets, the access token of non-loopback servers), every request handler and socket has
 * its errors caught, each client's messages and interventions are rate limited, and the bytes
 * held for slow clients are bounded per client and in total, with stalled clients dropped.
 * The limits are listed in docs/limits.md.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { scrubSecrets } from '../../core/secrets.ts';
import type { EpisodeObserver } from '../../runner/types.ts';
import { MAX_CLIENT_MESSAGE_BYTES, PROTOCOL_VERSION, WS_PATH, parseClientRequest, type ServerEvent } from '../protocol.ts';
import { AccessPolicy, isLoopback, newToken, type Verdict } from './AccessPolicy.ts';
import { ensureClientBuilt } from './buildClient.ts';
import { ClientStream, HIGH_WATER } from './ClientStream.ts';
import { HttpError } from './HttpError.ts';
import { KEPT_BYTES, LiveSession } from './LiveSession.ts';
import { RateLimiter } from './RateLimiter.ts';
import { RunsApi } from './runsApi.ts';

/** Bytes buffered for all clients together before the most backlogged are dropped. */
export const TOTAL_BUFFER_LIMIT = 256 << 20;
/** A client whose backlog stays above the high-water mark this long (ms) is dropped. */
export const STALL_MS = 30_000;
/** WebSocket ping interval (ms); a client that has not answered the previous ping is dropped. */
export const HEARTBEAT_MS = 30_000;
/** Messages per client: burst, and refill per second. */
export const MESSAGE_RATE = { burst: 100, perSecond: 50 };
/** Teaching-mode interventions (shove, spawn) per client: burst, and refill per second. */
export const INTERVENTION_RATE = { burst: 10, perSecond: 5 };
/** Refused messages in a row after which a client is disconnected (policy violation, 1008). */
const MAX_REFUSALS = 200;
/** How often buffers, stalls and heartbeats are checked (ms). */
const SWEEP_MS = 250;

export interface LiveServerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Folder of run directories for replay and the results page. */
  runsDir?: string;
  /** Allow teaching-mode requests (shoves, dropped obstacles). Default true. */
  teaching?: boolean;
  /** Skip building the browser client (API and stream only; for tests of the protocol). */
  noClient?: boolean;
  /** Per-client congestion thresholds in bytes (tests lower them). */
  highWater?: number;
  hardLimit?: number;
  /** Access token. Default: a random one when `host` is not loopback (required there), none on
   * loopback. `null` turns it off even off loopback (tests only). */
  token?: string | null;
  /** Bytes of finished episodes kept for late browsers (default {@link KEPT_BYTES}; tests lower it). */
  keptBytes?: number;
  /** See {@link TOTAL_BUFFER_LIMIT}, {@link STALL_MS}, {@link HEARTBEAT_MS} (tests lower them). */
  totalLimit?: number;
  stallMs?: number;
  heartbeatMs?: number;
  messageRate?: { burst: number; perSecond: number };
  interventionRate?: { burst: number; perSecond: number };
  quiet?: boolean;
  /** `serve` when started by `planarena serve` (replay first), else `live`. */
  mode?: 'live' | 'serve';
}

export interface LiveServer {
  /** What to open in a browser: includes `?token=…` when the server requires one. */
  url: string;
  observer: EpisodeObserver;
  close(): Promise<void>;
}

/** The server with its internals exposed for tests and benches. */
export interface LiveServerHandle extends LiveServer {
  session: LiveSession;
  clients: Set<ClientStream>;
  port: number;
  /** `http://host:port/`, without the token. */
  baseUrl: string;
  token: string | null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export async function startLiveServer(opts: LiveServerOptions): Promise<LiveServerHandle> {
  const clientDir = opts.noClient ? null : await ensureClientBuilt({ quiet: opts.quiet });
  const api = new RunsApi(opts.runsDir);
  const clients = new Set<ClientStream>();
  const session = new LiveSession(() => clients, opts.keptBytes);
  const teaching = opts.teaching ?? true;
  const token = accessToken(opts.host, opts.token);
  const access = new AccessPolicy(opts.host, token);
  const highWater = opts.highWater ?? HIGH_WATER;

  const server = createServer((req, res) => {
    handleHttp(req, res, api, session, clientDir, access).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) console.error(scrubSecrets(`planarena viewer: ${String(req.url).slice(0, 200)}: ${e instanceof Error ? e.stack : e}`));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES * 4 });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // A reset before the handshake must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    try {
      const url = parseUrl(req.url);
      const verdict: Verdict = url && url.pathname === WS_PATH ? access.checkUpgrade(req.headers, url.searchParams) : { ok: false, status: 403, message: `WebSocket path must be ${WS_PATH}` };
      if (!verdict.ok) return refuseUpgrade(socket, verdict);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    } catch (e) {
      // Not reachable by design (every parser above returns instead of throwing); if it is,
      // the one connection goes, never the server or the run.
      console.error(scrubSecrets(`planarena viewer: upgrade failed: ${e instanceof Error ? e.stack : e}`));
      socket.destroy();
    }
  });

  /** Per client: message and intervention allowances, refusals in a row, liveness, stall clock. */
  const state = new Map<ClientStream, { messages: RateLimiter; interventions: RateLimiter; refusals: number; alive: boolean; congestedSince: number | null }>();

  function onConnection(ws: WebSocket): void {
    const c = new ClientStream(ws, highWater, opts.hardLimit);
    clients.add(c);
    const messageRate = opts.messageRate ?? MESSAGE_RATE;
    const interventionRate = opts.interventionRate ?? INTERVENTION_RATE;
    const st = { messages: new RateLimiter(messageRate.burst, messageRate.perSecond), interventions: new RateLimiter(interventionRate.burst, interventionRate.perSecond), refusals: 0, alive: true, congestedSince: null };
    state.set(c, st);
    const gone = () => {
      clients.delete(c);
      state.delete(c);
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('pong', () => (st.alive = true));
    c.sendControl({ type: 'hello', protocol: PROTOCOL_VERSION, server: 'planarena', mode: opts.mode ?? 'live', teaching, runsDir: api.root });
    session.greet(c);
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(c, st, data, isBinary);
      } catch (e) {
        // As in the upgrade handler: one client's message never takes the server down.
        console.error(scrubSecrets(`planarena viewer: message handling failed: ${e instanceof Error ? e.stack : e}`));
      }
    });
  }

  function onMessage(c: ClientStream, st: { messages: RateLimiter; interventions: RateLimiter; refusals: number }, data: WebSocket.RawData, isBinary: boolean): void {
    const reply = (ev: ServerEvent) => {
      if (ev.type === 'error') {
        if (++st.refusals > MAX_REFUSALS) return c.ws.close(1008, 'too many refused messages');
      } else st.refusals = 0;
      c.sendControl(ev);
    };
    if (!st.messages.take()) return reply({ type: 'error', id: null, code: 'E_RATE_LIMIT', message: `more than ${(opts.messageRate ?? MESSAGE_RATE).perSecond} messages per second; slow down` });
    if (isBinary) return reply({ type: 'error', id: null, code: 'E_BAD_REQUEST', message: 'binary messages are not accepted; send JSON text' });
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (size > MAX_CLIENT_MESSAGE_BYTES) {
      return reply({ type: 'error', id: null, code: 'E_TOO_LARGE', message: `message of ${size} bytes exceeds the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit` });
    }
    const parsed = parseClientRequest(Array.isArray(data) ? Buffer.concat(data).toString() : data.toString());
    if (!parsed.ok) return reply({ type: 'error', id: parsed.id, code: parsed.code, message: parsed.message });
    const req = parsed.req;
    if (req.type === 'ping') return reply({ type: 'ack', id: req.id });
    if (!teaching) return reply({ type: 'error', id: req.id, code: 'E_NOT_LIVE', message: 'teaching mode is off on this server' });
    if (!st.interventions.take()) {
      return reply({ type: 'error', id: req.id, code: 'E_RATE_LIMIT', message: `more than ${(opts.interventionRate ?? INTERVENTION_RATE).perSecond} shoves or drops per second; wait a moment` });
    }
    st.refusals = 0;
    session.request(c, req);
  }

  // Buffers, stalls and heartbeats: what no single client can see.
  const totalLimit = opts.totalLimit ?? TOTAL_BUFFER_LIMIT;
  const stallMs = opts.stallMs ?? STALL_MS;
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  let lastBeat = Date.now();
  const sweep = setInterval(() => {
    const now = Date.now();
    const beat = now - lastBeat >= heartbeatMs;
    if (beat) lastBeat = now;
    let total = 0;
    for (const c of clients) {
      const st = state.get(c);
      if (!st || !c.open) continue;
      const buffered = c.ws.bufferedAmount;
      total += buffered;
      if (buffered > highWater) st.congestedSince ??= now;
      else st.congestedSince = null;
      if (st.congestedSince !== null && now - st.congestedSince >= stallMs) {
        c.terminate(`stalled: more than ${highWater} bytes unread for ${stallMs} ms`);
        total -= buffered;
        continue;
      }
      if (beat) {
        if (!st.alive) {
          c.terminate(`no answer to a ping within ${heartbeatMs} ms`);
          total -= buffered;
          continue;
        }
        st.alive = false;
        c.ws.ping();
      }
    }
    if (total > totalLimit) {
      const worst = [...clients].filter((c) => c.open).sort((a, b) => b.ws.bufferedAmount - a.ws.bufferedAmount);
      for (const c of worst) {
        if (total <= totalLimit) break;
        total -= c.ws.bufferedAmount;
        c.terminate(`the server holds more than ${totalLimit} bytes for all clients; this one was furthest behind`);
      }
    }
  }, Math.min(SWEEP_MS, stallMs, heartbeatMs));
  sweep.unref();

  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${opts.port} on ${opts.host} is in use; pass another --port`), { code: 'EADDRINUSE' }) : e),
    );
    server.listen(opts.port, opts.host, () => ok());
  });
  // After listening, a server error (say, EMFILE) is logged, never thrown into the run.
  server.on('error', (e) => console.error(`planarena viewer: ${e.message}`));
  if (!isLoopback(opts.host) && !opts.quiet) {
    console.warn(`planarena viewer: listening on ${opts.host}, reachable from other machines; ${token ? 'only browsers given the URL with its token can watch and shove live episodes' : 'WARNING: no access token, anyone who can reach it can watch and shove live episodes'}.`);
  }
  const port = (server.address() as AddressInfo).port;
  access.listening(port);
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const baseUrl = `http://${hostForUrl}:${port}/`;

  let closing: Promise<void> | null = null;
  return {
    url: token ? `${baseUrl}?token=${token}` : baseUrl,
    baseUrl,
    token,
    port,
    observer: session.observer,
    session,
    clients,
    close() {
      closing ??= new Promise<void>((done) => {
        clearInterval(sweep);
        for (const c of clients) c.close();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The token a server on `host` requires: `given` when set (null: none), else a random one off
 * loopback and none on it. */
export function accessToken(host: string, given?: string | null): string | null {
  return given === undefined ? (isLoopback(host) ? null : newToken()) : given;
}

/** The request URL, or null when it does not parse (`new URL` throws on some raw paths). */
function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://x');
  } catch {
    return null;
  }
}

function refuseUpgrade(socket: Socket, v: Extract<Verdict, { ok: false }>): void {
  const reason = v.status === 400 ? 'Bad Request' : v.status === 401 ? 'Unauthorized' : 'Forbidden';
  const body = `${v.message}\n`;
  socket.end(`HTTP/1.1 ${v.status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, api: RunsApi, session: LiveSession, clientDir: string | null, access: AccessPolicy): Promise<void> {
  const url = parseUrl(req.url);
  if (!url) throw new HttpError(400, `malformed request URL ${JSON.stringify(String(req.url).slice(0, 100))}`);
  const verdict = access.checkHttp(req.headers, url.searchParams);
  if (!verdict.ok) throw new HttpError(verdict.status, verdict.message);
  if (verdict.setCookie) res.setHeader('set-cookie', verdict.setCookie);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not supported; the viewer API is read-only`);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    throw new HttpError(400, `bad percent-encoding in the URL path ${JSON.stringify(url.pathname.slice(0, 100))}; escape "%" as %25`);
  }

  if (path === '/api/runs') return sendJson(res, 200, api.list());
  const liveEpisode = /^\/api\/live\/episodes\/(\d{1,5})$/.exec(path);
  if (liveEpisode) {
    const data = session.episodeData(Number(liveEpisode[1]));
    if (!data) throw new HttpError(404, `no live episode on channel ${liveEpisode[1]}: it never ran here, or its stream was let go to stay within the memory budget (replay the run directory instead)`);
    return sendJson(res, 200, data);
  }
  const episode = /^\/api\/runs\/(.+)\/episode$/.exec(path);
  if (episode) {
    const rec = url.searchParams.get('path');
    if (!rec) throw new HttpError(400, 'missing ?path=<recording path relative to the run>');
    return sendJson(res, 200, await api.episode(episode[1], rec));
  }
  const run = /^\/api\/runs\/(.+)$/.exec(path);
  if (run) return sendJson(res, 200, api.detail(run[1]));
  if (path.startsWith('/api/')) throw new HttpError(404, `unknown API path ${path}; valid: /api/runs, /api/runs/<name>, /api/runs/<name>/episode?path=, /api/live/episodes/<channel>`);

  if (!clientDir) throw new HttpError(404, 'this server was started without the browser client');
  const rel = path === '/' ? 'index.html' : path.slice(1);
  const file = resolve(clientDir, rel);
  if (!file.startsWith(clientDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    throw new HttpError(404, `no file ${path}`);
  }
  const body = readFileSync(file);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    // Hashed asset names never change content; the page itself must always be fresh.
    'cache-control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache' });
  res.end(text);
}
