/**
 * Model-predictive path integral control (MPPI) over action sequences, TD-MPC2 style:
 *
 *   μ ← warm start (previous plan shifted by one step), σ ← maxStd
 *   repeat `iterations` times:
 *     sample N−P sequences a ~ clip(μ + σ·ε), add the P actor proposals
 *     cost of every sequence (the world model's imagined rollout, or any evaluator)
 *     take the K cheapest (elites); weight them by exp(−(c − c_min) / (T · spread))
 *     μ, σ ← weighted mean and standard deviation of the elites, σ clamped to [minStd, maxStd]
 *   act with μ[0]
 *
 * It knows nothing about networks: `evaluate` maps a batch of sequences to costs, so the same
 * code is tested against analytic costs and runs the latent world model in production.
 * Noise comes from a seeded `Rng`, one `Float32Array` per iteration, one read-back of costs.
 */
import type { Rng } from '../../../sim/rng.ts';

export interface MppiSettings {
  /** Planning horizon in control steps. */
  horizon: number;
  /** Sampled action sequences per iteration (including actor proposals). */
  samples: number;
  /** Of which proposed by the actor (policy prior) rolled out through the predictor. */
  actorSamples: number;
  /** Lowest-cost sequences used to refit the sampling distribution. */
  elites: number;
  iterations: number;
  /** Softness of the elite weighting, relative to the elites' cost spread. */
  temperature: number;
  minStd: number;
  maxStd: number;
}

/** Costs of `n` sequences laid out [n][horizon][actionDim] in `actions`. */
export type SequenceEvaluator = (actions: Float32Array, n: number) => Float32Array | Promise<Float32Array>;

export interface MppiResult {
  /** First action of the refined mean, in [-1, 1]. */
  action: number[];
  /** First action of the cheapest sequence of the last iteration. Averaging diverse elites can
   * cancel their first actions (wheels commanded to ~0 while every elite moves); the best one cannot. */
  bestAction: number[];
  /** The refined mean sequence [horizon][actionDim]. */
  mean: Float32Array;
  /** Last iteration's sequences and their costs. */
  sequences: Float32Array;
  costs: Float32Array;
  /** Indices (into the last iteration) of the elites, cheapest first. */
  elites: number[];
  /** Elites' cost-weighted mean of the last iteration. */
  expectedCost: number;
}

export class Mppi {
  private mean: Float32Array;

  constructor(
    readonly settings: Readonly<MppiSettings>,
    readonly actionDim: number,
  ) {
    this.mean = new Float32Array(settings.horizon * actionDim);
  }

  /** Forgets the warm start (new episode). */
  reset(): void {
    this.mean.fill(0);
  }

  /**
   * One decision. `proposals` are extra sequences (e.g. from the actor), laid out like samples;
   * `stdScale` scales the initial search width (the planner widens it when the robot is stuck);
   * `prior`, one sequence, replaces the warm start as the initial mean.
   */
  async plan(rng: Rng, evaluate: SequenceEvaluator, proposals?: Float32Array, stdScale = 1, prior?: Float32Array): Promise<MppiResult> {
    const { horizon: H, samples: N, iterations, minStd, maxStd, temperature } = this.settings;
    const A = this.actionDim;
    const L = H * A;
    const P = proposals ? Math.min(proposals.length / L, N) : 0;
    const K = Math.min(this.settings.elites, N);
    const mean = this.mean;
    // With a prior (the actor's sequence), the search centres on it and the warm start
    // (previous plan, shifted) stays in the population as one sample.
    const warm = prior ? mean.slice() : null;
    if (prior) mean.set(prior.subarray(0, L));
    const std = new Float32Array(L).fill(Math.min(maxStd * stdScale, 1));
    const seqs = new Float32Array(N * L);
    let costs = new Float32Array(N);
    let eliteIdx: number[] = [];
    let expectedCost = 0;

    for (let it = 0; it < iterations; it++) {
      // Sample actions: the mean itself, then Gaussian perturbations, then the proposals.
      seqs.set(mean, 0);
      const first = warm && it === 0 && N - P > 1 ? 2 : 1;
      if (first === 2) seqs.set(warm!, L);
      for (let n = first; n < N - P; n++) {
        const row = n * L;
        for (let j = 0; j < L; j++) seqs[row + j] = clip(mean[j] + std[j] * rng.normal());
      }
      if (P > 0) seqs.set(proposals!.subarray(0, P * L), (N - P) * L);

      costs = Float32Array.from(await evaluate(seqs, N));

      // Compute elites.
      eliteIdx = argsortAscending(costs, K);
      const cMin = costs[eliteIdx[0]];
      const spread = Math.max(costs[eliteIdx[K - 1]] - cMin, 1e-6);
      const w = eliteIdx.map((i) => Math.exp(-(costs[i] - cMin) / (temperature * spread)));
      const wSum = w.reduce((a, b) => a + b, 0);
      expectedCost = eliteIdx.reduce((s, i, k) => s + w[k] * costs[i], 0) / wSum;

      // Update parameters.
      for (let j = 0; j < L; j++) {
        let m = 0;
        for (let k = 0; k < K; k++) m += w[k] * seqs[eliteIdx[k] * L + j];
        m /= wSum;
        let v = 0;
        for (let k = 0; k < K; k++) v += w[k] * (seqs[eliteIdx[k] * L + j] - m) ** 2;
        mean[j] = m;
        std[j] = Math.min(Math.max(Math.sqrt(v / wSum), minStd), maxStd);
      }
    }

    const result: MppiResult = {
      action: Array.from(mean.subarray(0, A), clip),
      bestAction: Array.from(seqs.subarray(eliteIdx[0] * L, eliteIdx[0] * L + A)),
      mean: mean.slice(),
      sequences: seqs,
      costs,
      elites: eliteIdx,
      expectedCost,
    };
    // Warm start: the next decision begins from this plan, one step later.
    this.mean.copyWithin(0, A);
    this.mean.fill(0, L - A);
    return result;
  }
}

function clip(x: number): number {
  return x < -1 ? -1 : x > 1 ? 1 : x;
}

/** Indices of the k smallest values, smallest first; ties broken by index (deterministic). */
export function argsortAscending(values: Float32Array, k: number): number[] {
  const idx = Array.from(values.keys());
  idx.sort((a, b) => values[a] - values[b] || a - b);
  return idx.slice(0, k);
}
