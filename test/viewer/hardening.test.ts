/**
 * Issue 16: nothing a client sends crashes the viewer's server or the run streaming through it;
 * Host is checked on HTTP and WebSocket (DNS rebinding); a token guards servers that require
 * one; interventions are rate limited; buffers are bounded per client and in total; stalled
 * clients are dropped; bad percent-encoding is a clear 400. Real HTTP and WebSocket on
 * 127.0.0.1 throughout.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, type ServerEvent } from '../../viewer/protocol.ts';
import { accessToken, startLiveServer, type LiveServerHandle } from '../../viewer/server/LiveServer.ts';
import { MAX_SPAWNS_PER_EPISODE } from '../../viewer/server/LiveSession.ts';
import { driveEpisode } from './realEpisode.ts';
import { connectClient, stalledClient } from './wsClient.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const is =
  <K extends ServerEvent['type']>(type: K) =>
  (e: ServerEvent): e is Extract<ServerEvent, { type: K }> =>
    e.type === type;

let server: LiveServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  vi.restoreAllMocks();
});

async function start(extra: Partial<Parameters<typeof startLiveServer>[0]> = {}) {
  server = await startLiveServer({ port: 0, host: '127.0.0.1', noClient: true, quiet: true, ...extra });
  return server;
}

/** Sends raw bytes, returns the status code of the response (0 when the socket closes without one). */
function raw(port: number, text: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0), head: got });
    sock.on('data', (d) => {
      got += d.toString('latin1');
      // A switched (101) socket stays open: the response head is all we wait for.
      if (got.includes('\r\n\r\n')) sock.destroy();
    });
    sock.on('error', () => undefined);
    sock.on('close', done);
    sock.write(text);
    setTimeout(() => sock.destroy(), 3000).unref();
  });
}

const upgrade = (port: number, headers: Record<string, string>, path = WS_PATH) =>
  raw(
    port,
    `GET ${path} HTTP/1.1\r\n${Object.entries({ host: `127.0.0.1:${port}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', ...headers })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n`,
  );

/** A GET with any Host header (fetch will not set one). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Completes a WebSocket handshake, then sends bytes that are no valid frame (reserved opcode,
 * unmasked, absurd length) and a half frame, and hangs up. */
async function garbageFrames(port: number): Promise<void> {
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  await new Promise<void>((ok) => sock.once('connect', () => ok()));
  sock.write(`GET ${WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((ok) => sock.once('data', () => ok()));
  sock.write(Buffer.from([0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]));
  sock.write(Buffer.from([0x81, 0x85, 1, 2]));
  await new Promise<void>((ok) => sock.once('close', () => ok()).setTimeout(2000, () => (sock.destroy(), ok())));
}

const HOSTILE_ORIGINS = ['null', 'garbage', 'http://[::1', 'http://', '://', 'http://127.0.0.1:99999', '\u00ff\u00fe', 'https://evil.example'];

describe('hostile headers', () => {
  it('one bad header under a live run does not kill the run', async () => {
    const s = await start();
    const errors = vi.spyOn(console, 'error');
    const healthy = await connectClient(s.url);
    const statuses: number[] = [];
    const driven = await driveEpisode(s.observer, {
      steps: 12,
      between: async (i) => {
        if (i < HOSTILE_ORIGINS.length) statuses.push((await upgrade(s.port, { origin: HOSTILE_ORIGINS[i] })).status);
        if (i === 9) statuses.push((await upgrade(s.port, { host: 'evil.example' })).status, (await upgrade(s.port, { host: '[::1' })).status, (await upgrade(s.port, { host: '' })).status);
        if (i === 10) statuses.push((await raw(s.port, 'GET /api/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).status);
        if (i === 11) await garbageFrames(s.port);
        await tick();
      },
    });
    expect(driven.record.steps).toBe(12);
    const end = await healthy.waitFor(is('episode_end'));
    expect(end.record.steps).toBe(12);
    expect(healthy.events.filter(is('step'))).toHaveLength(12);
    expect(statuses.slice(0, HOSTILE_ORIGINS.length)).toEqual(HOSTILE_ORIGINS.map(() => 403));
    expect(statuses.slice(HOSTILE_ORIGINS.length)).toEqual([403, 400, 400, 403]);
    // Still serving, and nothing was logged as a crash.
    expect((await get(s.port, '/api/runs', { host: `127.0.0.1:${s.port}` })).status).toBe(200);
    expect(errors).not.toHaveBeenCalled();
    healthy.ws.close();
  });

  it('bad percent-encoding in a URL is a 400 naming the problem, with no stack trace', async () => {
    const s = await start();
    const errors = vi.spyOn(console, 'error');
    const r = await get(s.port, '/api/runs/%E0%A4%A/episode?path=x', { host: `127.0.0.1:${s.port}` });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: 'bad percent-encoding in the URL path "/api/runs/%E0%A4%A/episode"; escape "%" as %25' });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('Host header (DNS rebinding)', () => {
  it('HTTP and WebSocket refuse a Host that does not name this server', async () => {
    const s = await start();
    const port = s.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect((await get(port, '/api/runs', { host })).status, host).toBe(200);
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'evil.example', `localhost.evil.example:${port}`]) {
      const r = await get(port, '/api/runs', { host });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body).error).toMatch(/does not name this server/);
    }
    // The rebinding attack proper: the page's own Origin matches its (attacker's) Host.
    expect((await upgrade(port, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).status).toBe(403);
    expect((await upgrade(port, { origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await upgrade(port, {})).status).toBe(101);
  });
});

describe('access token', () => {
  it('off loopback a token is required by default; on loopback none', () => {
    expect(accessToken('0.0.0.0')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(accessToken('192.168.1.20')).not.toBeNull();
    expect(accessToken('::')).not.toBeNull();
    expect(accessToken('127.0.0.1')).toBeNull();
    expect(accessToken('localhost')).toBeNull();
    expect(accessToken('0.0.0.0', 'mine-0123456789abcdef')).toBe('mine-0123456789abcdef');
  });

  it('the printed URL carries the token; without it HTTP and WebSocket get 401; the page cookie lets the client in', async () => {
    const token = 'tok-0123456789abcdefXYZ';
    const s = await start({ token });
    const host = { host: `127.0.0.1:${s.port}` };
    expect(s.url).toBe(`${s.baseUrl}?token=${token}`);
    expect((await get(s.port, '/api/runs', host)).status).toBe(401);
    expect((await get(s.port, '/api/runs?token=wrong-0123456789abcdefXY', host)).status).toBe(401);
    expect((await upgrade(s.port, {})).status).toBe(401);

    const first = await get(s.port, `/api/runs?token=${token}`, host);
    expect(first.status).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0];
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(s.port, '/api/runs', { ...host, cookie })).status).toBe(200);
    expect((await get(s.port, '/api/runs', { ...host, authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await upgrade(s.port, { cookie })).status).toBe(101);
    expect((await upgrade(s.port, {}, `${WS_PATH}?token=${token}`)).status).toBe(101);
    // A real client with the cookie streams as usual.
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}${WS_PATH}`, { headers: { cookie } });
    const hello = await new Promise<ServerEvent>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as ServerEvent));
      ws.once('error', reject);
    });
    expect(hello.type).toBe('hello');
    ws.close();
  });
});

describe('interventions are rate limited', () => {
  it('1,000 spawns from one client: at most a burst applies, the flood is refused then disconnected, another client is answered', async () => {
    const s = await start();
    const flood = await connectClient(s.url);
    const other = await connectClient(s.url);
    let sent = false;
    let bodies0 = 0;
    const driven = await driveEpisode(s.observer, {
      steps: 30,
      action: (_i, dim) => new Array(dim).fill(0),
      onEnv: (env) => (bodies0 = env.transforms().length / 7),
      between: async () => {
        await tick();
        if (sent) return;
        const startEv = await flood.waitFor(is('episode_start'));
        for (let k = 0; k < 1000; k++) flood.send({ type: 'spawn', id: `s${k}`, channel: startEv.channel, position: [2 + (k % 5) * 0.3, -2], shape: 'box' });
        other.send({ type: 'ping', id: 'other' });
        sent = true;
        for (let k = 0; k < 50; k++) await tick();
      },
    });
    expect(driven.record.steps).toBe(30);
    expect(await other.waitFor((e) => e.type === 'ack' && e.id === 'other')).toBeTruthy();
    await other.waitFor(is('episode_end'));
    // About the intervention burst (10, plus 5/s refill while the flood arrives) was applied;
    // the flood was told, then cut off (1008). Before the limits all 1,000 were applied.
    const added = driven.frames[driven.frames.length - 1].length / 7 - bodies0;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(15);
    expect(flood.events.filter((e) => e.type === 'error' && e.code === 'E_RATE_LIMIT').length).toBeGreaterThan(100);
    expect((await flood.closed).code).toBe(1008);
    other.ws.close();
  });

  it(`at most ${MAX_SPAWNS_PER_EPISODE} dropped obstacles per episode, whatever the allowance`, async () => {
    const s = await start({ interventionRate: { burst: 1000, perSecond: 1000 } });
    const c = await connectClient(s.url);
    let sent = false;
    await driveEpisode(s.observer, {
      steps: 20,
      action: (_i, dim) => new Array(dim).fill(0),
      between: async () => {
        await tick();
        if (sent) return;
        const startEv = await c.waitFor(is('episode_start'));
        for (let k = 0; k < MAX_SPAWNS_PER_EPISODE + 10; k++) c.send({ type: 'spawn', id: `s${k}`, channel: startEv.channel, position: [-3 + (k % 10) * 0.6, 3 - Math.floor(k / 10) * 0.6], shape: 'sphere' });
        sent = true;
        for (let k = 0; k < 50; k++) await tick();
      },
    });
    await c.waitFor(is('episode_end'));
    const limits = c.events.filter((e) => e.type === 'error' && e.code === 'E_LIMIT');
    expect(limits).toHaveLength(10);
    expect(c.events.filter((e) => e.type === 'ack')).toHaveLength(MAX_SPAWNS_PER_EPISODE);
    c.ws.close();
  });
});

/** A world-model-sized decision (~50 KB of JSON per step), to fill slow clients' buffers. */
const BIG_INFO = () => ({ imagined: { rollouts: Array.from({ length: 48 }, (_, r) => ({ points: Array.from({ length: 30 }, (_, k) => [r * 0.01 + k * 0.1, k * 0.05, 0.1]), cost: r, elite: r < 8 })) } });

describe('slow and stalled clients', () => {
  it('a client whose backlog stays above the high-water mark for the stall time is dropped', async () => {
    const s = await start({ highWater: 64 * 1024, hardLimit: 1 << 30, stallMs: 300, heartbeatMs: 600_000 });
    const healthy = await connectClient(s.url);
    const stalled = await Promise.all([stalledClient(s.url), stalledClient(s.url)]);
    await driveEpisode(s.observer, { steps: 200, action: (_i, dim) => new Array(dim).fill(0), info: BIG_INFO, between: tick });
    for (let k = 0; k < 100 && s.clients.size > 1; k++) await sleep(50);
    expect(s.clients.size).toBe(1);
    await healthy.waitFor(is('episode_end'));
    expect(healthy.events.filter(is('step'))).toHaveLength(200);
    stalled.forEach((c) => c.destroy());
    healthy.ws.close();
  });

  it('the bytes held for all clients together are capped: the furthest behind go first', async () => {
    // Each stalled client holds up to the high-water mark (1 MB) plus what must arrive; six of
    // them need more than the 2 MB allowed for everyone.
    const limit = 2 << 20;
    const s = await start({ hardLimit: 1 << 30, totalLimit: limit, stallMs: 600_000, heartbeatMs: 600_000 });
    const healthy = await connectClient(s.url);
    const stalled = await Promise.all(Array.from({ length: 6 }, () => stalledClient(s.url)));
    const all = [...s.clients];
    await driveEpisode(s.observer, { steps: 200, action: (_i, dim) => new Array(dim).fill(0), info: BIG_INFO, between: tick });
    await sleep(600);
    const total = [...s.clients].reduce((n, c) => n + c.ws.bufferedAmount, 0);
    expect(total).toBeLessThanOrEqual(limit);
    const reasons = all.map((c) => c.stats.disconnected).filter(Boolean);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((r) => /holds more than 2097152 bytes for all clients/.test(r!))).toBe(true);
    await healthy.waitFor(is('episode_end'));
    expect(healthy.events.filter(is('step'))).toHaveLength(200);
    expect(all.find((c) => c.stats.sentFrames > 150)?.stats.disconnected).toBeUndefined();
    stalled.forEach((c) => c.destroy());
    healthy.ws.close();
  });

  it('a client that stops answering pings is dropped even when nothing is streaming', async () => {
    const s = await start({ heartbeatMs: 150 });
    const healthy = await connectClient(s.url);
    const stalled = await stalledClient(s.url);
    for (let k = 0; k < 100 && s.clients.size > 1; k++) await sleep(50);
    expect(s.clients.size).toBe(1);
    healthy.send({ type: 'ping', id: 'alive' });
    expect(await healthy.waitFor((e) => e.type === 'ack' && e.id === 'alive')).toBeTruthy();
    stalled.destroy();
    healthy.ws.close();
  });
});
