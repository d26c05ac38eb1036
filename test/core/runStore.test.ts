/**
 * Run directories survive what crashes and editors leave: a torn last line with or without its
 * newline, a corrupt line in the middle. `--resume` repairs them and re-runs those episodes;
 * `report` says which line it skipped and still reports; nothing in the file is lost.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { loadRun } from '../../core/runStore.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function quiet(argv: string[]): Promise<{ code: number; err: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  const log = console.log;
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  console.log = () => {};
  try {
    return { code: await main(argv), err };
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
    console.log = log;
  }
}

const RUN = ['run', '--scenarios', 'arm-reach', '--planners', 'random,scripted', '--seeds', '2'];
let reference: string[];
let lines: string[];

beforeAll(async () => {
  expect((await quiet([...RUN, '--out', join(tmp, 'ref')])).code).toBe(0);
  reference = loadRun(join(tmp, 'ref')).records.map((r) => r.trajectoryHash);
  lines = readFileSync(join(tmp, 'ref', 'episodes.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(4);
});

const freshDir = (name: string) => join(tmp, name.replace(/\W+/g, '-'));

describe('run directory repair', () => {
  for (const [name, tail] of [
    ['torn, no newline', '{"scenario":"arm-reach","seed":1,"pla'],
    ['torn, with a newline (what an editor leaves)', '{"scenario":"arm-reach","seed":1,"pla\n'],
    ['a record cut to a fragment of valid JSON', '{"scenario":"arm-reach"}\n'],
  ] as const) {
    it(`--resume repairs a last line that is ${name} and completes the run with the same hashes`, async () => {
      const dir = freshDir(name);
      expect((await quiet([...RUN, '--out', dir])).code).toBe(0);
      writeFileSync(join(dir, 'episodes.jsonl'), `${lines.slice(0, 2).join('\n')}\n${tail}`);
      const r = await quiet(['run', '--resume', dir]);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/dropped a torn last line/);
      expect(loadRun(dir).records.map((x) => x.trajectoryHash)).toEqual(reference);
      // A second resume finds nothing to do and nothing to repair.
      const again = await quiet(['run', '--resume', dir]);
      expect(again.code).toBe(0);
      expect(again.err).toMatch(/4 of 4 episodes already done/);
      expect(again.err).not.toMatch(/dropped a torn/);
    });
  }

  it('report names a corrupt middle line and still reports; --resume keeps the line aside and re-runs that episode', async () => {
    const dir = freshDir('middle');
    expect((await quiet([...RUN, '--out', dir])).code).toBe(0);
    writeFileSync(join(dir, 'episodes.jsonl'), `${lines[0]}\nnot json at all\n${lines.slice(2).join('\n')}\n`);
    const report = await quiet(['report', dir]);
    expect(report.code).toBe(0);
    expect(report.err).toMatch(/episodes\.jsonl:2: not valid JSON .*; skipped/);
    const r = await quiet(['run', '--resume', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/episodes\.jsonl:2: not valid JSON .*moved to episodes\.corrupt\.jsonl/);
    expect(loadRun(dir).corrupt).toEqual([]);
    expect(loadRun(dir).records.map((x) => x.trajectoryHash)).toEqual(reference);
    expect(existsSync(join(dir, 'episodes.corrupt.jsonl'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'episodes.corrupt.jsonl'), 'utf8'))).toMatchObject({ line: 2, text: 'not json at all' });
  });
});
