import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { config, record, writeRun } from './records.ts';
import { checkXml } from './xml.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cfg = config({ scenarios: ['a'], planners: ['random', 'oracle'], seeds: [0, 1, 2, 3, 4, 5, 6, 7] });
const good = cfg.seeds.flatMap((seed) => [record('a', 'random', seed, { return: 0 }), record('a', 'oracle', seed, { return: 10, success: true, failure: null })]);
const worse = good.map((r) => (r.planner === 'oracle' ? { ...r, success: false, failure: 'timeout' as const, return: 1, trajectoryHash: `w${r.seed}` } : r));

beforeAll(() => {
  writeRun(join(tmp, 'good'), good, cfg);
  writeRun(join(tmp, 'worse'), worse, cfg);
  writeRun(join(tmp, 'half'), good.slice(0, 8), cfg);
});

/** Runs a command in-process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const c = vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)));
  try {
    return { code: await main(argv), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    c.mockRestore();
  }
}

describe('evaluation commands on run directories', () => {
  it('report prints Markdown and writes a self-contained HTML file', async () => {
    const html = join(tmp, 'report.html');
    const r = await cli('report', join(tmp, 'good'), '--html', html, '--reps', '200');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Success first (Wilson 95%)');
    // Fixture scenario "a" has no frozen anchor: the normalised return is refused, with the fix.
    expect(r.out).toContain('Normalised return not shown: no frozen anchor for "a"');
    expect(r.out).toContain('| random vs oracle | 8 | 0 / 8 | 0.008 **');
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('<svg ');
    checkXml(text.replace(/^<!doctype html>\n/, '').replace('<meta charset="utf-8">', ''));
  });

  it('compare exits 1 on a significant regression only with --fail-on-regression', async () => {
    const plain = await cli('compare', join(tmp, 'good'), join(tmp, 'worse'));
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/\| a \| oracle \| regressed \| \d+ \| 100% → 0% \|/);
    expect(plain.out).toMatch(/\| a \| random \| identical \|/);
    expect((await cli('compare', join(tmp, 'good'), join(tmp, 'worse'), '--fail-on-regression')).code).toBe(1);
    expect((await cli('compare', join(tmp, 'good'), join(tmp, 'good'), '--fail-on-regression')).code).toBe(0);
  });

  it('merge --require-complete exits 1 and names what is missing', async () => {
    const r = await cli('merge', join(tmp, 'half'), '--out', join(tmp, 'merged-half'), '--require-complete');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/8 planned episodes are missing \(a\/random\/seed 4, .*planarena run --resume/);
    expect(existsSync(join(tmp, 'merged-half', 'summary.json'))).toBe(true);
  });

  it('refuses bad input with one line naming the fix', async () => {
    expect((await cli('report', join(tmp, 'nope'))).err).toMatch(/DIR .*nope does not exist\. Pass a run directory/);
    expect((await cli('compare', join(tmp, 'good'), join(tmp, 'good'), '--alpha', '2')).err).toMatch(/--alpha must be a number between 0 and 1/);
    expect((await cli('run', '--suite', 'smoke', '--planners', 'random', '--shard', '3/3')).err).toMatch(/--shard "3\/3": expected K\/N with 0 <= K < N/);
  });
});
