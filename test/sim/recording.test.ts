/**
 * Recording format: write → read gives identical frames and hash (plain and gzipped), the hash
 * equals the one computed live, and damaged files fail with a UserError naming the problem.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { createEnv } from '../../sim/Env.ts';
import { readRecording, Recorder, TrajectoryHasher, writeRecording, type Recording } from '../../sim/recording.ts';
import { actionSequence, fixture } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'planarena-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function record(): Promise<{ rec: Recording; liveHash: string }> {
  const env = await createEnv(fixture('nav'));
  env.reset({ seed: 1 });
  const live = new TrajectoryHasher();
  const first = env.transforms();
  live.update(first);
  const recorder = new Recorder({ scenario: 'fixture-nav', seed: 1, planner: 'test', physics: 'deterministic' }, env.staticScene(), first);
  for (const [i, a] of actionSequence(2, 25, 'rec').entries()) {
    if (i === 10) env.spawnObstacle('sphere', [0, -0.5]);
    const r = env.step(a);
    const tf = env.transforms();
    live.update(tf);
    recorder.append({ t: r.obs.t, step: r.obs.step, transforms: tf, action: a, reward: r.reward, events: r.info.events, info: { note: i } }, env.staticScene());
  }
  env.dispose();
  return { rec: recorder.finish({ success: false, steps: 25 }), liveHash: live.digest() };
}

describe('recording', () => {
  it('round-trips frames, scene changes and hash, plain and gzipped', async () => {
    const { rec, liveHash } = await record();
    expect(rec.trajectoryHash).toBe(liveHash);
    for (const name of ['a.rec.json', 'a.rec.json.gz']) {
      const path = join(dir, name);
      await writeRecording(path, rec);
      const back = await readRecording(path);
      expect(back.trajectoryHash).toBe(liveHash);
      expect(back.meta).toEqual(rec.meta);
      expect(back.scene).toEqual(rec.scene);
      expect(Array.from(back.reset)).toEqual(Array.from(rec.reset));
      expect(back.steps).toHaveLength(25);
      back.steps.forEach((s, i) => {
        expect(Array.from(s.transforms)).toEqual(Array.from(rec.steps[i].transforms));
        expect(s.action).toEqual(rec.steps[i].action);
        expect(s.reward).toBe(rec.steps[i].reward);
        expect(s.events).toEqual(rec.steps[i].events);
      });
      // The spawn changed the scene at step 11 (index 10) only; frames grow by one body there.
      expect(back.steps.filter((s) => s.scene).map((s) => s.step)).toEqual([11]);
      expect(back.steps[10].transforms.length).toBe(back.steps[9].transforms.length + 7);
    }
  });

  it('rejects damaged files with a UserError that names the problem', async () => {
    const { rec } = await record();
    const good = join(dir, 'good.rec.json');
    await writeRecording(good, rec);
    const json = JSON.parse(readFileSync(good, 'utf8'));
    const cases: [string, string, RegExp][] = [
      ['garbage.rec.json', '{ not json', /JSON does not parse/],
      ['format.rec.json', JSON.stringify({ ...json, format: 'other' }), /"format"/],
      ['version.rec.json', JSON.stringify({ ...json, version: 99 }), /version 99 is not supported/],
      ['frames.rec.json', JSON.stringify({ ...json, steps: [{ ...json.steps[0], transforms: 'AAAA' }] }), /steps\[0\]\.transforms has 3 bytes/],
      ['hash.rec.json', JSON.stringify({ ...json, trajectoryHash: 'f'.repeat(64) }), /trajectory hash mismatch/],
    ];
    for (const [name, text, re] of cases) {
      const p = join(dir, name);
      writeFileSync(p, text);
      const err = await readRecording(p).then(() => null, (e: unknown) => e);
      expect(isUserError(err), name).toBe(true);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(p);
    }
    const missing = await readRecording(join(dir, 'nope.rec.json')).then(() => null, (e: unknown) => e);
    expect((missing as Error).message).toMatch(/cannot read recording \(ENOENT\)/);
  });
});
