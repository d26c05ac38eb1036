/**
 * The behaviour prior in the planning cost (`wm-cost-prior`): it is zero on the actor's own
 * imagined sequence, grows as a sequence leaves it, and a strong prior makes the search return
 * the actor's plan, while a zero prior leaves the learned cost alone.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { decodePaths, obstaclesOf, sequenceCosts, actorProposals } from '../../planners/world-model/planning/Imagination.ts';
import { clearance } from '../../planners/world-model/io/sceneFeatures.ts';
import type { SceneObject } from '../../sim/types.ts';
import { Mppi } from '../../planners/world-model/planning/Mppi.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { Rng } from '../../sim/rng.ts';
import { RouteField } from '../../planners/world-model/planning/routeCost.ts';
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
const priorOnly = { ...cfg.plan, horizon: H, gamma: 1, cost: { goal: 0, reward: 0, failure: 0, value: 0, prior: 1, clearance: 0, margin: 0.35, route: 0, settle: 0, outside: 0, approach: 0 } };

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

describe('hard-wired clearance cost', () => {
  it('adds weight·γᵗ·(margin − clearance)/margin for every imagined position near an obstacle, and nothing far from all', () => {
    const H = 3;
    const base = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { goal: 1, reward: 0, failure: 0, value: 0, prior: 0, clearance: 2, margin: 0.5, route: 0, settle: 0, outside: 0, approach: 0 } };
    const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.5 : -0.5));
    const goal = [1, -1];
    const anchor = [0.3, 0.2, 0];
    const paths = decodePaths(model, z0, seqs, 2, H, goal, anchor);
    expect(paths[0][0]).toEqual(anchor); // anchored: the path starts at the observed robot point
    // A box of 0.2 m centred 0.1 m from sequence 0's first imagined point.
    const [px, py] = paths[0][1];
    const box: SceneObject = { id: 'b', kind: 'obstacle', shape: 'box', size: [0.2, 0.2, 0.2], x: px + 0.2, y: py, z: 0.1, yaw: 0, vx: 0, vy: 0 };
    const without = sequenceCosts(model, z0, seqs, 2, base);
    const withScene = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [box], dt: 0.1 });
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) {
        const c = clearance(box, paths[i][t][0], paths[i][t][1]);
        if (c < 0.5) expected += (2 * 0.9 ** (t - 1) * (0.5 - c)) / 0.5;
      }
      // Decoded paths are rounded to millimetres.
      expect(withScene[i] - without[i]).toBeCloseTo(expected, 2);
    }
    expect(withScene[0] - without[0]).toBeGreaterThan(1.5); // 0.1 m clearance at step 1 alone costs 1.6
    // Far from every obstacle: no change.
    const far = { ...box, x: px + 100 };
    const farCosts = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [far], dt: 0.1 });
    expect(Array.from(farCosts)).toEqual(Array.from(without));
    // Slopes and steps are driven over; the push target is not an obstacle.
    expect(obstaclesOf([box, { ...box, id: 's', kind: 'slope' }, { ...box, id: 'p', kind: 'movable' }], 'p').map((o) => o.id)).toEqual(['b']);
  });
});

describe('hard-wired settle cost', () => {
  it('adds weight·γᵗ·(imagined speed) for every imagined step that ends inside the goal tolerance, and nothing outside it', () => {
    const H = 4;
    const dt = 0.1;
    const base = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { goal: 1, reward: 0, failure: 0, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 0, settle: 3, outside: 0, approach: 0 } };
    const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.8 : -0.8));
    const anchor = [0.3, 0.2, 0];
    const paths = decodePaths(model, z0, seqs, 2, H, [0, 0], anchor);
    // The goal sits on sequence 0's second imagined point, with a tolerance that takes in part of the paths.
    const goal = { position: [paths[0][2][0], paths[0][2][1]], tolerance: 0.05 };
    const without = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [], dt });
    const withGoal = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [], dt, goal });
    let inside = 0;
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) {
        const [x, y] = paths[i][t];
        if (Math.hypot(x - goal.position[0], y - goal.position[1]) > goal.tolerance) continue;
        inside++;
        expected += (3 * 0.9 ** (t - 1) * Math.hypot(x - paths[i][t - 1][0], y - paths[i][t - 1][1])) / dt;
      }
      expect(withGoal[i] - without[i]).toBeCloseTo(expected, 1);
    }
    expect(inside).toBeGreaterThan(0);
    expect(withGoal[0]).toBeGreaterThan(without[0]);
    // A goal far from every imagined position costs nothing.
    const far = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [], dt, goal: { position: [50, 50], tolerance: 0.3 } });
    expect(Array.from(far)).toEqual(Array.from(without));
  });
});

describe('hard-wired arrival cost', () => {
  it('adds weight·γᵗ for every imagined step that ends outside 0.8 × the goal tolerance, and nothing inside it', () => {
    const H = 4;
    const base = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { goal: 1, reward: 0, failure: 0, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 0, settle: 0, outside: 7, approach: 0 } };
    const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.8 : -0.8));
    const anchor = [0.3, 0.2, 0];
    const paths = decodePaths(model, z0, seqs, 2, H, [0, 0], anchor);
    // The goal on sequence 0's last imagined point: its tolerance takes in that point and not every other.
    const tolerance = 0.06;
    const goal = { position: [paths[0][H][0], paths[0][H][1]], tolerance };
    const scene = { anchor, obstacles: [], dt: 0.1 };
    const without = sequenceCosts(model, z0, seqs, 2, base, scene);
    const withGoal = sequenceCosts(model, z0, seqs, 2, base, { ...scene, goal });
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) {
        const [x, y] = paths[i][t];
        if (Math.hypot(x - goal.position[0], y - goal.position[1]) <= 0.8 * tolerance) inside++;
        else {
          outside++;
          expected += 7 * 0.9 ** (t - 1);
        }
      }
      expect(withGoal[i] - without[i]).toBeCloseTo(expected, 3);
    }
    expect(inside).toBeGreaterThan(0);
    expect(outside).toBeGreaterThan(0);
    // The sequence that arrives costs less than the one driving away.
    expect(withGoal[0] - without[0]).toBeLessThan(withGoal[1] - without[1]);
    // Off (weight 0), the goal changes nothing.
    const off = sequenceCosts(model, z0, seqs, 2, { ...base, cost: { ...base.cost, outside: 0 } }, { ...scene, goal });
    expect(Array.from(off)).toEqual(Array.from(without));
  });
});

describe('hard-wired push costs (a probe that decodes the pushed object)', () => {
  it('measures the route on the imagined object and adds approach·γᵗ·|robot − object|; without a subject head the route stays on the robot', () => {
    const H = 4;
    const base = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { goal: 1, reward: 0, failure: 0, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 2, settle: 0, outside: 0, approach: 0.5 } };
    expect(model.probe.decodesSubject).toBe(true); // the pusher's default model decodes the subject
    const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.7 : -0.7));
    const goalPoint = [1.5, -0.5];
    const anchor = [0.3, 0.2, 0];
    const crate = [0.8, 0.1, 0.15];
    const route = new RouteField([8, 6], goalPoint, [], 0.25);
    const robotPaths = decodePaths(model, z0, seqs, 2, H, goalPoint, anchor);
    const cratePaths = decodePaths(model, z0, seqs, 2, H, goalPoint, crate, 'subject');
    expect(cratePaths[0][0]).toEqual(crate);
    const noRoute = { ...base, cost: { ...base.cost, route: 0, approach: 0 } };
    const plain = sequenceCosts(model, z0, seqs, 2, noRoute, { anchor, obstacles: [], dt: 0.1 });
    const pushed = sequenceCosts(model, z0, seqs, 2, base, { anchor, obstacles: [], dt: 0.1, route, subject: crate });
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) {
        const [cx, cy, cz] = cratePaths[i][t];
        const [rx, ry, rz] = robotPaths[i][t];
        expected += 0.9 ** (t - 1) * (2 * route.distance(cx, cy) + 0.5 * Math.hypot(rx - cx, ry - cy, rz - cz));
      }
      expect(pushed[i] - plain[i]).toBeCloseTo(expected, 1);
    }
    // A model without the subject head: the route is measured on the robot, no approach term.
    const old = new WorldModel(resolveConfig({ ...cfg, model: { ...cfg.model, subject: false } }), { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 11);
    try {
      expect(old.probe.decodesSubject).toBe(false);
      const oz = tf.tidy(() => old.encode(tf.tensor2d([0.5, -0.2, 1, 1, 1.4, 1], [1, OBS_DIM])));
      const oldPaths = decodePaths(old, oz, seqs, 2, H, goalPoint, anchor);
      const oldPlain = sequenceCosts(old, oz, seqs, 2, noRoute, { anchor, obstacles: [], dt: 0.1 });
      const oldPushed = sequenceCosts(old, oz, seqs, 2, base, { anchor, obstacles: [], dt: 0.1, route, subject: crate });
      let expected = 0;
      for (let t = 1; t <= H; t++) expected += 0.9 ** (t - 1) * 2 * route.distance(oldPaths[0][t][0], oldPaths[0][t][1]);
      expect(oldPushed[0] - oldPlain[0]).toBeCloseTo(expected, 1);
      oz.dispose();
    } finally {
      old.dispose();
    }
  });
});

describe('hard-wired route cost with a reading slack', () => {
  it('reads the field at each imagined step with the slack grown to (t + 1)/H of it, and the slack only ever lowers the cost', () => {
    const H = 5;
    const wall: SceneObject = { id: 'w', kind: 'wall', shape: 'box', size: [0.2, 4, 0.5], x: 0.9, y: 0.2, z: 0.25, yaw: 0, vx: 0, vy: 0 };
    const plan = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { goal: 0, reward: 0, failure: 0, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 3, settle: 0, outside: 0, approach: 0 } };
    const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.8 : -0.5));
    const goalPoint = [2, 0.2];
    const anchor = [0.3, 0.2, 0];
    const tight = new RouteField([8, 6], goalPoint, [wall], { inflate: 0.25, marginCost: 100, slack: 0 });
    const loose = new RouteField([8, 6], goalPoint, [wall], { inflate: 0.25, marginCost: 100, slack: 0.4 });
    const scene = (route: RouteField) => ({ anchor, obstacles: [], dt: 0.1, route });
    const paths = decodePaths(model, z0, seqs, 2, H, goalPoint, anchor);
    const withTight = sequenceCosts(model, z0, seqs, 2, plan, scene(tight));
    const withLoose = sequenceCosts(model, z0, seqs, 2, plan, scene(loose));
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) expected += 0.9 ** (t - 1) * 3 * tight.distance(paths[i][t][0], paths[i][t][1], (0.4 * t) / H);
      expect(withLoose[i]).toBeCloseTo(expected, 1);
      expect(withLoose[i]).toBeLessThanOrEqual(withTight[i] + 1e-3);
    }
  });
});
