/**
 * Frozen anchors of the normalised return (core/anchors.ts, scenarios/anchors.ts): degenerate and negative spans
 * and stale anchors are refused with the reason, scores are clipped, the anchors' uncertainty
 * widens the intervals, anchor files are validated, the shipped anchors are fresh, and
 * `planarena anchors update` writes them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { scenarioHash } from '../../core/manifest.ts';
import { anchorFor, MIN_SPAN, normalizeRow, type Anchor } from '../../core/anchors.ts';
import { summarize } from '../../core/summary.ts';
import { ANCHORS_FORMAT, loadAnchors, readAnchorFile, shippedAnchors } from '../../scenarios/anchors.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import { config, record, writeRun } from './records.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-anchors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const anchor = (random: number, oracle: number, sd = 0, n = 20): Anchor => ({ scenario: 's', scenarioHash: 'h', source: 't.json', random: { n, mean: random, sd }, oracle: { n, mean: oracle, sd } });
const table = (a: Anchor) => new Map([['s', a]]);

describe('normalised return against frozen anchors', () => {
  it('refuses a degenerate span instead of blowing up (a 0.01 span used to give 560)', () => {
    const lookup = anchorFor(table(anchor(5, 5.01)), 's');
    expect(lookup).toEqual({ ok: false, reason: expect.stringMatching(/span of "s" is 0\.01, below the minimum 2/) });
    const row = normalizeRow([10.6, 10.6], lookup);
    expect(row).toEqual({ value: null, ci95: null, note: expect.stringContaining('below the minimum') });
  });

  it('refuses a negative span instead of flipping the sign', () => {
    expect(anchorFor(table(anchor(8, 2)), 's')).toEqual({ ok: false, reason: expect.stringMatching(/is -6\.00, negative/) });
  });

  it('refuses an anchor made for another version of the scenario, and a missing one, naming the fix', () => {
    expect(anchorFor(table(anchor(0, 10)), 's', 'other-hash')).toEqual({ ok: false, reason: expect.stringMatching(/another version of the scenario .*planarena anchors update/) });
    expect(anchorFor(table(anchor(0, 10)), 's', 'h').ok).toBe(true);
    expect(anchorFor(new Map(), 's')).toEqual({ ok: false, reason: expect.stringMatching(/no frozen anchor for "s"/) });
  });

  it('clips to [0, 1] and says so', () => {
    const lookup = anchorFor(table(anchor(0, 10)), 's');
    expect(normalizeRow([12, 12], lookup)).toEqual({ value: 1, ci95: [1, 1], note: 'clipped from 1.20' });
    expect(normalizeRow([-3, -3], lookup)).toMatchObject({ value: 0, note: 'clipped from -0.30' });
    expect(normalizeRow([5, 5], lookup)).toEqual({ value: 0.5, ci95: [0.5, 0.5], note: null });
  });

  it("carries the anchors' uncertainty into the interval", () => {
    const returns = [4, 5, 6, 5];
    const tight = normalizeRow(returns, anchorFor(table(anchor(0, 10, 0)), 's'));
    const loose = normalizeRow(returns, anchorFor(table(anchor(0, 10, 3, 5)), 's'));
    expect(tight.value).toBe(0.5);
    expect(loose.value).toBe(0.5);
    const width = (r: typeof tight) => r.ci95![1] - r.ci95![0];
    expect(width(loose)).toBeGreaterThan(1.5 * width(tight));
    // Delta method: se² = s²/n/span² + (N−1)²·se_r²/span² + N²·se_o²/span².
    const s2 = 2 / 3;
    const expected = 1.959963984540054 * Math.sqrt((s2 / 4 + 0.25 * (9 / 5) + 0.25 * (9 / 5)) / 100);
    expect(width(loose) / 2).toBeCloseTo(expected, 12);
  });

  it('summaries use the frozen anchors, not the baselines that ran alongside', () => {
    const records = [record('s', 'random', 0, { return: 3 }), record('s', 'oracle', 0, { return: 7 }), record('s', 'llm', 0, { return: 5 })];
    const rows = summarize(records, null, 'now', { anchors: table(anchor(0, 10)) }).rows;
    expect(rows.map((r) => r.normalizedScore)).toEqual([0.3, 0.7, 0.5]);
  });
});

describe('anchor files', () => {
  const good = { format: ANCHORS_FORMAT, suite: 'x', createdAt: 'now', git: { commit: null, dirty: null }, config: { seeds: [0], physics: 'deterministic', plannerConfig: {} }, scenarios: { s: { scenarioHash: 'h', random: { n: 2, mean: 0, sd: 1 }, oracle: { n: 2, mean: 10, sd: 1 } } } };

  it('are validated, naming the file, the field and the fix', () => {
    const path = join(tmp, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...good, scenarios: { s: { scenarioHash: 'h', random: { n: 0, mean: 0, sd: 1 }, oracle: good.scenarios.s.oracle } } }));
    expect(() => readAnchorFile(path)).toThrow(/bad\.json: scenarios\.s\.random\.n: .*anchors update/);
    writeFileSync(path, '{ nope');
    expect(() => readAnchorFile(path)).toThrow(/bad\.json: not valid JSON/);
  });

  it('a scenario in two files takes the entry with more episodes', () => {
    const dir = join(tmp, 'two');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...good, scenarios: { s: { ...good.scenarios.s, random: { n: 30, mean: 1, sd: 1 } } } }));
    expect(loadAnchors(dir).get('s')).toMatchObject({ source: 'b.json', random: { n: 30, mean: 1 } });
  });

  it('the shipped anchors cover every core scenario, are fresh (same scenario hash) and have usable spans', () => {
    const anchors = shippedAnchors();
    for (const id of loadSuite('core').scenarios) {
      const a = anchors.get(id);
      expect(a, `anchor for ${id}`).toBeDefined();
      expect(a!.scenarioHash, `${id} changed since its anchor was frozen: run planarena anchors update --suite core`).toBe(scenarioHash(loadScenario(id)));
      expect(a!.oracle.mean - a!.random.mean).toBeGreaterThanOrEqual(MIN_SPAN);
      expect(anchorFor(anchors, id).ok).toBe(true);
    }
  });
});

describe('planarena anchors update', () => {
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(console, 'error').mockImplementation((s) => void (err += `${String(s)}\n`));
    try {
      return { code: await main(argv), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('freezes the random and oracle returns of a run, with the scenario hashes', async () => {
    const cfg = config({ suite: 'smoke', scenarios: ['open-field'], planners: ['random', 'oracle'], seeds: [0, 1, 2], scenarioHashes: { 'open-field': 'hash-of-open-field' } });
    const records = [0, 1, 2].flatMap((seed) => [record('open-field', 'random', seed, { return: seed - 1 }), record('open-field', 'oracle', seed, { return: 10 + seed })]);
    writeRun(join(tmp, 'run'), records, cfg);
    const out = join(tmp, 'out', 'smoke.json');
    const r = await cli('anchors', 'update', '--suite', 'smoke', '--from', join(tmp, 'run'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('open-field: random 0.00 ± 1.00, oracle 11.00 ± 1.00 (n 3/3)');
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file).toMatchObject({ format: ANCHORS_FORMAT, suite: 'smoke', config: { seeds: [0, 1, 2] } });
    expect(file.scenarios['open-field']).toEqual({ scenarioHash: 'hash-of-open-field', random: { n: 3, mean: 0, sd: 1 }, oracle: { n: 3, mean: 11, sd: 1 } });
  });

  it('refuses runs with crashed episodes and bad flags, in one line', async () => {
    const cfg = config({ scenarios: ['open-field'], planners: ['random', 'oracle'], seeds: [0], scenarioHashes: { 'open-field': 'h' } });
    writeRun(join(tmp, 'crashed'), [record('open-field', 'random', 0), record('open-field', 'oracle', 0, { failure: 'planner_error', error: 'act: boom' })], cfg);
    const crashed = await cli('anchors', 'update', '--suite', 'smoke', '--from', join(tmp, 'crashed'), '--out', join(tmp, 'x.json'));
    expect(crashed.code).not.toBe(0);
    expect(crashed.err).toMatch(/^planarena anchors: 1 anchor episode\(s\) crashed \(open-field · oracle · seed 0: act: boom\)/);
    expect((await cli('anchors', 'update')).err).toMatch(/needs --suite S/);
    expect((await cli('anchors', 'refresh', '--suite', 'core')).err).toMatch(/one subcommand, "update"/);
  });
});
