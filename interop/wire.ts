/**
 * The wire format of planarena's interop protocol v1, shared by remote planners
 * (`planners/remote/`, planarena as the client) and the env server (`interop/EnvServer.ts`,
 * planarena as the server). The conventions follow openpi's WebSocket policy servers (as
 * formalised in allenai/vla-evaluation-harness RFC-0002); docs/interop.md is the reference.
 *
 * - Every message is ONE binary WebSocket frame holding a MessagePack map
 *   `{type, seq, timestamp, payload}`. `type` is a string, `seq` an integer that counts up from 0
 *   per connection on the requesting side, and a reply carries the `seq` of the message it
 *   answers (an `error` answering a frame whose seq could not be read carries -1); `timestamp`
 *   is seconds since the Unix epoch (float). Receivers require `type` and `seq`; a missing
 *   `payload` reads as `{}`.
 * - Vectors are MessagePack arrays of numbers, or msgpack-numpy maps
 *   `{"__ndarray__": true, "data": <bytes>, "dtype": "<f4" | "<f8", "shape": [n]}` (little-endian
 *   float32 / float64, one dimension). planarena sends the flat observation as a `<f4` ndarray and
 *   accepts both forms wherever it reads a vector.
 *
 * Numbers: JS numbers that are integers go out as MessagePack ints, the rest as float64, so
 * every value arrives exactly as it was (except that -0 becomes 0).
 */
import { decode, encode } from '@msgpack/msgpack';

export const PROTOCOL_VERSION = 1;

export interface Envelope<P = unknown> {
  type: string;
  seq: number;
  timestamp: number;
  payload: P;
}

/** A msgpack-numpy array as it crosses the wire. */
export interface NdArray {
  __ndarray__: true;
  data: Uint8Array;
  dtype: '<f4' | '<f8';
  shape: number[];
}

/** A frame that breaks protocol v1 (not binary, not MessagePack, not an envelope). */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

/** Encodes one message. `now` is injectable so tests can pin timestamps. */
export function encodeMessage(type: string, seq: number, payload: unknown, now: number = Date.now()): Uint8Array {
  return encode({ type, seq, timestamp: now / 1000, payload }, { ignoreUndefined: true });
}

/** Bytes of a `ws` message event (a Buffer, an ArrayBuffer or fragments). */
export function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Decodes one frame into an envelope; throws `ProtocolViolation` saying what is wrong. */
export function decodeMessage(bytes: Uint8Array, isBinary: boolean): Envelope {
  if (!isBinary) throw new ProtocolViolation(`got a text frame (${bytes.byteLength} bytes); protocol v1 sends one binary MessagePack frame per message`);
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (e) {
    // Includes RangeError from absurdly nested input: any undecodable frame is the peer's fault.
    throw new ProtocolViolation(`frame of ${bytes.byteLength} bytes is not MessagePack (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolViolation(`frame holds ${describe(value)}, not a map {type, seq, timestamp, payload}`);
  }
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string' || m.type === '') throw new ProtocolViolation(`message has no string "type" (got ${describe(m.type)})`);
  const seq = typeof m.seq === 'bigint' ? Number(m.seq) : m.seq;
  // seq -1 is allowed on `error` only: the answer to a frame whose seq could not be read.
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < (m.type === 'error' ? -1 : 0)) throw new ProtocolViolation(`"${m.type}" message has no integer "seq" >= 0 (got ${describe(m.seq)})`);
  const timestamp = typeof m.timestamp === 'number' ? m.timestamp : Number.NaN;
  const payload = m.payload === undefined || m.payload === null ? {} : m.payload;
  return { type: m.type, seq, timestamp, payload };
}

/** A float32 vector as a msgpack-numpy `<f4` array (the bytes are copied: the caller may reuse its buffer). */
export function f32NdArray(v: Float32Array): NdArray {
  const data = new Uint8Array(v.byteLength);
  data.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return { __ndarray__: true, data, dtype: '<f4', shape: [v.length] };
}

export function isNdArray(v: unknown): v is { __ndarray__: unknown; data: unknown; dtype: unknown; shape: unknown } {
  return !!v && typeof v === 'object' && (v as Record<string, unknown>).__ndarray__ === true;
}

/**
 * Reads a vector sent as a MessagePack array of numbers or a msgpack-numpy map. Throws an Error
 * naming `what` and the problem; values are returned as they are (NaN and infinities included:
 * finiteness is the caller's rule).
 */
export function readVector(value: unknown, what: string): number[] {
  if (Array.isArray(value)) {
    return value.map((x, i) => {
      if (typeof x === 'number') return x;
      if (typeof x === 'bigint') return Number(x);
      throw new Error(`${what}[${i}] is ${describe(x)}, not a number`);
    });
  }
  if (isNdArray(value)) {
    const { data, dtype, shape } = value;
    if (dtype !== '<f4' && dtype !== '<f8') throw new Error(`${what} is an ndarray of dtype ${describe(dtype)}; send "<f4" or "<f8"`);
    if (!(data instanceof Uint8Array)) throw new Error(`${what} is an ndarray whose "data" is ${describe(data)}, not bytes`);
    if (!Array.isArray(shape) || shape.length !== 1) throw new Error(`${what} is an ndarray of shape ${JSON.stringify(shape)}; send one dimension [n]`);
    const size = dtype === '<f4' ? 4 : 8;
    const n = Number(shape[0]);
    if (data.byteLength !== n * size) throw new Error(`${what} is an ndarray of shape [${n}] with ${data.byteLength} bytes of data; ${dtype} needs ${n * size}`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    return out;
  }
  throw new Error(`${what} is ${describe(value)}; send an array of numbers or an ndarray map {"__ndarray__": true, "data", "dtype", "shape"}`);
}

/**
 * A decoded MessagePack value made JSON-safe, for planner info that goes into recordings and the
 * live stream: ndarrays become number arrays, other bytes base64 strings, big integers numbers,
 * Maps objects, Dates ISO strings.
 */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, depth + 1));
  if (isNdArray(value)) {
    try {
      return readVector(value, 'ndarray');
    } catch {
      // Not a vector we can read (other dtype or shape): keep its description, not its bytes.
      return { ndarray: true, dtype: toJsonSafe(value.dtype, depth + 1), shape: toJsonSafe(value.shape, depth + 1) };
    }
  }
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonSafe(v, depth + 1)]));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v, depth + 1)]));
  return null;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'nil';
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${String(v)}`;
}
