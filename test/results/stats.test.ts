import { describe, expect, it } from 'vitest';
import { holm, minimumPairs, normalizedBootstrap, signFlipTest } from '../../evaluation/stats.ts';
import { iqm, mannWhitneyProbability, mcnemarExact, mean, pairedBootstrap, performanceProfile, probabilityOfImprovement, quantile, stratifiedBootstrap } from '../../evaluation/stats.ts';
import { wilson } from '../../core/summary.ts';
import { Rng } from '../../sim/rng.ts';

describe('interquartile mean', () => {
  it('trims floor(n/4) from each end, like scipy.stats.trim_mean(x, 0.25)', () => {
    expect(iqm([1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5); // mean of 3..6
    expect(iqm([100, 1, 3, 2, 4])).toBe(3); // cut 1 each side: mean(2, 3, 4)
    expect(iqm(Array.from({ length: 20 }, (_, i) => i))).toBe(9.5); // mean of 5..14
    expect(iqm([7])).toBe(7);
    expect(iqm([])).toBeNaN();
  });
});

describe('interquartile mean by selection', () => {
  it('equals the sorted-and-trimmed mean on random, tied, sorted and reversed data of every size', () => {
    const rng = Rng.fromKey('iqm');
    const sortedIqm = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      const cut = Math.floor(s.length / 4);
      const mid = s.slice(cut, s.length - cut);
      return mid.reduce((t, x) => t + x, 0) / mid.length;
    };
    for (let n = 1; n <= 60; n++) {
      const random = Array.from({ length: n }, () => rng.normal());
      const tied = Array.from({ length: n }, () => rng.int(3));
      const ascending = Array.from({ length: n }, (_, i) => i);
      for (const v of [random, tied, ascending, [...ascending].reverse()]) expect(iqm(v)).toBeCloseTo(sortedIqm(v), 12);
    }
  });
});

describe('Wilson interval', () => {
  it('matches the textbook values', () => {
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 4);
    expect(hi).toBeCloseTo(0.7634, 4);
    const [lo0, hi0] = wilson(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775, 4);
  });
});

describe('stratified bootstrap', () => {
  const groups = [
    [0.1, 0.4, 0.35, 0.8, 0.9],
    [0.2, 0.25, 0.6],
    [1, 0.95, 0.7, 0.5],
  ];

  it('is reproducible for a seed and brackets the point estimate', () => {
    const a = stratifiedBootstrap(groups, iqm, { reps: 500, seed: 7 });
    const b = stratifiedBootstrap(groups, iqm, { reps: 500, seed: 7 });
    const c = stratifiedBootstrap(groups, iqm, { reps: 500, seed: 8 });
    expect(a).toEqual(b);
    expect(c.lo === a.lo && c.hi === a.hi).toBe(false);
    expect(a.point).toBe(iqm(groups.flat()));
    expect(a.lo).toBeLessThanOrEqual(a.point);
    expect(a.hi).toBeGreaterThanOrEqual(a.point);
  });

  it('keeps each task in every resample: constant tasks give a zero-width interval on the mean', () => {
    const r = stratifiedBootstrap([[1, 1, 1], [0, 0]], mean, { reps: 200 });
    expect(r).toEqual({ point: 0.6, lo: 0.6, hi: 0.6 });
  });
});

describe('probability of improvement', () => {
  it('is the Mann-Whitney U over n·m per task, ties counting one half', () => {
    expect(mannWhitneyProbability([1, 2, 3], [2])).toBeCloseTo(0.5); // (0 + ½ + 1) / 3
    expect(mannWhitneyProbability([3, 4], [1, 2])).toBe(1);
    // x=0: 0 + 0 + ½; x=1: ½ + ½ + 1 → 2.5 / 6
    expect(mannWhitneyProbability([0, 1], [1, 1, 0])).toBeCloseTo(2.5 / 6, 12);
  });

  it('agrees with the brute-force pair count on tied, unsorted data', () => {
    const rng = Rng.fromKey('mann-whitney');
    const x = Array.from({ length: 40 }, () => rng.int(6));
    const y = Array.from({ length: 31 }, () => rng.int(6));
    let u = 0;
    for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
    expect(mannWhitneyProbability(x, y)).toBeCloseTo(u / (40 * 31), 12);
  });

  it('resamples ties and spreads correctly: all ties stay ½, noisy data brackets the point', () => {
    expect(probabilityOfImprovement([[2, 2, 2]], [[2, 2]], { reps: 200 })).toEqual({ point: 0.5, lo: 0.5, hi: 0.5 });
    const rng = Rng.fromKey('poi');
    const xs = [0, 1, 2].map(() => Array.from({ length: 15 }, () => rng.int(4)));
    const ys = [0, 1, 2].map(() => Array.from({ length: 12 }, () => rng.int(4)));
    const r = probabilityOfImprovement(xs, ys, { reps: 1000, seed: 3 });
    expect(r.lo).toBeLessThan(r.point);
    expect(r.hi).toBeGreaterThan(r.point);
    expect(r.hi - r.lo).toBeLessThan(0.5);
    expect(probabilityOfImprovement(xs, ys, { reps: 1000, seed: 3 })).toEqual(r);
  });

  it('averages over tasks', () => {
    const r = probabilityOfImprovement([[1], [0, 0]], [[0], [1]], { reps: 100 });
    expect(r.point).toBe(0.5); // task 1: 1, task 2: 0
    const better = probabilityOfImprovement([[2, 3], [5, 6]], [[0, 1], [1, 2]], { reps: 100 });
    expect(better).toEqual({ point: 1, lo: 1, hi: 1 });
  });
});

describe('McNemar exact test', () => {
  const pairs = (aOnly: number, bOnly: number, both = 0, neither = 0) => [
    ...Array.from({ length: aOnly }, () => [true, false] as const),
    ...Array.from({ length: bOnly }, () => [false, true] as const),
    ...Array.from({ length: both }, () => [true, true] as const),
    ...Array.from({ length: neither }, () => [false, false] as const),
  ];

  it('gives the exact binomial two-sided p-value on discordant pairs', () => {
    expect(mcnemarExact(pairs(5, 0, 3, 2))).toMatchObject({ aOnly: 5, bOnly: 0, both: 3, neither: 2 });
    expect(mcnemarExact(pairs(5, 0)).pValue).toBeCloseTo(2 / 32, 12);
    expect(mcnemarExact(pairs(1, 9)).pValue).toBeCloseTo(22 / 1024, 12); // 2 · (1 + 10) / 2^10
    expect(mcnemarExact(pairs(3, 3)).pValue).toBe(1);
    expect(mcnemarExact(pairs(0, 0, 4, 4)).pValue).toBe(1);
  });

  it('stays finite and tiny for large one-sided samples', () => {
    const p = mcnemarExact(pairs(2000, 0)).pValue;
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-100);
  });
});

describe('paired bootstrap', () => {
  it('finds a consistent positive difference significant', () => {
    const r = pairedBootstrap([[1, 2, 3], [4, 5]], { reps: 400 });
    expect(r.point).toBe(3);
    expect(r.n).toBe(5);
    expect(r.lo).toBeGreaterThan(0);
    expect(r.pValue).toBe(1 / 400);
  });

  it('finds no difference where there is none', () => {
    expect(pairedBootstrap([[0, 0, 0]], { reps: 100 }).pValue).toBe(1);
    const r = pairedBootstrap([[-1, 1, -2, 2, 0.5, -0.5]], { reps: 1000 });
    expect(r.pValue).toBeGreaterThan(0.5);
    expect(r.lo).toBeLessThan(0);
    expect(r.hi).toBeGreaterThan(0);
  });
});

describe('performance profile', () => {
  it('averages the per-task fraction above each threshold', () => {
    // Task 1: 1 of 4 above 0.5; task 2: 2 of 2 → (0.25 + 1) / 2.
    expect(performanceProfile([[0.1, 0.2, 0.3, 0.9], [0.6, 0.7]], [0, 0.5, 1])).toEqual([1, 0.625, 0]);
  });
});

describe('quantile', () => {
  it('interpolates linearly', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0], 0.25)).toBe(2.5);
  });
});

describe('paired sign-flip test', () => {
  it('is exact at small n: three small losses give p = 2/8, never significant', () => {
    expect(signFlipTest([-0.01, -0.02, -0.03])).toEqual({ n: 3, nonZero: 3, pValue: 0.25, exact: true });
    // Zeros carry no sign; five equal signs: 2 / 32.
    expect(signFlipTest([1, 1, 0, 1, 1, 1]).pValue).toBeCloseTo(2 / 32, 12);
    expect(signFlipTest([0, 0]).pValue).toBe(1);
  });

  it('matches brute-force enumeration, and McNemar on ±1 differences', () => {
    const d = [0.3, -0.1, 0.25, 0.4, -0.05, 0.2, 0.15];
    let hits = 0;
    for (let m = 0; m < 1 << d.length; m++) {
      const s = d.reduce((acc, x, i) => acc + ((m >> i) & 1 ? -x : x), 0);
      if (Math.abs(s) >= Math.abs(d.reduce((a, x) => a + x, 0)) - 1e-12) hits++;
    }
    expect(signFlipTest(d).pValue).toBeCloseTo(hits / 128, 12);
    // 7 pairs better only after, 1 only before: McNemar's exact p.
    const pm = [1, 1, 1, 1, 1, 1, 1, -1, 0, 0];
    expect(signFlipTest(pm).pValue).toBeCloseTo((2 * (1 + 8)) / 256, 12);
  });

  it('samples beyond 20 pairs, reproducibly, and agrees with the normal approximation', () => {
    const d = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (1 + (i % 5) / 10));
    const a = signFlipTest(d, { seed: 1 });
    expect(a.exact).toBe(false);
    expect(signFlipTest(d, { seed: 1 })).toEqual(a);
    const sum = d.reduce((s, x) => s + x, 0);
    const sd = Math.sqrt(d.reduce((s, x) => s + x * x, 0));
    const z = Math.abs(sum) / sd;
    const normalP = 2 * (1 - 0.5 * (1 + erf(z / Math.SQRT2)));
    expect(Math.abs(a.pValue - normalP)).toBeLessThan(0.02);
  });
});

describe('Holm correction and minimum pairs', () => {
  it('adjusts step-down, keeps order, skips NaN', () => {
    expect(holm([0.01, 0.04, 0.03, Number.NaN])).toEqual([0.03, 0.06, 0.06, Number.NaN]);
    expect(holm([0.2, 0.9])).toEqual([0.4, 0.9]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
  });
  it('needs 6 pairs at 0.05 and 8 at 0.01', () => {
    expect(minimumPairs(0.05)).toBe(6);
    expect(minimumPairs(0.01)).toBe(8);
    expect(2 / 2 ** (minimumPairs(0.05) - 1)).toBeGreaterThanOrEqual(0.05);
    expect(2 / 2 ** minimumPairs(0.05)).toBeLessThan(0.05);
  });
});

describe('normalised bootstrap with anchor uncertainty', () => {
  it('widens the interval as the anchors get less certain', () => {
    const returns = [[5, 5.5, 4.5, 5.2, 4.8]];
    const exact = normalizedBootstrap(returns, [{ random: { mean: 0, sd: 0, n: 20 }, oracle: { mean: 10, sd: 0, n: 20 } }], (x) => x.reduce((s, v) => s + v, 0) / x.length, { reps: 1000 });
    const loose = normalizedBootstrap(returns, [{ random: { mean: 0, sd: 4, n: 5 }, oracle: { mean: 10, sd: 4, n: 5 } }], (x) => x.reduce((s, v) => s + v, 0) / x.length, { reps: 1000 });
    expect(exact.point).toBeCloseTo(0.5, 12);
    expect(loose.point).toBeCloseTo(0.5, 12);
    expect(loose.hi - loose.lo).toBeGreaterThan(3 * (exact.hi - exact.lo));
  });
});

/** Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
