import { describe, expect, it } from 'vitest';
import { analyze, episodeScores } from '../../evaluation/analysis.ts';
import type { Anchor } from '../../core/anchors.ts';
import { buildManifest } from '../../core/manifest.ts';
import { renderHtml, renderMarkdown } from '../../evaluation/report.ts';
import { signFlipTest } from '../../evaluation/stats.ts';
import { config, record } from './records.ts';
import { checkXml } from './xml.ts';

// Two scenarios; random returns 0, oracle 10 on each, so normalised score = return / 10 against
// the frozen anchors below. Efficiency: oracle 0.8 per episode, llm 0.4 on its one success.
const records = [
  ...[0, 1, 2].flatMap((seed) => [
    record('a', 'random', seed, { return: 0, efficiency: 0 }),
    record('a', 'oracle', seed, { return: 10, success: true, failure: null, efficiency: 0.8 }),
    record('a', 'llm', seed, { return: seed * 5, success: seed === 2, failure: seed === 2 ? null : 'timeout', efficiency: seed === 2 ? 0.4 : 0, plannerStats: { tokens: 100, costUsd: 0.01 }, failureCategories: { format_error: seed } }),
    record('b', 'random', seed, { return: 0, efficiency: 0 }),
    record('b', 'oracle', seed, { return: 10, success: true, failure: null, efficiency: 0.8 }),
    record('b', 'llm', seed, { return: 2, efficiency: 0, plannerStats: { tokens: 50, costUsd: 0.005 }, ...(seed === 1 ? { failure: 'error', error: 'boom <&>' } : {}) }),
  ]),
];

const anchor = (scenario: string): Anchor => ({ scenario, scenarioHash: 'h', source: 'fixture.json', random: { n: 20, mean: 0, sd: 0.5 }, oracle: { n: 20, mean: 10, sd: 1 } });
const anchors = new Map([['a', anchor('a')], ['b', anchor('b')]]);

describe('run analysis', () => {
  it('scores episodes by efficiency when every record has it, else by success', () => {
    const { kind, score } = episodeScores(records);
    expect(kind).toBe('efficiency');
    expect(score(records.find((r) => r.planner === 'llm' && r.scenario === 'a' && r.seed === 2)!)).toBe(0.4);
    const old = records.map(({ efficiency: _e, ...r }) => r);
    expect(episodeScores(old).kind).toBe('success');
  });

  it('aggregates per planner: success, efficiency IQM, normalised return, counters, outcomes', () => {
    const a = analyze(records, { reps: 300, anchors });
    expect(a.scenarios).toEqual(['a', 'b']);
    expect(a.planners).toEqual(['random', 'oracle', 'llm']);
    expect(a.scoreKind).toBe('efficiency');
    expect(a.normalizedNote).toBeNull();
    const llm = a.aggregates.find((g) => g.planner === 'llm')!;
    expect(llm.successes).toBe(1);
    // Efficiency: a → 0, 0, 0.4; b → 0 ×3: IQM of 0,0,0,0,0,0.4 drops one each end.
    expect(llm.scoreIqm.point).toBe(0);
    expect(llm.scoreMean.point).toBeCloseTo(0.4 / 6, 12);
    // Normalised: a → 0, 0.5, 1; b → 0.2 ×3. Sorted 0, .2, .2, .2, .5, 1; IQM drops one each end.
    expect(llm.normalizedIqm!.point).toBeCloseTo((0.2 + 0.2 + 0.2 + 0.5) / 4, 12);
    expect(llm.counters.tokens).toEqual({ total: 450, perEpisode: 75 });
    expect(llm.outcomes).toEqual({ timeout: 4, success: 1, error: 1 });
    expect(llm.failureCategories).toEqual({ format_error: 3 });
    const oracle = a.aggregates.find((g) => g.planner === 'oracle')!;
    expect(oracle.scoreIqm).toEqual({ point: 0.8, lo: 0.8, hi: 0.8 });
    // Every oracle episode returns exactly 10: only the anchors' own uncertainty widens the interval.
    expect(oracle.normalizedIqm!.point).toBe(1);
    expect(oracle.normalizedIqm!.lo).toBeLessThan(0.97);
    expect(oracle.normalizedIqm!.hi).toBe(1); // clipped
    // Performance profile at τ = 0.25 (taus run 0..1 in 40 steps): llm has a → 1/3 above, b → 0/3.
    expect(a.profileTaus[10]).toBe(0.25);
    expect(llm.profile[10]).toBeCloseTo((1 / 3 + 0) / 2, 12);
    expect(oracle.profile[0]).toBe(1);
    expect(a.errors).toEqual([{ scenario: 'b', planner: 'llm', seed: 1, error: 'boom <&>' }]);
  });

  it('refuses the normalised return, with the reason, when a scenario has no anchor', () => {
    const a = analyze(records, { reps: 200, anchors: new Map([['a', anchor('a')]]) });
    expect(a.normalizedNote).toMatch(/no frozen anchor for "b"/);
    expect(a.aggregates.every((g) => g.normalizedMean === null && g.normalizedIqm === null)).toBe(true);
    expect(a.rows.find((r) => r.scenario === 'a')!.normalizedScore).not.toBeNull();
  });

  it('compares every two planners on paired seeds', () => {
    const a = analyze(records, { reps: 300, anchors });
    const h = a.headToHead.find((x) => x.a === 'oracle' && x.b === 'llm')!;
    expect(h.pairs).toBe(6);
    expect(h.success).toMatchObject({ aOnly: 5, bOnly: 0, both: 1 });
    expect(h.success.pValue).toBeCloseTo(2 / 32, 12);
    // Success rate difference, paired: 5 of 6 pairs only the oracle succeeded.
    expect(h.successDiff.point).toBeCloseTo(5 / 6, 12);
    expect(h.successDiff.n).toBe(6);
    expect(h.successDiff.lo).toBeGreaterThan(0);
    // Efficiency: the oracle's 0.8 beats every llm episode on both tasks.
    expect(h.improvement.point).toBe(1);
    expect(h.returnDiff.point).toBeCloseTo(mean([10, 5, 0, 8, 8, 8]), 12);
    // p-values from the paired sign-flip test: 5 positive differences, one zero → 2 / 2^5.
    expect(h.returnDiff.pValue).toBeCloseTo(2 / 32, 12);
    expect(h.scoreDiff.point).toBeCloseTo(mean([0.8, 0.8, 0.4, 0.8, 0.8, 0.8]), 12);
    expect(h.scoreDiff.pValue).toBe(signFlipTest([0.8, 0.8, 0.4, 0.8, 0.8, 0.8]).pValue);
  });

  it('renders Markdown and a self-contained, well-formed HTML report with plots', () => {
    const a = analyze(records, { reps: 200, anchors });
    const meta = { title: 'Fixture <run>', runDir: 'runs/x', manifest: buildManifest(config(), ['test']) };
    const md = renderMarkdown(a, meta);
    expect(md).toContain('## Head to head');
    expect(md).toContain('| oracle vs llm | 6 | 5 / 0 | 0.063 |');
    // llm: 100 tokens × 3 + 50 × 3 over 6 episodes = 75 per episode; cost 0.045 total.
    expect(md).toMatch(/\| llm \| [^|]+ \| [^|]+ \| [^|]+ \| 75 \| 0\.00750 \| 0\.0450 \|/);
    expect(md).toContain('| llm | costUsd | 0.0450 | 0.00750 |');
    const html = renderHtml(a, meta);
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(md.indexOf('success [95% CI]')).toBeLessThan(md.indexOf('efficiency mean'));
    expect(md.indexOf('efficiency mean')).toBeLessThan(md.indexOf('norm. return mean'));
    expect(html.match(/<svg /g)?.length).toBe(8); // success, efficiency, IQM, improvement, profile, outcomes, categories, latency
    expect(html).toContain('boom &lt;&amp;&gt;');
    checkXml(html.replace(/^<!doctype html>\n/, '').replace(/<meta charset="utf-8">/, ''));
  });
});

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
