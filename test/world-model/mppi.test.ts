import { describe, expect, it } from 'vitest';
import { Mppi, argsortAscending } from '../../planners/world-model/planning/Mppi.ts';
import { Rng } from '../../sim/rng.ts';

const settings = { horizon: 4, samples: 256, actorSamples: 0, elites: 32, iterations: 6, temperature: 0.5, minStd: 0.02, maxStd: 1 };

/** Quadratic bowl with its minimum at a known sequence inside [-1, 1]. */
const target = Float32Array.from({ length: 8 }, (_, j) => 0.8 * Math.sin(j + 1));
const bowl = (seqs: Float32Array, n: number) => {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) out[i] += (seqs[i * 8 + j] - target[j]) ** 2;
  return out;
};

describe('MPPI', () => {
  it('finds the optimum of a known analytic cost', async () => {
    const mppi = new Mppi(settings, 2);
    const r = await mppi.plan(Rng.fromKey('mppi-bowl'), bowl);
    for (let j = 0; j < 8; j++) expect(Math.abs(r.mean[j] - target[j])).toBeLessThan(0.08);
    expect(r.action).toEqual(Array.from(r.mean.subarray(0, 2)));
    expect(r.elites).toHaveLength(32);
    expect(r.costs[r.elites[0]]).toBeLessThanOrEqual(r.costs[r.elites[31]]);
  });

  it('respects action bounds when the optimum lies outside them', async () => {
    const mppi = new Mppi(settings, 2);
    const r = await mppi.plan(Rng.fromKey('mppi-bound'), (s, n) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) out[i] += (s[i * 8 + j] - 3) ** 2;
      return out;
    });
    expect(Math.max(...r.sequences)).toBeLessThanOrEqual(1);
    expect(r.action[0]).toBeGreaterThan(0.9);
  });

  it('uses proposals: a perfect proposal wins at once', async () => {
    const mppi = new Mppi({ ...settings, iterations: 1, actorSamples: 1 }, 2);
    const r = await mppi.plan(Rng.fromKey('mppi-prop'), bowl, target);
    expect(r.costs[r.elites[0]]).toBe(0);
    expect(r.elites[0]).toBe(255);
  });

  it('is deterministic under a seed and warm-starts from the shifted plan', async () => {
    const a = new Mppi(settings, 2);
    const b = new Mppi(settings, 2);
    const ra = await a.plan(Rng.fromKey('s'), bowl);
    const rb = await b.plan(Rng.fromKey('s'), bowl);
    expect(Array.from(ra.sequences)).toEqual(Array.from(rb.sequences));
    // The second decision starts from the first's mean shifted by one step: its first sample is that mean.
    let firstSample: Float32Array | null = null;
    await a.plan(Rng.fromKey('t'), (s, n) => {
      firstSample ??= s.slice(0, 8);
      return bowl(s, n);
    });
    expect(Array.from(firstSample!.subarray(0, 6))).toEqual(Array.from(ra.mean.subarray(2, 8)));
    expect(Array.from(firstSample!.subarray(6, 8))).toEqual([0, 0]);
  });

  it('centres the search on a prior and keeps the warm start as one sample', async () => {
    const mppi = new Mppi({ ...settings, iterations: 1 }, 2);
    await mppi.plan(Rng.fromKey('w'), bowl);
    const prior = new Float32Array(8).fill(0.25);
    let population: Float32Array | null = null;
    const r = await mppi.plan(Rng.fromKey('p'), (s, n) => {
      population ??= s.slice();
      return bowl(s, n);
    }, undefined, 0.5, prior);
    expect(Array.from(population!.subarray(0, 8))).toEqual(Array.from(prior));
    expect(Array.from(population!.subarray(8, 16)).some((v, j) => v !== prior[j])).toBe(true);
    // Sampled around the prior with half the width: every sample stays near it.
    let maxDev = 0;
    for (let i = 2; i < 256; i++) for (let j = 0; j < 8; j++) maxDev = Math.max(maxDev, Math.abs(population![i * 8 + j] - 0.25));
    expect(maxDev).toBeLessThan(0.5 * 6);
    expect(r.costs).toHaveLength(256);
  });

  it('sorts elites stably', () => {
    expect(argsortAscending(new Float32Array([3, 1, 2, 1]), 3)).toEqual([1, 3, 2]);
  });
});
