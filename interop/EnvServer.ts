/**
 * The env server (`planarena env-server`): planarena's simulator over WebSocket + MessagePack,
 * for training loops in other languages (envProtocol.ts; examples/planarena_env.py is a
 * Gymnasium-style client). Each connection is an independent session with its own environment;
 * its requests are handled one at a time, in order, and answered with the request's `seq`.
 *
 * Bad requests get `error {message}` and the session stays usable; a frame that is not a
 * protocol message gets `error` with seq -1. The connection closes when the client goes, or when
 * the server is full (`maxSessions`, close code 1013 "try again later").
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LidarMethod, PhysicsFlavor } from '../sim/types.ts';
import { ENV_REPLY, type ResetRequest, type StepRequest } from './envProtocol.ts';
import { EnvRequestError, EnvSession, type EnvCatalog } from './EnvSession.ts';
import { decodeMessage, encodeMessage, frameBytes, ProtocolViolation, type Envelope } from './wire.ts';

export interface EnvServerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  physics: PhysicsFlavor;
  lidar: LidarMethod;
  catalog: EnvCatalog;
  /** Concurrent sessions; a client beyond it is turned away. */
  maxSessions: number;
  /** Largest request frame, bytes (an action is a few dozen). */
  maxFrameBytes?: number;
  /** Connection and error lines (the CLI prints them; tests collect them). */
  log?: (line: string) => void;
}

export interface EnvServer {
  url: string;
  port: number;
  /** Sessions open now. */
  sessions(): number;
  close(): Promise<void>;
}

export const DEFAULT_ENV_PORT = 8766;
const DEFAULT_MAX_FRAME = 1024 * 1024;

export async function startEnvServer(opts: EnvServerOptions): Promise<EnvServer> {
  const wss = new WebSocketServer({ host: opts.host, port: opts.port, maxPayload: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const log = opts.log ?? (() => {});
  const open = new Set<EnvSession>();
  let next = 0;

  wss.on('connection', (ws: WebSocket, req) => {
    const id = next++;
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (open.size >= opts.maxSessions) {
      ws.send(encodeMessage('error', -1, { message: `server full: ${opts.maxSessions} sessions open (env-server --max-sessions); try again later` }));
      ws.close(1013, 'server full');
      log(`session ${id} from ${peer}: refused, server full`);
      return;
    }
    const session = new EnvSession(opts.catalog, { physics: opts.physics, lidar: opts.lidar });
    open.add(session);
    log(`session ${id} from ${peer}: open (${open.size} open)`);
    // One request at a time per session, in arrival order (reset is async: it builds a world).
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      const bytes = frameBytes(data as Buffer | ArrayBuffer | Buffer[]);
      queue = queue
        .then(() => answer(ws, session, bytes, isBinary, (line) => log(`session ${id}: ${line}`)))
        .catch((e: unknown) => {
          // answer() replies to every failure it can name; anything left is logged, and the
          // session (and the server) carry on.
          log(`session ${id}: ${e instanceof Error ? e.message : String(e)}`);
        });
    });
    ws.on('close', () => {
      // Dispose after the request in flight, never under it.
      void queue.then(() => {
        session.dispose();
        open.delete(session);
        log(`session ${id}: closed (${open.size} open)`);
      });
    });
    ws.on('error', (e) => log(`session ${id}: ${e.message}`));
  });

  const port = (wss.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `ws://${host}:${port}`,
    port,
    sessions: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => {
          for (const s of open) s.dispose();
          open.clear();
          resolve();
        });
      }),
  };
}

async function answer(ws: WebSocket, session: EnvSession, bytes: Uint8Array, isBinary: boolean, log: (line: string) => void): Promise<void> {
  const send = (type: string, seq: number, payload: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(type, seq, payload));
  };
  let msg: Envelope;
  try {
    msg = decodeMessage(bytes, isBinary);
  } catch (e) {
    if (!(e instanceof ProtocolViolation)) throw e;
    return send('error', -1, { message: e.message });
  }
  try {
    if (msg.type === 'reset') return send(ENV_REPLY.reset, msg.seq, await session.reset(msg.payload as ResetRequest));
    if (msg.type === 'step') return send(ENV_REPLY.step, msg.seq, session.step(msg.payload as StepRequest));
    send('error', msg.seq, { message: `unknown message type "${msg.type}"; the env server answers "reset" and "step"` });
  } catch (e) {
    // Client mistakes and scenario errors (UserError) are the client's to fix; anything else is
    // a planarena bug, reported to the client and logged, never allowed to end the server.
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    if (!(e instanceof EnvRequestError)) log(`${msg.type} seq ${msg.seq} failed: ${message}`);
    send('error', msg.seq, { message });
  }
}
