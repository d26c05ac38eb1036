import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_INFO_STRING,
  MAX_ROLLOUTS,
  parseClientRequest,
  PROTOCOL_VERSION,
  trimPlannerInfo,
} from '../../viewer/protocol.ts';

describe('binary frames', () => {
  it('round-trip channel, step, time and every float bit-exactly', () => {
    const tf = new Float32Array([1.5, -2.25, 0.1, 0, 0, Math.SQRT1_2, Math.SQRT1_2, 3, 4, 5, 0.5, 0.5, 0.5, 0.5]);
    const bytes = encodeFrame(513, 70000, 12.345678901, tf);
    expect(bytes.byteLength).toBe(FRAME_HEADER_BYTES + tf.length * 4);
    const f = decodeFrame(bytes);
    expect(f.channel).toBe(513);
    expect(f.step).toBe(70000);
    expect(f.t).toBe(12.345678901);
    expect(Array.from(f.transforms)).toEqual(Array.from(tf));
  });

  it('decodes from a view into a larger buffer', () => {
    const inner = encodeFrame(1, 2, 0.5, new Float32Array(7).fill(0.25));
    const outer = new Uint8Array(inner.byteLength + 8);
    outer.set(inner, 3);
    expect(decodeFrame(outer.subarray(3, 3 + inner.byteLength)).transforms[6]).toBe(0.25);
  });

  it('rejects short, unknown-opcode, wrong-version and ragged frames', () => {
    expect(() => decodeFrame(new Uint8Array(4))).toThrow(/shorter than its header/);
    const good = encodeFrame(1, 1, 0, new Float32Array(7));
    const op = good.slice();
    op[0] = 9;
    expect(() => decodeFrame(op)).toThrow(/opcode 9/);
    const ver = good.slice();
    ver[1] = PROTOCOL_VERSION + 1;
    expect(() => decodeFrame(ver)).toThrow(/version/);
    expect(() => decodeFrame(good.slice(0, good.length - 4))).toThrow(/whole number of bodies/);
  });
});

describe('client requests', () => {
  it('accept well-formed ping, shove and spawn', () => {
    expect(parseClientRequest('{"type":"ping","id":"a"}')).toEqual({ ok: true, req: { type: 'ping', id: 'a' } });
    const shove = parseClientRequest(JSON.stringify({ type: 'shove', id: 'b', channel: 3, target: 'robot', impulse: [1, 2, 0] }));
    expect(shove).toEqual({ ok: true, req: { type: 'shove', id: 'b', channel: 3, target: 'robot', impulse: [1, 2, 0] } });
    const spawn = parseClientRequest(JSON.stringify({ type: 'spawn', id: 'c', channel: 3, position: [0.5, -1], shape: 'cylinder', extra: 1 }));
    expect(spawn.ok && spawn.req).toEqual({ type: 'spawn', id: 'c', channel: 3, position: [0.5, -1], shape: 'cylinder' });
  });

  it('name the bad field, and keep the id when there is one', () => {
    const cases: [unknown, RegExp, string | null][] = [
      ['not json', /not valid JSON/, null],
      [[1, 2], /JSON object/, null],
      [{ type: 'ping' }, /"id"/, null],
      [{ type: 'fly', id: 'x' }, /unknown request type "fly".*ping, shove, spawn/, 'x'],
      [{ type: 'shove', id: 'x', channel: -1, target: 'r', impulse: [0, 0, 0] }, /"channel"/, 'x'],
      [{ type: 'shove', id: 'x', channel: 1, target: '', impulse: [0, 0, 0] }, /"target"/, 'x'],
      [{ type: 'shove', id: 'x', channel: 1, target: 'r', impulse: [0, 'a', 0] }, /"impulse"/, 'x'],
      [{ type: 'shove', id: 'x', channel: 1, target: 'r', impulse: [1e6, 0, 0] }, /magnitude/, 'x'],
      [{ type: 'spawn', id: 'x', channel: 1, position: [0] }, /"position"/, 'x'],
      [{ type: 'spawn', id: 'x', channel: 1, position: [0, 1e9] }, /"position"/, 'x'],
      [{ type: 'spawn', id: 'x', channel: 1, position: [0, 0], shape: 'cone' }, /"shape"/, 'x'],
    ];
    for (const [msg, re, id] of cases) {
      const r = parseClientRequest(typeof msg === 'string' ? msg : JSON.stringify(msg));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(re);
        expect(r.id).toBe(id);
      }
    }
  });

  it('refuse oversized messages before parsing them', () => {
    const r = parseClientRequest(JSON.stringify({ type: 'ping', id: 'a', pad: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES) }));
    expect(r).toMatchObject({ ok: false, code: 'E_TOO_LARGE' });
  });
});

describe('planner info on the wire', () => {
  it('keeps elites first, caps rollouts and long strings, drops non-finite numbers', () => {
    const rollouts = Array.from({ length: 200 }, (_, i) => ({ points: [[i, 0, 0], [i, 1, 0]], cost: 200 - i, elite: i % 50 === 0 }));
    const info = trimPlannerInfo({
      imagined: { rollouts },
      llm: { response: 'y'.repeat(MAX_INFO_STRING + 10), usage: { tokens: 12, bad: Number.NaN } },
    });
    const im = info.imagined as { rollouts: { cost: number; elite: boolean }[]; total: number };
    expect(im.total).toBe(200);
    expect(im.rollouts).toHaveLength(MAX_ROLLOUTS);
    expect(im.rollouts.slice(0, 4).every((r) => r.elite)).toBe(true);
    expect(im.rollouts[4].cost).toBe(1);
    const llm = info.llm as { response: string; usage: { tokens: number; bad: null } };
    expect(llm.response.length).toBeLessThan(MAX_INFO_STRING + 40);
    expect(llm.response).toMatch(/10 more characters/);
    expect(llm.usage).toEqual({ tokens: 12, bad: null });
  });
});
