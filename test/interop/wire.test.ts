/**
 * Protocol v1's codec and the remote planners' settings, on their own: envelopes, both vector
 * forms, every malformed input, JSON-safe planner info, and the per-label flag syntax.
 */
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { resolveRemoteConfig } from '../../planners/remote/RemoteConfig.ts';
import { decodeMessage, encodeMessage, f32NdArray, ProtocolViolation, readVector, toJsonSafe } from '../../interop/wire.ts';

const f64 = (values: number[], shape: unknown = [values.length]) => {
  const data = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => data.writeDoubleLE(v, i * 8));
  return { __ndarray__: true, data, dtype: '<f8', shape };
};

describe('wire format', () => {
  it('round-trips an envelope with its seq, type, payload and a timestamp in seconds', () => {
    const m = decodeMessage(encodeMessage('observation', 7, { t: 0.5, skip: undefined }, 1_700_000_000_123), true);
    expect(m).toEqual({ type: 'observation', seq: 7, timestamp: 1_700_000_000.123, payload: { t: 0.5 } });
  });

  it('reads a missing payload as {}', () => {
    expect(decodeMessage(encode({ type: 'ack', seq: 3 }), true).payload).toEqual({});
  });

  it.each([
    ['a text frame', Buffer.from('{}'), false, /got a text frame/],
    ['bytes that are not MessagePack', Buffer.from([0xc1]), true, /is not MessagePack/],
    ['a MessagePack array', encode([1, 2]), true, /holds an array of 2, not a map/],
    ['a map without type', encode({ seq: 1 }), true, /no string "type"/],
    ['a negative seq', encode({ type: 'action', seq: -1 }), true, /no integer "seq" >= 0/],
    ['a fractional seq', encode({ type: 'action', seq: 1.5 }), true, /no integer "seq"/],
  ])('refuses %s', (_what, bytes, binary, pattern) => {
    expect(() => decodeMessage(bytes, binary)).toThrow(ProtocolViolation);
    expect(() => decodeMessage(bytes, binary)).toThrow(pattern);
  });

  it('allows seq -1 on errors only (the answer to an unreadable frame)', () => {
    expect(decodeMessage(encode({ type: 'error', seq: -1, payload: { message: 'x' } }), true).seq).toBe(-1);
  });

  it('reads vectors as arrays, <f4 and <f8 ndarrays, with the same values', () => {
    const values = [0.25, -1, 0.1];
    expect(readVector(values, 'v')).toEqual(values);
    expect(readVector(f64(values), 'v')).toEqual(values);
    const f32 = f32NdArray(new Float32Array(values));
    expect(readVector(f32, 'v')).toEqual(Array.from(new Float32Array(values)));
    // Unaligned bytes (as a decoder hands them out) read the same.
    const shifted = new Uint8Array(f32.data.byteLength + 1);
    shifted.set(f32.data, 1);
    expect(readVector({ ...f32, data: shifted.subarray(1) }, 'v')).toEqual(Array.from(new Float32Array(values)));
  });

  it.each([
    ['a string', 'left', /v is "left"; send an array of numbers or an ndarray/],
    ['an array with a string', [1, 'x'], /v\[1\] is "x", not a number/],
    ['an <i4 ndarray', { __ndarray__: true, data: Buffer.alloc(8), dtype: '<i4', shape: [2] }, /dtype "<i4"; send "<f4" or "<f8"/],
    ['a 2-d ndarray', f64([1, 2], [1, 2]), /shape \[1,2\]; send one dimension \[n\]/],
    ['an ndarray with too few bytes', { ...f64([1, 2]), shape: [3] }, /shape \[3\] with 16 bytes of data; <f8 needs 24/],
    ['an ndarray without bytes', { __ndarray__: true, data: 'abc', dtype: '<f4', shape: [1] }, /"data" is "abc", not bytes/],
  ])('refuses a vector that is %s', (_what, value, pattern) => {
    expect(() => readVector(value, 'v')).toThrow(pattern);
  });

  it('makes planner info JSON-safe', () => {
    const info = toJsonSafe({ path: f64([1, 2]), blob: new Uint8Array([1, 2, 3]), big: 5n, when: new Date(0), nested: [{ m: new Map([[1, 'a']]) }], odd: { __ndarray__: true, dtype: '<i8', shape: [1], data: new Uint8Array(8) } });
    expect(info).toEqual({ path: [1, 2], blob: 'AQID', big: 5, when: '1970-01-01T00:00:00.000Z', nested: [{ m: { 1: 'a' } }], odd: { ndarray: true, dtype: '<i8', shape: [1] } });
  });
});

describe('remote planner settings', () => {
  it('gives each label its URL and timeout, falling back to the unlabelled value', () => {
    const raw = { remoteUrl: 'ws://default:1,ppo=ws://a:2/p?x=1', remoteTimeout: '2,ppo=500ms' };
    expect(resolveRemoteConfig(raw, 'ppo')).toMatchObject({ url: 'ws://a:2/p?x=1', timeoutS: 0.5 });
    expect(resolveRemoteConfig(raw, 'dreamer')).toMatchObject({ url: 'ws://default:1', timeoutS: 2 });
    expect(resolveRemoteConfig(raw, undefined)).toMatchObject({ url: 'ws://default:1', timeoutS: 2 });
    expect(resolveRemoteConfig({ remoteUrl: 'ppo=ws://a:2' }, 'dreamer').url).toBeNull();
    // A query string's "=" does not make a label.
    expect(resolveRemoteConfig({ remoteUrl: 'ws://h:1/x?token=abc' }, 'any').url).toBe('ws://h:1/x?token=abc');
    expect(resolveRemoteConfig({}, undefined)).toEqual({ url: null, timeoutS: 30, name: null, maxFrameMb: 4 });
  });

  it.each([
    [{ remoteUrl: 'not a url' }, /--remote-url "not a url" is not a URL/],
    [{ remoteUrl: 'https://h:1' }, /must start with ws:\/\/ or wss:\/\//],
    [{ remoteUrl: 'ws://a:1,ws://b:1' }, /--remote-url gives a default \(no LABEL=\) twice/],
    [{ remoteTimeout: '0' }, /--remote-timeout must be a time in seconds above 0/],
    [{ remoteTimeout: '-3' }, /--remote-timeout must be a time in seconds above 0/],
    [{ remoteMaxFrameMb: 'lots' }, /--set remote-max-frame-mb must be a number of MiB/],
    [{ remoteName: 'has space' }, /--remote-name "has space": use letters/],
  ])('refuses %o in one line', (raw, pattern) => {
    let err: unknown;
    try {
      resolveRemoteConfig(raw, undefined);
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(pattern);
  });
});
