/**
 * The viewer's server: one port for the built browser client (static files), the read-only
 * runs API (replay, results page) and the WebSocket stream ({@link WS_PATH}) of live episodes.
 *
 * `startLiveServer` is what `planarena run --live`, `planarena demo` (`npm start`) and
 * `planarena serve` call. Hand its `observer` to the runner to stream episodes as they run.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EpisodeObserver } from '../../runner/types.ts';
import { MAX_CLIENT_MESSAGE_BYTES, PROTOCOL_VERSION, WS_PATH, parseClientRequest, type ServerEvent } from '../protocol.ts';
import { ensureClientBuilt } from './buildClient.ts';
import { ClientStream } from './ClientStream.ts';
import { HttpError } from './HttpError.ts';
import { LiveSession } from './LiveSession.ts';
import { RunsApi } from './runsApi.ts';

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
  quiet?: boolean;
  /** `serve` when started by `planarena serve` (replay first), else `live`. */
  mode?: 'live' | 'serve';
}

export interface LiveServer {
  url: string;
  observer: EpisodeObserver;
  close(): Promise<void>;
}

/** The server with its internals exposed for tests and benches. */
export interface LiveServerHandle extends LiveServer {
  session: LiveSession;
  clients: Set<ClientStream>;
  port: number;
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
  const session = new LiveSession(() => clients);
  const teaching = opts.teaching ?? true;

  const server = createServer(async (req, res) => {
    try {
      await handleHttp(req, res, api, clientDir);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) console.error(`planarena viewer: ${req.url}: ${e instanceof Error ? e.stack : e}`);
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES * 4 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // A page from another site must not drive a local simulation (cross-site WebSocket hijacking).
    const origin = req.headers.origin;
    if (url.pathname !== WS_PATH || (origin && new URL(origin).host !== req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    const c = new ClientStream(ws, opts.highWater, opts.hardLimit);
    clients.add(c);
    ws.on('close', () => clients.delete(c));
    ws.on('error', () => clients.delete(c));
    c.sendControl({ type: 'hello', protocol: PROTOCOL_VERSION, server: 'planarena', mode: opts.mode ?? 'live', teaching, runsDir: api.root });
    session.greet(c);
    ws.on('message', (data, isBinary) => {
      const reply = (ev: ServerEvent) => c.sendControl(ev);
      if (isBinary) return reply({ type: 'error', id: null, code: 'E_BAD_REQUEST', message: 'binary messages are not accepted; send JSON text' });
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (size > MAX_CLIENT_MESSAGE_BYTES) {
        return reply({ type: 'error', id: null, code: 'E_TOO_LARGE', message: `message of ${size} bytes exceeds the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit` });
      }
      const parsed = parseClientRequest(data.toString());
      if (!parsed.ok) return reply({ type: 'error', id: parsed.id, code: parsed.code, message: parsed.message });
      const req = parsed.req;
      if (req.type === 'ping') return reply({ type: 'ack', id: req.id });
      if (!teaching) return reply({ type: 'error', id: req.id, code: 'E_NOT_LIVE', message: 'teaching mode is off on this server' });
      session.request(c, req);
    });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${opts.port} on ${opts.host} is in use; pass another --port`), { code: 'EADDRINUSE' }) : e),
    );
    server.listen(opts.port, opts.host, () => ok());
  });
  if (!isLoopback(opts.host) && !opts.quiet) {
    console.warn(`planarena viewer: WARNING: listening on ${opts.host}, reachable from other machines; anyone who can reach it can watch and shove live episodes.`);
  }
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${hostForUrl}:${port}/`,
    port,
    observer: session.observer,
    session,
    clients,
    close() {
      closing ??= new Promise<void>((done) => {
        for (const c of clients) c.close();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, api: RunsApi, clientDir: string | null): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not supported; the viewer API is read-only`);
  const url = new URL(req.url ?? '/', 'http://x');
  const path = decodeURIComponent(url.pathname);

  if (path === '/api/runs') return sendJson(res, 200, api.list());
  const episode = /^\/api\/runs\/(.+)\/episode$/.exec(path);
  if (episode) {
    const rec = url.searchParams.get('path');
    if (!rec) throw new HttpError(400, 'missing ?path=<recording path relative to the run>');
    return sendJson(res, 200, await api.episode(episode[1], rec));
  }
  const run = /^\/api\/runs\/(.+)$/.exec(path);
  if (run) return sendJson(res, 200, api.detail(run[1]));
  if (path.startsWith('/api/')) throw new HttpError(404, `unknown API path ${path}; valid: /api/runs, /api/runs/<name>, /api/runs/<name>/episode?path=`);

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
