/** Test support: a real `ws` client that collects protocol events and decoded frames. */
import { connect as netConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { decodeFrame, WS_PATH, type Frame, type ServerEvent } from '../../viewer/protocol.ts';

export interface TestClient {
  ws: WebSocket;
  events: ServerEvent[];
  frames: Frame[];
  closed: Promise<{ code: number }>;
  send(msg: unknown): void;
  /** Resolves with the first event (already received or future) matching `pred`. */
  waitFor<T extends ServerEvent>(pred: (e: ServerEvent) => e is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (e: ServerEvent) => boolean, timeoutMs?: number): Promise<ServerEvent>;
}

export async function connectClient(baseUrl: string): Promise<TestClient> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws').replace(/\/$/, '') + WS_PATH);
  const events: ServerEvent[] = [];
  const frames: Frame[] = [];
  const waiters: { pred: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      frames.push(decodeFrame(data as Buffer));
      return;
    }
    const ev = JSON.parse(String(data)) as ServerEvent;
    events.push(ev);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].pred(ev)) {
        waiters[i].resolve(ev);
        waiters.splice(i, 1);
      }
    }
  });
  const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  return {
    ws,
    events,
    frames,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    waitFor(pred: (e: ServerEvent) => boolean, timeoutMs = 20_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<ServerEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(',')}`)), timeoutMs);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  } as TestClient;
}

/** A WebSocket client that completes the handshake and then never reads: a stalled viewer. */
export async function stalledClient(baseUrl: string): Promise<Socket> {
  const url = new URL(baseUrl);
  const sock = netConnect(Number(url.port), url.hostname);
  await new Promise<void>((ok, fail) => {
    sock.once('connect', () => ok());
    sock.once('error', fail);
  });
  sock.write(
    `GET ${WS_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((ok) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        sock.off('data', onData);
        ok();
      }
    };
    sock.on('data', onData);
  });
  sock.pause();
  return sock;
}
