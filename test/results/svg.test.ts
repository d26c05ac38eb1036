/**
 * The report's inline charts: axis ticks at nice numbers, latency labels that never overlap.
 */
import { describe, expect, it } from 'vitest';
import { boxPlots, intervalChart, niceTicks, tickLabel } from '../../evaluation/svg.ts';

const labels = (ticks: number[]) => ticks.map((v) => tickLabel(v, ticks));

describe('report chart axes', () => {
  it('ticks at multiples of 1, 2, 2.5 or 5 × 10^k inside the range, written with the digits their step needs', () => {
    expect(labels(niceTicks(-0.25, 0.5))).toEqual(['-0.2', '0', '0.2', '0.4']);
    expect(labels(niceTicks(0, 1))).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(labels(niceTicks(0, 100))).toEqual(['0', '25', '50', '75', '100']);
    expect(labels(niceTicks(-1, 1))).toEqual(['-1', '-0.5', '0', '0.5', '1']);
    expect(labels(niceTicks(0.3, 0.7))).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7']);
    for (const [lo, hi] of [[-3.7, 12.1], [0.001, 0.009], [-250, 40], [5, 5.5]]) {
      const t = niceTicks(lo, hi);
      expect(t.length).toBeGreaterThanOrEqual(3);
      expect(t.length).toBeLessThanOrEqual(7);
      for (const v of t) expect(v >= lo - 1e-9 && v <= hi + 1e-9).toBe(true);
      const step = t[1] - t[0];
      const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 2.5, 5].some((k) => Math.abs(m - k) < 1e-6)).toBe(true);
    }
  });

  it('the interval chart labels its axis with those ticks (no −0.06, 0.13)', () => {
    const svg = intervalChart([{ label: 'a', value: 0.1, lo: -0.1, hi: 0.3 }], { min: -0.25, max: 0.5, title: 't' });
    const axis = [...svg.matchAll(/fill="#555">([^<]+)</g)].map((m) => m[1]);
    expect(axis).toEqual(['-0.2', '0', '0.2', '0.4']);
  });

  it('latency box plots label decades at least 44 px apart, the unit once', () => {
    const svg = boxPlots([{ label: 'oracle', values: [0.002, 0.5, 40] }, { label: 'llm', values: [800, 12000, 90000] }], 'latency', 'ms');
    const texts = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#555">([^<]+)</g)].map((m) => ({ x: Number(m[1]), text: m[2] }));
    const ticks = texts.filter((t) => !t.text.includes('log scale'));
    const decades = ['0.001', '0.01', '0.1', '1', '10', '100', '1k', '10k', '100k'];
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    const at = ticks.map((t) => decades.indexOf(t.text));
    expect(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]))).toBe(true);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i].x - ticks[i - 1].x).toBeGreaterThanOrEqual(44);
    expect(texts.filter((t) => t.text === 'ms (log scale)')).toHaveLength(1);
    expect(svg).not.toMatch(/\d ms</);
  });
});
