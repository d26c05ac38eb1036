import { describe, expect, it } from 'vitest';
import { normalizedScore, percentile, summarize, wilson } from '../../core/summary.ts';
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

describe('normalizedScore', () => {
  it('maps random to 0 and oracle to 1', () => {
    expect(normalizedScore(-2, -2, 8)).toBe(0);
    expect(normalizedScore(8, -2, 8)).toBe(1);
    expect(normalizedScore(3, -2, 8)).toBeCloseTo(0.5, 12);
  });
  it('is null without both baselines or with a zero span', () => {
    expect(normalizedScore(3, undefined, 8)).toBeNull();
    expect(normalizedScore(3, 1, undefined)).toBeNull();
    expect(normalizedScore(3, 4, 4)).toBeNull();
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
  const summary = summarize(records, 'suite-x', '2026-01-01T00:00:00.000Z');

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
    // random mean 0, oracle mean 9: (4 - 0) / (9 - 0).
    expect(llm.normalizedScore).toBeCloseTo(4 / 9, 12);
    expect(llm.meanCollisions).toBe(1);
    expect(llm.failures).toEqual({ planner_error: 1 });
    expect(llm.failureCategories).toEqual({ collision: 2, format_error: 3 });
    expect(summary.rows.find((r) => r.planner === 'oracle')!.normalizedScore).toBe(1);
    expect(summary.rows.find((r) => r.planner === 'random')!.normalizedScore).toBe(0);
    // Scenario b has no baselines.
    expect(summary.rows.find((r) => r.scenario === 'b')!.normalizedScore).toBeNull();
  });

  it('prints a fixed-width table with every row', () => {
    const lines = formatTable(summary).split('\n');
    expect(lines[0]).toMatch(/^scenario\s+planner\s+n\s+success % \[95% CI\]/);
    expect(lines.filter((l) => l.startsWith('a '))).toHaveLength(3);
    expect(lines.some((l) => /^b\s+llm\s+1\s+0 \[0-79\]/.test(l))).toBe(true);
    expect(lines.find((l) => l.includes('llm') && l.startsWith('a'))).toContain('0.44');
  });
});

describe('scenarioHash', () => {
  it('depends on content, not on key order', () => {
    expect(scenarioHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(scenarioHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(scenarioHash({ a: 1 })).not.toBe(scenarioHash({ a: 2 }));
    expect(scenarioHash({ a: [1, 2] })).not.toBe(scenarioHash({ a: [2, 1] }));
  });
});
