/**
 * The TypeScript reference policy server for protocol v1 (docs/interop.md), used by the tests and
 * the interop bench: a real WebSocket server on 127.0.0.1 speaking MessagePack, with a
 * go-to-goal policy for every robot type (diffdrive, pusher, arm) written against the
 * observation message alone, as a policy in another language would be.
 *
 * `fault` turns it hostile on chosen messages (garbage frames, wrong seq, slow replies, closing
 * mid-episode, 10 MB replies, …), so tests can check that every failure is categorised and the
 * run goes on.
 */
import { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EpisodeEndPayload, EpisodeStartPayload } from '../../interop/policyProtocol.ts';
import { decodeMessage, encodeMessage, frameBytes, readVector, type Envelope } from '../../interop/wire.ts';

export type Fault =
  /** bytes that are not MessagePack */
  | 'garbage'
  /** a text frame */
  | 'text'
  /** the reply with seq + 7 */
  | 'wrong_seq'
  /** `ack` instead of `action` */
  | 'wrong_type'
  /** wait `slowMs` before replying */
  | 'slow'
  /** close the connection instead of replying */
  | 'close'
  /** a 10 MB reply */
  | 'huge'
  /** `error {message}` instead of a reply */
  | 'error'
  /** an action one component short */
  | 'short_action'
  /** an action with a NaN */
  | 'nan_action'
  /** never answer */
  | 'silent';

export interface FaultContext {
  type: string;
  seq: number;
  /** Seed of the current episode (from episode_start). */
  seed: number;
  /** Observations received so far in this episode. */
  step: number;
}

export interface PolicyServerOptions {
  fault?: (ctx: FaultContext) => Fault | null;
  /** Delay of `slow` replies (default 2000 ms). */
  slowMs?: number;
  /** Send actions as `<f8` ndarrays instead of arrays (both are protocol v1). */
  ndarrayActions?: boolean;
  /** Extra info to send with each action (e.g. imagined futures). */
  info?: (obs: Record<string, unknown>) => Record<string, unknown>;
}

export interface EpisodeLog {
  start: EpisodeStartPayload;
  observations: number;
  /** Lengths of the `flat` vectors received. */
  flatLengths: Set<number>;
  end: EpisodeEndPayload | null;
  connection: number;
}

export interface PolicyServer {
  url: string;
  connections: number;
  episodes: EpisodeLog[];
  /** Messages received that broke the protocol (should stay empty: planarena is a correct client). */
  clientViolations: string[];
  close(): Promise<void>;
}

// Arm geometry (sim/robots/arm.ts), as a policy author would read it from the docs.
const SHOULDER_ABOVE_BASE = 0.15;
const UPPER = 0.4;
const FORE = 0.35;
const JOINT_SPEED = [1.5, 1.5, 2];

export async function startPolicyServer(opts: PolicyServerOptions = {}): Promise<PolicyServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const server: PolicyServer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/policy`,
    connections: 0,
    episodes: [],
    clientViolations: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };

  wss.on('connection', (ws: WebSocket) => {
    const connection = server.connections++;
    let episode: EpisodeLog | null = null;
    let expectSeq = 0;
    ws.on('message', async (data, isBinary) => {
      let msg: Envelope;
      try {
        msg = decodeMessage(frameBytes(data as Buffer), isBinary);
      } catch (e) {
        server.clientViolations.push((e as Error).message);
        return;
      }
      if (msg.seq !== expectSeq) server.clientViolations.push(`seq ${msg.seq}, expected ${expectSeq}`);
      expectSeq = msg.seq + 1;
      const p = msg.payload as Record<string, unknown>;
      if (msg.type === 'episode_start') {
        episode = { start: p as unknown as EpisodeStartPayload, observations: 0, flatLengths: new Set(), end: null, connection };
        server.episodes.push(episode);
      }
      const fault = opts.fault?.({ type: msg.type, seq: msg.seq, seed: episode?.start.seed ?? -1, step: episode?.observations ?? 0 }) ?? null;
      if (msg.type === 'observation' && episode) {
        episode.observations++;
        episode.flatLengths.add(readVector(p.flat, 'flat').length);
      }
      if (msg.type === 'episode_end' && episode) episode.end = p as unknown as EpisodeEndPayload;

      const reply = (type: string, payload: unknown, seq = msg.seq) => ws.send(encodeMessage(type, seq, payload));
      switch (fault) {
        case 'garbage':
          return ws.send(Buffer.from([0xc1, 0xff, 0x00, 0x13]));
        case 'text':
          return ws.send('{"type":"action"}');
        case 'wrong_seq':
          return reply(replyType(msg.type), replyPayload(msg, episode, opts), msg.seq + 7);
        case 'wrong_type':
          return reply('ack', {});
        case 'close':
          return ws.close(1011, 'policy crashed');
        case 'huge':
          return reply(replyType(msg.type), { ...(replyPayload(msg, episode, opts) as object), info: { blob: Buffer.alloc(10 * 1024 * 1024, 7) } });
        case 'error':
          return reply('error', { message: 'CUDA out of memory' });
        case 'silent':
          return;
        case 'slow':
          await new Promise((r) => setTimeout(r, opts.slowMs ?? 2000));
          if (ws.readyState === ws.OPEN) reply(replyType(msg.type), replyPayload(msg, episode, opts));
          return;
        case 'short_action':
        case 'nan_action': {
          const action = [...((replyPayload(msg, episode, opts) as { action: number[] }).action ?? [0, 0])];
          if (fault === 'short_action') action.pop();
          else action[0] = Number.NaN;
          return reply('action', { action });
        }
        default:
          return reply(replyType(msg.type), replyPayload(msg, episode, opts));
      }
    });
  });
  return server;
}

function replyType(request: string): string {
  return request === 'episode_start' ? 'ready' : request === 'observation' ? 'action' : request === 'episode_end' ? 'ack' : 'error';
}

function replyPayload(msg: Envelope, episode: EpisodeLog | null, opts: PolicyServerOptions): unknown {
  if (msg.type !== 'observation') return msg.type === 'episode_start' || msg.type === 'episode_end' ? {} : { message: `unknown message type "${msg.type}"` };
  if (!episode) return { message: 'observation before episode_start' };
  const obs = msg.payload as Record<string, unknown>;
  const action = policy(episode.start, obs);
  const info = { note: `go-to-goal (${episode.start.robot})`, ...(opts.info?.(obs) ?? {}) };
  if (!opts.ndarrayActions) return { action, info };
  const data = Buffer.alloc(action.length * 8);
  action.forEach((v, i) => data.writeDoubleLE(v, i * 8));
  return { action: { __ndarray__: true, data, dtype: '<f8', shape: [action.length] }, info };
}

const clamp = (v: number, lo = -1, hi = 1) => Math.min(hi, Math.max(lo, v));

/** A go-to-goal controller for each robot, from the observation message alone. */
export function policy(start: EpisodeStartPayload, obs: Record<string, unknown>): number[] {
  const flat = readVector(obs.flat, 'flat');
  const seg = (name: string) => start.observationLayout.find((s) => s.name === name)!;
  const goal = seg('goal');
  const gx = flat[goal.offset];
  const gy = flat[goal.offset + 1];
  const dist = flat[goal.offset + 3] * 5;
  if (start.robot === 'diffdrive') {
    const err = Math.atan2(gy, gx);
    const v = Math.abs(err) > 0.6 ? 0 : clamp(dist * 1.5, 0, 1) * Math.cos(err);
    return [clamp(v - 1.2 * err), clamp(v + 1.2 * err)];
  }
  if (start.robot === 'pusher') {
    const push = seg('push');
    let tx = gx;
    let ty = gy;
    if (flat[push.offset] === 1) {
      // Get behind the object (as seen from the goal), then push it through to the goal.
      const ox = flat[push.offset + 1] * 5;
      const oy = flat[push.offset + 2] * 5;
      const dx = flat[push.offset + 3] * 5;
      const dy = flat[push.offset + 4] * 5;
      const n = Math.hypot(dx, dy) || 1;
      const bx = ox - (0.45 * dx) / n;
      const by = oy - (0.45 * dy) / n;
      const behind = Math.hypot(bx, by) < 0.12 || (ox * dx + oy * dy) / (Math.hypot(ox, oy) * n || 1) > 0.95;
      [tx, ty] = behind ? [dx, dy] : [bx / 5, by / 5];
    }
    const n = Math.hypot(tx, ty) || 1;
    const speed = clamp(n * 5 * 2, 0, 1);
    return [(speed * tx) / n, (speed * ty) / n];
  }
  // Arm: closed-form two-link inverse kinematics (elbow up) to the goal, P-control on the joints.
  const robot = obs.robot as { pose: { x: number; y: number; z: number; yaw: number }; joints: { pos: number[] } };
  const g = (obs.goal as { position: number[] }).position;
  const dx = g[0] - robot.pose.x;
  const dy = g[1] - robot.pose.y;
  const r = Math.hypot(dx, dy);
  const h = g[2] - (robot.pose.z + SHOULDER_ABOVE_BASE);
  const c2 = clamp((r * r + h * h - UPPER * UPPER - FORE * FORE) / (2 * UPPER * FORE));
  const a2 = -Math.acos(c2);
  const a1 = Math.atan2(h, r) - Math.atan2(FORE * Math.sin(a2), UPPER + FORE * Math.cos(a2));
  let yaw = Math.atan2(dy, dx) - robot.pose.yaw;
  yaw = Math.atan2(Math.sin(yaw), Math.cos(yaw));
  const target = [yaw, -a1, -a2];
  return target.map((q, i) => clamp((4 * (q - robot.joints.pos[i])) / JOINT_SPEED[i]));
}
