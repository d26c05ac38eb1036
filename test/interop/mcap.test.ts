/**
 * MCAP export of a real recorded run (scripted, world model, LLM replayed from the CI cassette,
 * and a remote policy): read back with @mcap/core's indexed reader, every message validates
 * against the JSON Schema stored in the file, the schema names are Foxglove's, and the message
 * counts and log times follow from the recordings by the rules in interop/mcap/episodeMessages.ts.
 */
import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { exportRunToMcap } from '../../interop/mcap/McapExport.ts';
import { EPISODE_GAP_NS } from '../../interop/mcap/episodeMessages.ts';
import { readRecording, type Recording } from '../../sim/recording.ts';
import { CI_CASSETTE } from '../llm/recordCiCassette.ts';
import { startPolicyServer, type PolicyServer } from '../support/policyServer.ts';
import { runFlags, tmpDir } from './session.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = tmpDir('mcap');
let policy: PolicyServer;
let runDir: string;
let records: EpisodeRecord[];
let recordings: Recording[];

beforeAll(async () => {
  policy = await startPolicyServer();
  const result = await runFlags({
    scenarios: 'open-field,arm-reach',
    seeds: '1',
    planners: 'scripted,world-model,llm,remote',
    record: true,
    'llm-cassette': CI_CASSETTE,
    'llm-replay': true,
    'remote-url': policy.url,
    out: join(tmp, 'run'),
  });
  runDir = result.runDir.path;
  records = result.records;
  recordings = await Promise.all(records.map((r) => readRecording(join(runDir, r.recording!))));
}, 300_000);
afterAll(async () => {
  await policy.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function readMcap(file: string): Promise<{ reader: McapIndexedReader; messages: McapTypes.TypedMcapRecords['Message'][] }> {
  const fh = await open(file, 'r');
  const size = BigInt((await fh.stat()).size);
  const reader = await McapIndexedReader.Initialize({
    readable: {
      size: async () => size,
      read: async (offset, length) => {
        const buf = new Uint8Array(Number(length));
        await fh.read(buf, 0, buf.byteLength, Number(offset));
        return buf;
      },
    },
  });
  const messages: McapTypes.TypedMcapRecords['Message'][] = [];
  for await (const m of reader.readMessages()) messages.push(m);
  await fh.close();
  return { reader, messages };
}

/** Expected messages per topic of one episode, from its recording (the rules documented in episodeMessages.ts). */
function expectedCounts(rec: Recording): Record<string, number> {
  const steps = rec.steps;
  const imagined = steps.filter((s) => Array.isArray((s.info.imagined as { rollouts?: unknown[] } | undefined)?.rollouts) && ((s.info.imagined as { rollouts: unknown[] }).rollouts.length > 0)).length;
  let logs = 1; // the outcome line
  let lastSkill = '';
  let lastIntent = '';
  for (const s of steps) {
    logs += s.events.filter((e) => e.type !== 'contact_end').length;
    if (s.info.llm) logs += 2;
    if (Array.isArray(s.info.failures)) logs += s.info.failures.length;
    const skill = s.info.skill as { name?: unknown; status?: unknown } | undefined;
    if (skill) {
      const key = `${String(skill.name)}|${String(skill.status)}`;
      if (key !== lastSkill) logs++;
      lastSkill = key;
    }
    if (typeof s.info.intent === 'string' && s.info.intent !== lastIntent) {
      logs++;
      lastIntent = s.info.intent;
    }
    if (typeof s.info.note === 'string') logs++;
  }
  return {
    '/scene': 1 + steps.filter((s) => s.scene).length,
    '/tf': 1 + steps.length,
    '/imagined': imagined + (imagined > 0 ? 1 : 0),
    '/log': logs,
    '/planarena/step': steps.length,
    '/planarena/episode': 1,
  };
}

function sum(counts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v > 0));
}

describe('MCAP export', () => {
  let file: string;
  let read: Awaited<ReturnType<typeof readMcap>>;
  beforeAll(async () => {
    file = join(tmp, 'run.mcap');
    await exportRunToMcap({ runDir, out: file });
    read = await readMcap(file);
  });

  it('covers the planners whose info it draws', () => {
    expect(records.map((r) => r.planner)).toEqual(['scripted', 'world-model', 'llm', 'remote', 'scripted', 'world-model', 'llm', 'remote']);
    expect(recordings.some((r) => r.steps.some((s) => s.info.imagined))).toBe(true);
    expect(recordings.some((r) => r.steps.some((s) => s.info.llm))).toBe(true);
    expect(recordings.some((r) => r.steps.some((s) => s.info.skill))).toBe(true);
    expect(recordings.some((r) => r.steps.some((s) => typeof s.info.note === 'string'))).toBe(true);
  });

  it('uses Foxglove\'s schema names and JSON encodings', () => {
    const channels = [...read.reader.channelsById.values()].map((c) => ({ topic: c.topic, encoding: c.messageEncoding, schema: read.reader.schemasById.get(c.schemaId)!.name }));
    expect(channels).toEqual([
      { topic: '/scene', encoding: 'json', schema: 'foxglove.SceneUpdate' },
      { topic: '/tf', encoding: 'json', schema: 'foxglove.FrameTransforms' },
      { topic: '/imagined', encoding: 'json', schema: 'foxglove.SceneUpdate' },
      { topic: '/log', encoding: 'json', schema: 'foxglove.Log' },
      { topic: '/planarena/step', encoding: 'json', schema: 'planarena.StepMetrics' },
      { topic: '/planarena/episode', encoding: 'json', schema: 'planarena.EpisodeResult' },
    ]);
    for (const s of read.reader.schemasById.values()) expect(s.encoding).toBe('jsonschema');
  });

  it('validates every message against the schema stored in the file', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validators = new Map([...read.reader.channelsById.values()].map((c) => [c.id, ajv.compile(JSON.parse(new TextDecoder().decode(read.reader.schemasById.get(c.schemaId)!.data)))]));
    let checked = 0;
    for (const m of read.messages) {
      const validate = validators.get(m.channelId)!;
      const value = JSON.parse(new TextDecoder().decode(m.data));
      expect(validate(value), `${read.reader.channelsById.get(m.channelId)!.topic}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(read.messages.length);
    expect(Number(read.reader.statistics!.messageCount)).toBe(read.messages.length);
  });

  it('holds the messages the recordings call for, topic by topic', () => {
    const got: Record<string, number> = {};
    for (const m of read.messages) {
      const topic = read.reader.channelsById.get(m.channelId)!.topic;
      got[topic] = (got[topic] ?? 0) + 1;
    }
    expect(got).toEqual(sum(recordings.map(expectedCounts)));
  });

  it('plays the episodes one after another in simulated time', () => {
    const topic = (m: (typeof read.messages)[number]) => read.reader.channelsById.get(m.channelId)!.topic;
    const decode = (m: (typeof read.messages)[number]) => JSON.parse(new TextDecoder().decode(m.data));
    const steps = read.messages.filter((m) => topic(m) === '/planarena/step').map((m) => ({ logTime: m.logTime, body: decode(m) }));
    const ends = read.messages.filter((m) => topic(m) === '/planarena/episode').map((m) => m.logTime);
    let offset = 0n;
    for (const [i, rec] of recordings.entries()) {
      const mine = steps.filter((s) => s.body.episode === i);
      expect(mine).toHaveLength(rec.steps.length);
      for (const [k, s] of mine.entries()) {
        expect(s.logTime).toBe(offset + BigInt(Math.round(rec.steps[k].t * 1e9)));
        expect(s.body).toMatchObject({ scenario: rec.meta.scenario, planner: rec.meta.planner, step: rec.steps[k].step, reward: rec.steps[k].reward });
      }
      expect(mine[mine.length - 1].body.return).toBeCloseTo(records[i].return, 9);
      expect(ends[i]).toBe(mine[mine.length - 1].logTime + 1n);
      offset = ends[i] + EPISODE_GAP_NS;
    }
    // The indexed reader returns log-time order; each episode starts after the previous one ended.
    for (let i = 1; i < read.messages.length; i++) expect(read.messages[i].logTime >= read.messages[i - 1].logTime).toBe(true);
  });

  it('draws imagined futures as line strips and logs the LLM exchange', () => {
    const byTopic = (t: string) => read.messages.filter((m) => read.reader.channelsById.get(m.channelId)!.topic === t).map((m) => JSON.parse(new TextDecoder().decode(m.data)));
    const lines = byTopic('/imagined').flatMap((u) => u.entities.flatMap((e: { lines: { points: unknown[] }[] }) => e.lines));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l: { points: unknown[]; type: number }) => l.type === 0 && l.points.length >= 2)).toBe(true);
    const logs = byTopic('/log');
    expect(logs.some((l) => l.name === 'llm' && l.level === 1 && l.message.includes('[system]'))).toBe(true);
    expect(logs.some((l) => l.name === 'llm' && l.message.startsWith('reply'))).toBe(true);
    expect(logs.some((l) => l.name === 'remote' && l.message === 'go-to-goal (diffdrive)')).toBe(true);
    const tf = byTopic('/tf')[0].transforms as { child_frame_id: string }[];
    expect(tf.map((t) => t.child_frame_id)).toContain('body/robot');
  });
});

describe('planarena export', () => {
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'export', ...args], { cwd: ROOT, timeout: 110_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('--per-episode writes one readable file per episode, together the whole run', async () => {
    const dir = join(tmp, 'episodes');
    const r = await cli([runDir, '--mcap', dir, '--per-episode']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote 8 files under .*: 8 episodes, \d+ messages \(\/scene \d+, \/tf \d+/);
    const files = readdirSync(dir).sort();
    expect(files).toContain('open-field_world-model_seed-0.mcap');
    expect(files).toHaveLength(8);
    const counts: Record<string, number>[] = [];
    for (const f of files) {
      const { reader, messages } = await readMcap(join(dir, f));
      const c: Record<string, number> = {};
      for (const m of messages) c[reader.channelsById.get(m.channelId)!.topic] = (c[reader.channelsById.get(m.channelId)!.topic] ?? 0) + 1;
      counts.push(c);
      expect(messages[0].logTime).toBe(0n); // each file starts at its episode's reset
    }
    expect(sum(counts)).toEqual(sum(recordings.map(expectedCounts)));
  });

  it('refuses a run without recordings, and a missing --mcap, in one line', async () => {
    const plain = await runFlags({ scenarios: 'arm-reach', seeds: '1', planners: 'random', out: join(tmp, 'plain') });
    const a = await cli([plain.runDir.path, '--mcap', join(tmp, 'x.mcap')]);
    expect(a.code).toBe(1);
    expect(a.stderr.trim()).toMatch(/^planarena export: .*plain has no recordings; record the run with `planarena run --record \.\.\.`/);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    const b = await cli([plain.runDir.path]);
    expect(b.stderr.trim()).toBe('planarena export: nothing to export to: pass --mcap FILE (the only export format so far).');
    const c = await cli([join(tmp, 'nowhere'), '--mcap', 'x.mcap']);
    expect(c.stderr.trim()).toMatch(/^planarena export: RUN_DIR .*nowhere does not exist/);
  });
});

describe('planarena run --record --mcap', () => {
  it('exports the run it just made; --mcap without --record is refused in one line', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'run', '--scenarios', 'arm-reach', '--planners', 'scripted', '--seeds', '1', ...args], { cwd: ROOT, timeout: 110_000 }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const file = join(tmp, 'from-run.mcap');
    const ok = await run(['--record', '--mcap', file, '--out', join(tmp, 'run-mcap')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/wrote .*from-run\.mcap: \d+ messages from 1 episodes/);
    const { messages } = await readMcap(file);
    expect(messages.length).toBeGreaterThan(10);
    const refused = await run(['--mcap', file, '--out', join(tmp, 'run-nomcap')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^planarena run: --mcap .*from-run\.mcap exports the recordings: add --record\.$/);
  });
});
