import { describe, expect, it } from 'vitest';
import { analyze, episodeScores } from '../../evaluation/analysis.ts';
import { buildManifest } from '../../core/manifest.ts';
import { renderHtml, renderMarkdown } from '../../evaluation/report.ts';
import { config, record } from './records.ts';
import { checkXml } from './xml.ts';

// Two scenarios; random returns 0, oracle 10 on each, so normalised score = return / 10.
const records = [
  ...[0, 1, 2].flatMap((seed) => [
    record('a', 'random', seed, { return: 0 }),
    record('a', 'oracle', seed, { return: 10, success: true, failure: null }),
    record('a', 'llm', seed, { return: seed * 5, success: seed === 2, failure: seed === 2 ? null : 'timeout', plannerStats: { tokens: 100, costUsd: 0.01 }, failureCategories: { format_error: seed } }),
    record('b', 'random', seed, { return: 0 }),
    record('b', 'oracle', seed, { return: 10, success: true, failure: null }),
    record('b', 'llm', seed, { return: 2, plannerStats: { tokens: 50, costUsd: 0.005 }, ...(seed === 1 ? { failure: 'error', error: 'boom <&>' } : {}) }),
  ]),
];

describe('run analysis', () => {
  it('normalises returns against random and oracle when both ran everywhere', () => {
    const { kind, score } = episodeScores(records);
    expect(kind).toBe('normalized');
    expect(score(records.find((r) => r.planner === 'llm' && r.scenario === 'a' && r.seed === 1)!)).toBe(0.5);
    expect(episodeScores(records.filter((r) => r.planner !== 'oracle')).kind).toBe('success');
  });

  it('aggregates per planner: success, IQM, counters, outcomes', () => {
    const a = analyze(records, { reps: 300 });
    expect(a.scenarios).toEqual(['a', 'b']);
    expect(a.planners).toEqual(['random', 'oracle', 'llm']);
    const llm = a.aggregates.find((g) => g.planner === 'llm')!;
    expect(llm.successes).toBe(1);
    // llm scores: a → 0, 0.5, 1; b → 0.2 ×3. Sorted 0, .2, .2, .2, .5, 1; IQM drops one each end.
    expect(llm.scoreIqm.point).toBeCloseTo((0.2 + 0.2 + 0.2 + 0.5) / 4, 12);
    expect(llm.counters.tokens).toEqual({ total: 450, perEpisode: 75 });
    expect(llm.outcomes).toEqual({ timeout: 4, success: 1, error: 1 });
    expect(llm.failureCategories).toEqual({ format_error: 3 });
    const oracle = a.aggregates.find((g) => g.planner === 'oracle')!;
    expect(oracle.scoreIqm).toEqual({ point: 1, lo: 1, hi: 1 });
    // Performance profile at τ = 0.25 (taus run 0..1 in 40 steps): llm has a → 2/3 above, b → 0/3.
    expect(a.profileTaus[10]).toBe(0.25);
    expect(llm.profile[10]).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(oracle.profile[0]).toBe(1);
    expect(a.errors).toEqual([{ scenario: 'b', planner: 'llm', seed: 1, error: 'boom <&>' }]);
  });

  it('compares every two planners on paired seeds', () => {
    const a = analyze(records, { reps: 300 });
    const h = a.headToHead.find((x) => x.a === 'oracle' && x.b === 'llm')!;
    expect(h.pairs).toBe(6);
    expect(h.success).toMatchObject({ aOnly: 5, bOnly: 0, both: 1 });
    expect(h.success.pValue).toBeCloseTo(2 / 32, 12);
    expect(h.improvement.point).toBeCloseTo((((3 * 3 - 1.5) / 9) + 1) / 2, 12); // task a: llm's 1.0 ties the oracle once per oracle episode
    expect(h.returnDiff.point).toBeCloseTo(mean([10, 5, 0, 8, 8, 8]), 12);
  });

  it('renders Markdown and a self-contained, well-formed HTML report with plots', () => {
    const a = analyze(records, { reps: 200 });
    const meta = { title: 'Fixture <run>', runDir: 'runs/x', manifest: buildManifest(config(), ['test']) };
    const md = renderMarkdown(a, meta);
    expect(md).toContain('## Head to head');
    expect(md).toContain('| oracle vs llm | 6 | 5 / 0 | 0.063 |');
    // llm: 100 tokens × 3 + 50 × 3 over 6 episodes = 75 per episode; cost 0.045 total.
    expect(md).toMatch(/\| llm \| [^|]+ \| [^|]+ \| [^|]+ \| 75 \| 0\.00750 \| 0\.0450 \|/);
    expect(md).toContain('| llm | costUsd | 0.0450 | 0.00750 |');
    const html = renderHtml(a, meta);
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(html.match(/<svg /g)?.length).toBe(7); // success, IQM, improvement, profile, outcomes, categories, latency
    expect(html).toContain('boom &lt;&amp;&gt;');
    checkXml(html.replace(/^<!doctype html>\n/, '').replace(/<meta charset="utf-8">/, ''));
  });
});

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
