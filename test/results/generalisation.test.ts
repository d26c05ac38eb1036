/**
 * The generalisation gap: success per split of generated levels, test − train and ood − train
 * with level-cluster bootstrap intervals, reports over several run directories, and generated
 * levels folded per family and split in the per-scenario table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { analyze, stratumOf } from '../../evaluation/analysis.ts';
import { foldLevelRows, generalisation } from '../../evaluation/generalisation.ts';
import { summarize } from '../../core/summary.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import { config, record, writeRun } from './records.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-gap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `levels` levels per family of a split; a level succeeds when `ok(family, level, seed)`. */
function episodes(planner: string, split: string, levels: number, ok: (family: string, level: number, seed: number) => boolean, seeds = 2): EpisodeRecord[] {
  return ['rooms', 'pushing'].flatMap((family) =>
    Array.from({ length: levels }, (_, level) =>
      Array.from({ length: seeds }, (_, seed) => {
        const success = ok(family, level, seed);
        return record(`${family}-${split}-${level}`, planner, seed, success ? { success, failure: null, return: 10 } : {});
      }),
    ).flat(),
  );
}

const learned = [
  ...episodes('learned', 'train', 20, () => true),
  ...episodes('learned', 'test', 20, (_f, l) => l % 2 === 0),
  ...episodes('learned', 'ood', 20, (f, l) => f === 'rooms' && l < 4),
];
const steady = [...episodes('steady', 'train', 20, (_f, l) => l % 2 === 0), ...episodes('steady', 'test', 20, (_f, l) => l % 2 === 0)];

describe('generalisation gap', () => {
  it('success per split and the gaps to train, with intervals around them', () => {
    const g = generalisation([...learned, ...steady, record('open-field', 'learned', 0)], { reps: 1000, seed: 3 })!;
    expect(g.splits).toEqual(['train', 'test', 'ood']);
    expect(g.families).toEqual(['rooms', 'pushing']);
    const [a, b] = g.rows;
    expect(a.planner).toBe('learned');
    expect(a.splits.train).toMatchObject({ episodes: 80, levels: 40, successes: 80 });
    expect(a.splits.train!.success).toEqual({ point: 1, lo: 1, hi: 1 });
    expect(a.splits.test!.success.point).toBe(0.5);
    expect(a.splits.ood!.success.point).toBeCloseTo(8 / 80, 12);
    expect(a.testGap!.point).toBe(-0.5);
    expect(a.oodGap!.point).toBeCloseTo(-0.9, 12);
    for (const i of [a.splits.test!.success, a.testGap!, a.oodGap!]) {
      expect(i.lo).toBeLessThanOrEqual(i.point);
      expect(i.hi).toBeGreaterThanOrEqual(i.point);
      expect(i.hi - i.lo).toBeGreaterThan(0.05);
    }
    // The same success on both splits: a gap of 0, its interval straddling 0.
    expect(b.planner).toBe('steady');
    expect(b.testGap!.point).toBe(0);
    expect(b.testGap!.lo).toBeLessThan(0);
    expect(b.testGap!.hi).toBeGreaterThan(0);
    expect(b.oodGap).toBeUndefined();
    expect(g.cells.find((c) => c.family === 'pushing' && c.planner === 'learned' && c.split === 'ood')).toMatchObject({ episodes: 40, levels: 20, successes: 0 });
  });

  it('resamples levels, not episodes: two seeds of one level count as one cluster', () => {
    // Every level either always or never succeeds: the interval must match one seed per level.
    const one = generalisation([...episodes('p', 'train', 30, () => true, 1), ...episodes('p', 'test', 30, (_f, l) => l % 3 === 0, 1)], { reps: 2000, seed: 1 })!;
    const four = generalisation([...episodes('p', 'train', 30, () => true, 4), ...episodes('p', 'test', 30, (_f, l) => l % 3 === 0, 4)], { reps: 2000, seed: 1 })!;
    expect(four.rows[0].testGap).toEqual(one.rows[0].testGap);
  });

  it('is deterministic under its seed and absent without generated levels', () => {
    expect(generalisation(learned, { reps: 500, seed: 9 })).toEqual(generalisation(learned, { reps: 500, seed: 9 }));
    expect(generalisation([record('open-field', 'x', 0)])).toBeNull();
  });

  it('folds generated levels into one row per family, split and planner', () => {
    const rows = foldLevelRows(summarize([...learned, record('open-field', 'learned', 0)]).rows);
    expect(rows.map((r) => r.scenario)).toEqual([
      'open-field',
      'rooms · train (20 levels)',
      'pushing · train (20 levels)',
      'rooms · test (20 levels)',
      'pushing · test (20 levels)',
      'rooms · ood (20 levels)',
      'pushing · ood (20 levels)',
    ]);
    const roomsOod = rows.find((r) => r.scenario === 'rooms · ood (20 levels)')!;
    expect(roomsOod).toMatchObject({ episodes: 40, successes: 8, successRate: 0.2 });
  });
});

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

describe('head to head on generated levels run with one seed each', () => {
  it('resamples within family and split, so the intervals are not zero-width', () => {
    // 10 levels per family, one seed: A solves levels 0-6, B levels 0-2 (paired on the same levels).
    const a = episodes('A', 'test', 10, (_f, level) => level < 7, 1);
    const b = episodes('B', 'test', 10, (_f, level) => level < 3, 1);
    const h = analyze([...a, ...b], { reps: 500 }).headToHead[0];
    expect(h.pairs).toBe(20);
    expect(h.successDiff.point).toBeCloseTo(0.4, 9);
    expect(h.successDiff.lo).toBeLessThan(0.4);
    expect(h.successDiff.hi).toBeGreaterThan(0.4);
    expect(h.successDiff.lo).toBeGreaterThan(0);
    const agg = analyze([...a, ...b], { reps: 500 }).aggregates[0];
    expect(agg.scoreMean.hi - agg.scoreMean.lo).toBeGreaterThan(0);
    expect(stratumOf('rooms-test-12')).toBe('rooms-test');
    expect(stratumOf('u-trap')).toBe('u-trap');
  });
});

describe('planarena report over several runs', () => {
  it('pools the runs and shows the gap per planner; the HTML has the split chart', async () => {
    const split = (s: string) => learned.filter((r) => r.scenario.includes(`-${s}-`));
    writeRun(join(tmp, 'train'), split('train'), config({ suite: 'open-train' }));
    writeRun(join(tmp, 'test'), split('test'), config({ suite: 'open-test' }));
    writeRun(join(tmp, 'ood'), split('ood'), config({ suite: 'open-ood' }));
    const html = join(tmp, 'gap.html');
    const r = await cli('report', join(tmp, 'train'), join(tmp, 'test'), join(tmp, 'ood'), '--html', html, '--reps', '500');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Runs (3, episodes pooled): ${join(tmp, 'train')} (open-train), ${join(tmp, 'test')} (open-test), ${join(tmp, 'ood')} (open-ood)`);
    expect(r.out).toContain('## Generalisation gap (generated levels)');
    expect(r.out).toMatch(/\| learned \| 100% \[100%, 100%\] \(40 levels, 80 ep\.\) \| 50% \[\d+%, \d+%\] \(40 levels, 80 ep\.\) \| 10% \[\d+%, \d+%\] \(40 levels, 80 ep\.\) \| -50 pp \[-\d+, -\d+\] \| -90 pp \[-\d+, -\d+\] \|/);
    expect(r.out).toContain('| rooms · ood (20 levels) | learned | 40 | 20% [');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(html, 'utf8')).toContain('Success per split of the generated levels');
    expect(analyze(learned).generalisation).not.toBeNull();
  });

  it('refuses runs holding the same episode', async () => {
    writeRun(join(tmp, 'again'), learned.slice(0, 3), config());
    const r = await cli('report', join(tmp, 'train'), join(tmp, 'again'));
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`planarena report: ${join(tmp, 'train')} and ${join(tmp, 'again')} both hold episode rooms-train-0 · learned · seed 0; report runs of different episodes together (for shards of one run, use planarena merge first).`);
  });
});
