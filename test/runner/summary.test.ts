import { describe, expect, it } from 'vitest';
import { percentile, summarize, wilson } from '../../core/summary.ts';
import type { Anchor } from '../../core/anchors.ts';
import { scenarioHash } from '../../core/manifest.ts';
import { formatTable } from '../../evaluation/table.ts';
import type { EpisodeRecord } from '../../core/records.ts';

function rec(over: Partial<EpisodeRecord>): EpisodeRecord {
  return {
    scenario: 's',
    seed: 0,
    planner: 'p',
    success: false,
    failure: 'timeout',
    steps: 10,
    simTime: 1,
    return: 0,
    pathLength: 0,
    collisions: 0,
    finalGoalDistance: 1,
    plannerMsP50: 1,
    plannerMsP95: 2,
    trajectoryHash: 'x',
    failureCategories: {},
    plannerStats: {},
    wallSeconds: 0.1,
    ...over,
  };
}

describe('wilson', () => {
  it('matches hand-computed intervals', () => {
    // 8/10, z = 1.96: centre = (0.8 + 0.19208) / 1.38416 = 0.716829, half = 0.227277.
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    // 0/5: lower bound 0, upper z²/(n + z²) = 3.8415 / 8.8415 = 0.43449.
    const [lo0, hi0] = wilson(0, 5);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.43449, 4);
    // 5/5 mirrors 0/5.
    const [lo5, hi5] = wilson(5, 5);
    expect(lo5).toBeCloseTo(1 - 0.43449, 4);
    expect(hi5).toBeCloseTo(1, 12);
  });

  it('is the whole unit interval with no trials', () => {
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe('percentile', () => {
  it('interpolates linearly', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([0, 10], 0.95)).toBeCloseTo(9.5, 12);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('summarize', () => {
  const records = [
    rec({ scenario: 'a', planner: 'random', seed: 0, return: -1 }),
    rec({ scenario: 'a', planner: 'random', seed: 1, return: 1 }),
    rec({ scenario: 'a', planner: 'oracle', seed: 0, return: 10, success: true, failure: null }),
    rec({ scenario: 'a', planner: 'oracle', seed: 1, return: 8, success: true, failure: null }),
    rec({ scenario: 'a', planner: 'llm', seed: 0, return: 5, success: true, failure: null, collisions: 2, failureCategories: { collision: 2, format_error: 1 } }),
    rec({ scenario: 'a', planner: 'llm', seed: 1, return: 3, failure: 'planner_error', error: 'boom', failureCategories: { format_error: 2 } }),
    rec({ scenario: 'b', planner: 'llm', seed: 0, return: 7, failure: 'flipped' }),
  ];
  // Frozen anchors for scenario a: random 0, oracle 9 (scenario b has none).
  const anchor: Anchor = { scenario: 'a', scenarioHash: 'h', source: 'test.json', random: { n: 20, mean: 0, sd: 1 }, oracle: { n: 20, mean: 9, sd: 1 } };
  const summary = summarize(records, 'suite-x', '2026-01-01T00:00:00.000Z', { anchors: new Map([['a', anchor]]) });

  it('makes one row per scenario and planner in order of appearance', () => {
    expect(summary.suite).toBe('suite-x');
    expect(summary.rows.map((r) => `${r.scenario}/${r.planner}`)).toEqual(['a/random', 'a/oracle', 'a/llm', 'b/llm']);
  });

  it('computes rates, means, normalised scores and failure counts', () => {
    const llm = summary.rows.find((r) => r.scenario === 'a' && r.planner === 'llm')!;
    expect(llm.episodes).toBe(2);
    expect(llm.successes).toBe(1);
    expect(llm.successRate).toBe(0.5);
    expect(llm.ci95).toEqual(wilson(1, 2));
    expect(llm.meanReturn).toBe(4);
    // Frozen anchors random 0, oracle 9: (4 - 0) / (9 - 0); the in-run baselines are not used.
    expect(llm.normalizedScore).toBeCloseTo(4 / 9, 12);
    expect(llm.normalizedCi95![0]).toBeLessThan(4 / 9);
    expect(llm.normalizedCi95![1]).toBeGreaterThan(4 / 9);
    // Efficiency needs the records' efficiency field; these hand-made ones have none.
    expect(llm.efficiency).toBeNull();
    expect(llm.meanCollisions).toBe(1);
    expect(llm.failures).toEqual({ planner_error: 1 });
    expect(llm.failureCategories).toEqual({ collision: 2, format_error: 3 });
    expect(summary.rows.find((r) => r.planner === 'oracle')!.normalizedScore).toBe(1);
    expect(summary.rows.find((r) => r.planner === 'random')!.normalizedScore).toBe(0);
    // Scenario b has no anchor: refused, with the reason.
    const b = summary.rows.find((r) => r.scenario === 'b')!;
    expect(b.normalizedScore).toBeNull();
    expect(b.normalizedNote).toMatch(/no frozen anchor for "b".*planarena anchors update/);
  });

  it('prints a fixed-width table with every row', () => {
    const lines = formatTable(summary).split('\n');
    expect(lines[0]).toMatch(/^scenario\s+planner\s+n\s+success % \[95% CI\]\s+efficiency \[95% CI\]\s+norm.return/);
    expect(lines.filter((l) => l.startsWith('a '))).toHaveLength(3);
    expect(lines.some((l) => /^b\s+llm\s+1\s+0 \[0-79\]/.test(l))).toBe(true);
    expect(lines.find((l) => l.includes('llm') && l.startsWith('a'))).toContain('0.44');
    expect(lines.at(-1)).toMatch(/^norm.return "-": no frozen anchor for "b"/);
  });

  it('puts success and efficiency (with its interval) first', () => {
    const withEff = [0, 1, 2, 3].map((seed) => rec({ scenario: 'a', planner: 'p', seed, success: seed > 0, failure: seed > 0 ? null : 'timeout', efficiency: seed > 0 ? 0.5 + 0.1 * seed : 0, spl: seed > 0 ? 0.9 : 0 }));
    const row = summarize(withEff, null, 'now', { anchors: new Map() }).rows[0];
    expect(row.efficiency).toBeCloseTo((0.6 + 0.7 + 0.8) / 4, 12);
    expect(row.efficiencyCi95![0]).toBeLessThan(row.efficiency!);
    expect(row.efficiencyCi95![1]).toBeGreaterThan(row.efficiency!);
    expect(row.spl).toBeCloseTo(0.675, 12);
    expect(Object.keys(row).slice(0, 10)).toEqual(['scenario', 'planner', 'episodes', 'successes', 'successRate', 'ci95', 'efficiency', 'efficiencyCi95', 'spl', 'meanReturn']);
    const header = formatTable(summarize(withEff, null, 'now', { anchors: new Map() })).split('\n')[0];
    expect(header.indexOf('success')).toBeLessThan(header.indexOf('efficiency'));
    expect(header.indexOf('efficiency')).toBeLessThan(header.indexOf('return'));
  });
});

describe('scenarioHash', () => {
  it('depends on content, not on key order', () => {
    expect(scenarioHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(scenarioHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(scenarioHash({ a: 1 })).not.toBe(scenarioHash({ a: 2 }));
    expect(scenarioHash({ a: [1, 2] })).not.toBe(scenarioHash({ a: [2, 1] }));
  });
});
