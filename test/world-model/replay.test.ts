import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../planners/world-model/training/ReplayBuffer.ts';
import { Rng } from '../../sim/rng.ts';
import { ACTION_DIM, OBS_DIM, pointEpisode } from './fixtures.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wm-replay-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('replay buffer', () => {
  it('persists every appended episode and reloads it exactly', () => {
    const dir = tmp();
    const buf = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    const eps = [pointEpisode(1, 20), pointEpisode(2, 7, 'random')];
    eps.forEach((e) => buf.append(e));
    expect(readdirSync(dir).sort()).toEqual(['ep-000001.bin', 'ep-000002.bin']);
    const again = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    expect(again.episodes).toEqual(eps);
    expect(again.transitions).toBe(27);
    again.append(pointEpisode(3, 5));
    expect(readdirSync(dir)).toContain('ep-000003.bin');
  });

  it('stores expert labels (DAgger) and imitates them, not the actions taken; NaN labels weigh 0', () => {
    const dir = tmp();
    const buf = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    const ep = pointEpisode(1, 8, 'world-model');
    ep.expert = Float32Array.from({ length: 8 * ACTION_DIM }, (_, k) => (k < 2 ? Number.NaN : 0.5));
    buf.append(ep);
    const again = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    expect(again.episodes[0].expert).toEqual(ep.expert);
    const b = again.sample(Rng.fromKey('expert'), 32, 2);
    for (let i = 0; i < 2 * 32; i++) {
      const labelled = b.imitation[i] === 1;
      expect(Array.from(b.imitationActions!.subarray(i * ACTION_DIM, (i + 1) * ACTION_DIM))).toEqual(labelled ? [0.5, 0.5] : Array.from(b.actions.subarray(i * ACTION_DIM, (i + 1) * ACTION_DIM)));
    }
    expect(new Set(b.imitation)).toEqual(new Set([0, 1]));
  });

  it('stores the task subject\'s positions (version 3) and weighs batch rows by whether their episode has them', () => {
    const dir = tmp();
    const buf = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    const withSubject = pointEpisode(1, 8);
    withSubject.subject = Float32Array.from({ length: 9 * 3 }, (_, k) => (k >= 24 ? Number.NaN : 10 + k)); // fell off the floor at the last step
    buf.append(withSubject);
    buf.append(pointEpisode(2, 8)); // an older-style episode: no subject
    const bytes = readFileSync(join(dir, 'ep-000001.bin'));
    expect(JSON.parse(bytes.subarray(8, 8 + bytes.readUInt32LE(4)).toString())).toMatchObject({ version: 3, subject: true });
    const again = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    expect(Array.from(again.episodes[0].subject!)).toEqual(Array.from(withSubject.subject));
    expect(again.episodes[1].subject).toBeUndefined();
    const b = again.sample(Rng.fromKey('subject'), 64, 2);
    expect(new Set(b.subjectWeight)).toEqual(new Set([0, 1]));
    for (let i = 0; i < 3 * 64; i++) {
      const row = Array.from(b.subject.subarray(i * 3, i * 3 + 3));
      // Rows of the subject episode hold three consecutive stored values; the others (no subject,
      // or NaN: off the floor) stay zero with weight 0.
      if (b.subjectWeight[i] === 1) expect(row[1] - row[0]).toBe(1);
      else expect(row).toEqual([0, 0, 0]);
    }
  });

  it('skips damaged chunks and temporary leftovers, and reports the damage', () => {
    const dir = tmp();
    const buf = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    buf.append(pointEpisode(1, 10));
    buf.append(pointEpisode(2, 10));
    const f = join(dir, 'ep-000002.bin');
    const bytes = readFileSync(f);
    bytes[bytes.length - 3] ^= 0x55;
    writeFileSync(f, bytes);
    writeFileSync(join(dir, 'ep-000003.bin.tmp-123'), 'half a chunk');
    const again = ReplayBuffer.open(dir, OBS_DIM, ACTION_DIM);
    expect(again.episodes).toHaveLength(1);
    expect(again.skipped).toEqual([expect.stringMatching(/ep-000002\.bin: .*SHA-256/)]);
    // A reopened buffer never overwrites a chunk, damaged or not.
    again.append(pointEpisode(4, 10));
    expect(readdirSync(dir)).toContain('ep-000003.bin');
  });

  it('samples windows inside episodes only, step-major, with imitation weights by source', () => {
    const buf = ReplayBuffer.open(tmp(), OBS_DIM, ACTION_DIM);
    buf.append(pointEpisode(1, 6, 'random'));
    buf.append(pointEpisode(2, 2, 'scripted')); // shorter than the window: never sampled
    buf.append(pointEpisode(3, 9, 'scripted'));
    buf.append(pointEpisode(4, 7, 'world-model')); // the actor imitates scripted actions only
    const b = buf.sample(Rng.fromKey('sample'), 64, 3);
    expect(b.obs.length).toBe(4 * 64 * OBS_DIM);
    for (let i = 0; i < 64; i++) {
      // Consecutive observations of a window differ by exactly the stored action (point dynamics).
      for (let t = 0; t < 3; t++) {
        const x0 = b.obs[(t * 64 + i) * OBS_DIM];
        const x1 = b.obs[((t + 1) * 64 + i) * OBS_DIM];
        expect(x1 - x0).toBeCloseTo(0.1 * b.actions[(t * 64 + i) * ACTION_DIM], 5);
      }
      const w = b.imitation[i];
      expect([0, 1]).toContain(w);
    }
    expect(new Set(b.imitation)).toEqual(new Set([0, 1]));
    const stats = buf.observationStats();
    expect(stats.std[5]).toBe(0);
    expect(stats.mean[5]).toBe(1);
  });

  it('near-goal windows are sampled weight times as often, and the windows are real ones', () => {
    const buf = ReplayBuffer.open(tmp(), OBS_DIM, ACTION_DIM);
    for (let k = 0; k < 6; k++) buf.append(pointEpisode(40 + k, 60));
    const R = 3;
    // Share of windows whose start is within 1 m of the goal, over all windows, and as sampled.
    let nearAll = 0;
    let all = 0;
    for (const ep of buf.episodes) for (let s = 0; s + R <= ep.length; s++, all++) if (ep.goalDistance[s] < 1) nearAll++;
    expect(nearAll).toBeGreaterThan(10);
    const share = (b: ReturnType<ReplayBuffer['sample']>) => Array.from(b.goalDistance.subarray(0, b.size)).filter((d) => d < 1).length / b.size;
    const uniform = share(buf.sample(Rng.fromKey('near-a'), 4000, R));
    const weighted = share(buf.sample(Rng.fromKey('near-a'), 4000, R, { distance: 1, weight: 4 }));
    const p = nearAll / all;
    expect(uniform).toBeCloseTo(p, 1);
    expect(weighted).toBeCloseTo((4 * p) / (4 * p + (1 - p)), 1);
    // Every sampled window is a real window: its first observation is the episode's at that step.
    const b = buf.sample(Rng.fromKey('near-b'), 50, R, { distance: 1, weight: 4 });
    for (let i = 0; i < b.size; i++) {
      const o = Array.from(b.obs.subarray(i * OBS_DIM, (i + 1) * OBS_DIM));
      expect(buf.episodes.some((ep) => Array.from({ length: ep.length - R + 1 }, (_, s) => s).some((s) => Array.from(ep.obs.subarray(s * OBS_DIM, (s + 1) * OBS_DIM)).every((v, d) => v === o[d])))).toBe(true);
    }
  });
});
