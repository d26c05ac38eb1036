/**
 * The viewer stream protocol, version {@link PROTOCOL_VERSION}: imported by the Node server
 * (`viewer/server/`) and the browser app (`viewer/src/`), so both sides are typed by the same
 * two unions.
 *
 * One WebSocket per client, on the same port as the viewer's HTTP, path {@link WS_PATH}.
 * - Server → client, text: {@link ServerEvent} JSON (scene once per episode, per-step events,
 *   planner decisions, episode records).
 * - Server → client, binary: one {@link encodeFrame} frame per control step: a 16-byte header
 *   then packed Float32 transforms `[x, y, z, qx, qy, qz, qw]` per dynamic body, in the order of
 *   the dynamic bodies of the episode's {@link StaticScene}.
 * - Client → server, text: {@link ClientRequest} JSON, at most {@link MAX_CLIENT_MESSAGE_BYTES}.
 *   Each request carries an `id`; the server answers every request with `ack` or `error`
 *   (same `id`). A bad message gets an `error` and the connection stays open.
 *
 * Episodes are addressed by a `channel`: a small integer the server assigns at `episode_start`
 * and reuses nowhere else in the session; binary frames carry it in their header.
 */
import type { EpisodeRecord, RunSummary } from '../core/records.ts';
import type { Anchor } from '../core/anchors.ts';
import type { GeneratedInfo } from '../scenarios/schema.ts';
import type { SimEvent, StaticScene } from '../sim/types.ts';

export const PROTOCOL_VERSION = 2;
export const WS_PATH = '/ws';
/** Client messages above this size are rejected (the socket is closed by `ws` at 4× this). */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

export interface EpisodeKey {
  scenario: string;
  planner: string;
  seed: number;
}

/** What the viewer is told about the task at the start of an episode. */
export interface EpisodeTask {
  instruction: string;
  /** For a generated level (scenarios/generator/): its family, split, level number and difficulty. */
  level?: { family: string; split: string; level: number; difficulty: number };
  /** Seconds between control steps (frames). */
  controlPeriod: number;
  maxSteps: number;
  actionNames: string[];
}

/** `EpisodeTask.level` from a scenario's `generated` block (nothing for a hand-written scenario). */
export function levelOf(generated: GeneratedInfo | undefined): Pick<EpisodeTask, 'level'> {
  return generated ? { level: { family: generated.family, split: generated.split, level: generated.level, difficulty: generated.difficulty } } : {};
}

/** One control step's decision and outcome, without the transforms (those travel as a binary frame). */
export interface StepData {
  step: number;
  /** Simulated time after the step (s). */
  t: number;
  action: number[];
  reward: number;
  events: SimEvent[];
  goalDistance: number;
  plannerMs: number;
  /** Planner diagnostics, trimmed for the wire by {@link trimPlannerInfo}. */
  info: Record<string, unknown>;
}

/** Server → client JSON events. */
export type ServerEvent =
  | { type: 'hello'; protocol: number; server: 'planarena'; mode: 'live' | 'serve'; teaching: boolean; runsDir: string | null }
  /** `history`: the episode started before this client connected; what it missed is at
   * `GET /api/live/episodes/<channel>` ({@link EpisodeData}), the rest streams from now on. */
  | { type: 'episode_start'; channel: number; key: EpisodeKey; scene: StaticScene; task: EpisodeTask; t: number; history?: boolean }
  /** The scene changed during an episode (a user-spawned obstacle); frames from now on follow it. */
  | { type: 'scene'; channel: number; scene: StaticScene }
  | { type: 'step'; channel: number; data: StepData }
  /** `kept`: the server still holds the episode's whole stream, at `GET /api/live/episodes/<channel>`
   * (a client that connected after it ended fetches it from there). */
  | { type: 'episode_end'; channel: number; record: EpisodeRecord; kept?: boolean }
  /** Frames or steps were dropped for this client because it read too slowly. */
  | { type: 'gap'; droppedFrames: number; droppedSteps: number }
  | { type: 'ack'; id: string }
  | { type: 'error'; id: string | null; code: ErrorCode; message: string };

/** `E_RATE_LIMIT`: the client sent faster than its allowance (docs/limits.md), try again shortly;
 * `E_LIMIT`: the episode has all the interventions it may take. */
export type ErrorCode = 'E_BAD_JSON' | 'E_BAD_REQUEST' | 'E_TOO_LARGE' | 'E_NO_EPISODE' | 'E_NOT_LIVE' | 'E_UNSUPPORTED' | 'E_RATE_LIMIT' | 'E_LIMIT';

/** Client → server requests. */
export type ClientRequest =
  | { type: 'ping'; id: string }
  /** Teaching mode: an impulse (N·s, world frame) on a body of a running episode. */
  | { type: 'shove'; id: string; channel: number; target: string; impulse: [number, number, number] }
  /** Teaching mode: drop an obstacle (the simulator's standard size) at (x, y) in a running episode. */
  | { type: 'spawn'; id: string; channel: number; position: [number, number]; shape: SpawnShape };

export type SpawnShape = 'box' | 'cylinder' | 'sphere';
const SPAWN_SHAPES: readonly string[] = ['box', 'cylinder', 'sphere'];

/** Limit applied to shoves, so one click cannot launch a robot out of the arena. */
export const MAX_IMPULSE = 50;
/** Obstacles are dropped within this distance of the origin (m). */
export const MAX_SPAWN_DISTANCE = 100;

/**
 * Checks an untrusted client message. Returns the request, or an error naming the bad field.
 * Hand-written rather than zod so the browser bundle stays small and the messages stay exact.
 */
export function parseClientRequest(text: string): { ok: true; req: ClientRequest } | { ok: false; id: string | null; code: ErrorCode; message: string } {
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) {
    return { ok: false, id: null, code: 'E_TOO_LARGE', message: `message of ${text.length} bytes exceeds the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, id: null, code: 'E_BAD_JSON', message: 'message is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, id: null, code: 'E_BAD_REQUEST', message: 'message must be a JSON object with "type" and "id"' };
  }
  const m = raw as Record<string, unknown>;
  const id = typeof m.id === 'string' && m.id.length <= 64 ? m.id : null;
  const bad = (message: string) => ({ ok: false as const, id, code: 'E_BAD_REQUEST' as const, message });
  if (id === null) return bad('"id" must be a string of at most 64 characters');
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const vec = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every(finite);
  const channel = (): number | null => (Number.isInteger(m.channel) && (m.channel as number) >= 0 && (m.channel as number) < 65536 ? (m.channel as number) : null);
  switch (m.type) {
    case 'ping':
      return { ok: true, req: { type: 'ping', id } };
    case 'shove': {
      const ch = channel();
      if (ch === null) return bad('"channel" must be an integer in [0, 65535]');
      if (typeof m.target !== 'string' || m.target.length === 0 || m.target.length > 128) return bad('"target" must be a body id string');
      if (!vec(m.impulse, 3)) return bad('"impulse" must be [x, y, z], finite numbers');
      const imp = m.impulse as [number, number, number];
      if (Math.hypot(...imp) > MAX_IMPULSE) return bad(`"impulse" magnitude must be at most ${MAX_IMPULSE} N·s`);
      return { ok: true, req: { type: 'shove', id, channel: ch, target: m.target, impulse: [imp[0], imp[1], imp[2]] } };
    }
    case 'spawn': {
      const ch = channel();
      if (ch === null) return bad('"channel" must be an integer in [0, 65535]');
      if (!vec(m.position, 2) || (m.position as number[]).some((v) => Math.abs(v) > MAX_SPAWN_DISTANCE)) {
        return bad(`"position" must be [x, y], finite numbers within ${MAX_SPAWN_DISTANCE} m of the origin`);
      }
      const shape = m.shape ?? 'box';
      if (typeof shape !== 'string' || !SPAWN_SHAPES.includes(shape)) return bad(`"shape" must be one of ${SPAWN_SHAPES.join(', ')}`);
      const p = m.position as [number, number];
      return { ok: true, req: { type: 'spawn', id, channel: ch, position: [p[0], p[1]], shape: shape as SpawnShape } };
    }
    default:
      return bad(`unknown request type ${JSON.stringify(m.type)}; valid types: ping, shove, spawn`);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary frames
// ---------------------------------------------------------------------------------------------

/** Opcode byte of a transforms frame. */
export const OP_FRAME = 1;
/** Header: u8 opcode, u8 protocol version, u16 channel, u32 step, f64 simulated time. 16 bytes
 * keeps the Float32 payload aligned so the client reads it without a copy. */
export const FRAME_HEADER_BYTES = 16;
/** Floats per body in a frame. */
export const FLOATS_PER_BODY = 7;

export interface Frame {
  channel: number;
  step: number;
  t: number;
  /** [x, y, z, qx, qy, qz, qw] per dynamic body. */
  transforms: Float32Array;
}

/** Little-endian on the wire regardless of the host. */
export function encodeFrame(channel: number, step: number, t: number, transforms: Float32Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + transforms.length * 4);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, OP_FRAME);
  dv.setUint8(1, PROTOCOL_VERSION);
  dv.setUint16(2, channel, true);
  dv.setUint32(4, step, true);
  dv.setFloat64(8, t, true);
  for (let i = 0; i < transforms.length; i++) dv.setFloat32(FRAME_HEADER_BYTES + i * 4, transforms[i], true);
  return out;
}

/** Decodes a frame; the transforms are a copy (safe to keep). Throws on a malformed frame. */
export function decodeFrame(data: ArrayBuffer | Uint8Array): Frame {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < FRAME_HEADER_BYTES) throw new Error(`frame of ${bytes.byteLength} bytes is shorter than its header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const op = dv.getUint8(0);
  if (op !== OP_FRAME) throw new Error(`unknown binary opcode ${op}`);
  const version = dv.getUint8(1);
  if (version !== PROTOCOL_VERSION) throw new Error(`frame protocol version ${version}, expected ${PROTOCOL_VERSION}`);
  const payload = bytes.byteLength - FRAME_HEADER_BYTES;
  if (payload % (FLOATS_PER_BODY * 4) !== 0) throw new Error(`frame payload of ${payload} bytes is not a whole number of bodies`);
  const transforms = new Float32Array(payload / 4);
  for (let i = 0; i < transforms.length; i++) transforms[i] = dv.getFloat32(FRAME_HEADER_BYTES + i * 4, true);
  return { channel: dv.getUint16(2, true), step: dv.getUint32(4, true), t: dv.getFloat64(8, true), transforms };
}

// ---------------------------------------------------------------------------------------------
// Planner info on the wire
// ---------------------------------------------------------------------------------------------

/** An imagined rollout as drawn by the viewer (PlannerInfo `imagined`). */
export interface ImaginedRollout {
  points: [number, number, number][];
  cost: number;
  elite: boolean;
  /** Push tasks, where the model decodes it: where this rollout imagines the pushed object going. */
  subject?: [number, number, number][];
}

/** At most this many imagined rollouts per step reach the viewer: every elite first, then the cheapest. */
export const MAX_ROLLOUTS = 48;
/** Long strings in planner info (LLM prompts and responses) are cut to this many characters. */
export const MAX_INFO_STRING = 6000;

/**
 * Makes planner info safe and small for the wire: keeps the well-known keys' structure, caps the
 * number of imagined rollouts and the length of strings. Pure; the input is not modified.
 */
export function trimPlannerInfo(info: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === 'imagined') out[k] = trimImagined(v);
    else out[k] = trimValue(v, 0);
  }
  return out;
}

function point(p: readonly unknown[]): [number, number, number] {
  return [+(p[0] as number) || 0, +(p[1] as number) || 0, +(p[2] as number) || 0];
}

function trimImagined(v: unknown): unknown {
  const rollouts = (v as { rollouts?: unknown })?.rollouts;
  if (!Array.isArray(rollouts)) return trimValue(v, 0);
  const valid = rollouts.filter(
    (r): r is ImaginedRollout => typeof r === 'object' && r !== null && Array.isArray((r as ImaginedRollout).points) && typeof (r as ImaginedRollout).cost === 'number',
  );
  const sorted = [...valid].sort((a, b) => Number(b.elite) - Number(a.elite) || a.cost - b.cost);
  return {
    rollouts: sorted.slice(0, MAX_ROLLOUTS).map((r) => ({
      points: r.points.map(point),
      cost: r.cost,
      elite: !!r.elite,
      ...(Array.isArray(r.subject) ? { subject: r.subject.filter(Array.isArray).map(point) } : {}),
    })),
    total: valid.length,
  };
}

function trimValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.length > MAX_INFO_STRING ? `${v.slice(0, MAX_INFO_STRING)}… [${v.length - MAX_INFO_STRING} more characters]` : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === null || typeof v !== 'object') return typeof v === 'boolean' ? v : v === undefined ? undefined : String(v);
  if (depth > 6) return '[nested too deep]';
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>).slice(0, 256);
  if (Array.isArray(v)) return v.slice(0, 256).map((x) => trimValue(x, depth + 1));
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) o[k] = trimValue(x, depth + 1);
  return o;
}

// ---------------------------------------------------------------------------------------------
// HTTP API (replay and results), served next to the WebSocket
// ---------------------------------------------------------------------------------------------

/** `GET /api/runs` */
export interface RunListing {
  runsDir: string | null;
  runs: { name: string; createdAt: string | null; episodes: number; hasSummary: boolean; recordings: number }[];
}

/** `GET /api/runs/<name>` */
export interface RunDetail {
  name: string;
  /** The planners in the run's order (its manifest), when known; episodes.jsonl is in the order
   * episodes ended, which in a race is the order planners finished. */
  planners?: string[];
  summary: RunSummary | null;
  episodes: EpisodeRecord[];
  /** The frozen anchors of the run's scenarios (`scenarios/anchors/`) and the run's scenario
   * hashes, so a run without summary.json yet is summarised exactly as summary.json will be. */
  anchors: Anchor[];
  scenarioHashes: Record<string, string> | null;
}

/** `GET /api/runs/<name>/episode?path=<recording>`: one recorded episode, whole, for replay; also
 * `GET /api/live/episodes/<channel>`: what a live episode has streamed so far (`record` null while
 * it runs). */
export interface EpisodeData {
  key: EpisodeKey;
  scene: StaticScene;
  task: EpisodeTask;
  /** Scene changes during the episode (spawned bodies), by the step from which they apply. */
  sceneChanges: { step: number; scene: StaticScene }[];
  /** Frame 0 is the reset state at t = 0; frame i follows step i. */
  frames: { step: number; t: number; transforms: number[] }[];
  steps: StepData[];
  record: EpisodeRecord | null;
}
