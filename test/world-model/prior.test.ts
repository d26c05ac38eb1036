/**
 * The behaviour prior in the planning cost (`wm-cost-prior`): it is zero on the actor's own
 * imagined sequence, grows as a sequence leaves it, and a strong prior makes the search return
 * the actor's plan, while a zero prior leaves the learned cost alone.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { actorProposals, sequenceCosts } from '../../planners/world-model/planning/Imagination.ts';
import { Mppi } from '../../planners/world-model/planning/Mppi.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { Rng } from '../../sim/rng.ts';
import { ACTION_DIM, OBS_DIM } from './fixtures.ts';

const pusher = defaultConfig('pusher');
const cfg = resolveConfig({ ...pusher, model: { ...pusher.model, objects: 0 } });
const model = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 11);
const z0 = tf.tidy(() => model.encode(tf.tensor2d([0.5, -0.2, 1, 1, 1.4, 1], [1, OBS_DIM])));
afterAll(() => {
  z0.dispose();
  model.dispose();
});

const H = 6;
const priorOnly = { ...cfg.plan, horizon: H, gamma: 1, cost: { goal: 0, reward: 0, failure: 0, value: 0, prior: 1 } };

describe('behaviour prior', () => {
  it('costs nothing on the actor\'s own sequence and grows with the distance from it', () => {
    const actor = actorProposals(model, z0, 1, H, Rng.fromKey('prior-a'));
    const away = actor.map((a, i) => Math.max(-1, Math.min(1, a + (i % 2 === 0 ? 0.3 : -0.3))));
    const farther = actor.map((a, i) => Math.max(-1, Math.min(1, a + (i % 2 === 0 ? 0.8 : -0.8))));
    const seqs = new Float32Array(3 * H * ACTION_DIM);
    seqs.set(actor, 0);
    seqs.set(away, H * ACTION_DIM);
    seqs.set(farther, 2 * H * ACTION_DIM);
    const [own, near, far] = sequenceCosts(model, z0, seqs, 3, priorOnly);
    expect(own).toBeCloseTo(0, 5);
    expect(near).toBeGreaterThan(0.01);
    expect(far).toBeGreaterThan(near);
  });

  it('a strong prior makes MPPI return the actor\'s plan; none leaves the learned cost in charge', async () => {
    const plan = { ...cfg.plan, horizon: H, samples: 64, elites: 8, iterations: 2, actorSamples: 0 };
    const actor = actorProposals(model, z0, 1, H, Rng.fromKey('prior-b'));
    const run = async (prior: number) => {
      const p = { ...plan, cost: { ...plan.cost, prior } };
      const r = await new Mppi(p, ACTION_DIM).plan(Rng.fromKey('prior-search'), (s, n) => sequenceCosts(model, z0, s, n, p), undefined, 0.5, actor);
      return Math.hypot(r.bestAction[0] - actor[0], r.bestAction[1] - actor[1]);
    };
    const strong = await run(1000);
    const none = await run(0);
    expect(strong).toBeLessThan(0.15);
    expect(none).toBeGreaterThan(strong);
  });
});
