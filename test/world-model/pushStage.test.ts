/**
 * The configurator's staging subgoal for push tasks (`wm-stage`), the push-line cost
 * (`wm-cost-line`) and the offset-free correction of the imagination (`wm-bias`): the geometry
 * on its own, the costs against their formulas on a small model, and the shipped pusher in a real
 * Rapier world, which stages behind the crate, then pushes it towards the goal.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { decodePaths, sequenceCosts } from '../../planners/world-model/planning/Imagination.ts';
import { nextPhase, pushDirection, pushFrame, STAGING_GAP, StagingFieldCache } from '../../planners/world-model/planning/pushStage.ts';
import { RouteField } from '../../planners/world-model/planning/routeCost.ts';
import { Memory } from '../../planners/world-model/model/Memory.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { loadCheckpoint } from '../../planners/world-model/io/Checkpoint.ts';
import { observationLayout } from '../../planners/world-model/io/observationLayout.ts';
import { plannerForModel, SHIPPED_CHECKPOINTS } from '../../planners/world-model/WorldModelPlanner.ts';
import { taskSpec } from '../../planners/Planner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { SceneObject } from '../../sim/types.ts';
import { ACTION_DIM, OBS_DIM } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const box = (id: string, kind: SceneObject['kind'], x: number, y: number, sx: number, sy: number, yaw = 0): SceneObject => ({ id, kind, shape: 'box', size: [sx, sy, 0.4], x, y, z: 0.2, yaw, vx: 0, vy: 0 });

describe('push direction and phases', () => {
  it('points straight at a goal in the open, and round the end of a wall in the way', () => {
    const crate = box('crate', 'movable', -2, 0, 0.4, 0.4);
    const open = new RouteField([10, 10], [2, 0], [], 0.25);
    const [ux, uy] = pushDirection(crate, [2, 0], open);
    expect(ux).toBeCloseTo(1, 6);
    expect(uy).toBeCloseTo(0, 6);
    // A wall from y = -1 to 3 at x = 0: the crate goes round its lower end, down and to the right.
    const walled = new RouteField([10, 10], [2, 0], [box('w', 'wall', 0, 1, 0.2, 4)], 0.4);
    const [wx, wy] = pushDirection(crate, [2, 0], walled);
    expect(wx).toBeGreaterThan(0);
    expect(wy).toBeLessThan(-0.3);
  });

  it('keeps its side of a wall when both ends are about as good (the turn costs)', () => {
    // A wall symmetric about y = 0; from y = -0.05 both ends read the same on the 0.1 m grid.
    const walled = new RouteField([10, 10], [2, 0], [box('w', 'wall', 0, 0, 0.2, 3)], 0.4);
    const crate = box('crate', 'movable', -2, -0.05, 0.4, 0.4);
    const fresh = pushDirection(crate, [2, 0], walled);
    expect(fresh[1]).toBeGreaterThan(0);
    // Having pushed towards the lower end, it stays there.
    const kept = pushDirection(crate, [2, 0], walled, [0.8, -0.6]);
    expect(kept[1]).toBeLessThan(0);
    // Well below the middle the lower end wins, whatever came before.
    expect(pushDirection({ ...crate, y: -0.3 }, [2, 0], walled, [0.8, 0.6])[1]).toBeLessThan(0);
  });

  it('stages behind the crate on the far side from its route, enters push there, and leaves when off the line', () => {
    const crate = box('crate', 'movable', 0, 0, 0.4, 0.4);
    const r = 0.2;
    const away = pushFrame([1, 1], crate, [1, 0], r);
    expect(away.staging[0]).toBeCloseTo(-(0.2 + r + STAGING_GAP), 6);
    expect(away.staging[1]).toBeCloseTo(0, 6);
    expect(nextPhase('stage', away, [1, 1], r)).toBe('stage');
    const at = [away.staging[0] + 0.05, 0.02];
    const behind = pushFrame(at, crate, [1, 0], r);
    expect(behind.back).toBeGreaterThan(0.4);
    expect(nextPhase('stage', behind, at, r)).toBe('push');
    // Pushing, a little off the line: it stays (hysteresis); far off it or in front: back to staging.
    const slightly = [-0.45, 0.12];
    expect(nextPhase('push', pushFrame(slightly, crate, [1, 0], r), slightly, r)).toBe('push');
    expect(nextPhase('stage', pushFrame(slightly, crate, [1, 0], r), slightly, r)).toBe('stage');
    const off = [-0.45, 0.3];
    expect(nextPhase('push', pushFrame(off, crate, [1, 0], r), off, r)).toBe('stage');
    const front = [0.5, 0];
    expect(nextPhase('push', pushFrame(front, crate, [1, 0], r), front, r)).toBe('stage');
  });

  it('routes to the staging point round the crate, not through it', () => {
    const crate = box('crate', 'movable', 0, 0, 0.4, 0.4);
    const staging: [number, number] = [-0.55, 0];
    const cache = new StagingFieldCache();
    const field = cache.get([10, 10], staging, [crate], 'crate', { inflate: 0.55, marginCost: 100, slack: 0.3 });
    // From in front of the crate the way round is longer than the straight line through it.
    expect(field.distance(0.6, 0, 0)).toBeGreaterThan(1.15 * 1.2);
    expect(field.distance(-0.55, 0.5, 0)).toBeCloseTo(0.5, 0);
    // The same crate and point: the same field.
    expect(cache.get([10, 10], staging, [crate], 'crate', { inflate: 0.55, marginCost: 100, slack: 0.3 })).toBe(field);
  });
});

describe('offset-free correction', () => {
  it('averages the decoded one-step motion less the observed one at the given rate', () => {
    const mem = new Memory();
    expect(mem.motionBias([0, 0, 0], undefined, 0.5).robot).toEqual([0, 0, 0]);
    // Decoded 0.1 m along x; the robot did not move: bias 0.5 × 0.1.
    mem.expectMotion([1, 2, 0], [0.1, 0, 0], [3, 0, 0], [0, 0.2, 0]);
    const first = mem.motionBias([1, 2, 0], [3, 0.1, 0], 0.5);
    expect(first.robot[0]).toBeCloseTo(0.05, 9);
    expect(first.subject[1]).toBeCloseTo(0.05, 9);
    // Decoded 0.1 m, moved 0.1 m: no new error, the average decays.
    mem.expectMotion([1, 2, 0], [0.1, 0, 0]);
    expect(mem.motionBias([1.1, 2, 0], undefined, 0.5).robot[0]).toBeCloseTo(0.025, 9);
    // Without a new expectation nothing is folded in.
    expect(mem.motionBias([5, 5, 0], undefined, 0.5).robot[0]).toBeCloseTo(0.025, 9);
    mem.clear();
    expect(mem.motionBias([0, 0, 0], undefined, 0.5).robot).toEqual([0, 0, 0]);
  });
});

describe('push-line cost and the corrected imagination, against their formulas', () => {
  const pusher = defaultConfig('pusher');
  const cfg = resolveConfig({ ...pusher, model: { ...pusher.model, objects: 0, subject: false } });
  const model = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 5);
  const z0 = tf.tidy(() => model.encode(tf.tensor2d([0.3, 0.1, 1, 1, 1.2, 1], [1, OBS_DIM])));
  afterAll(() => {
    z0.dispose();
    model.dispose();
  });
  const H = 4;
  const none = { goal: 0, reward: 0, failure: 0, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 0, settle: 0, outside: 0, approach: 0 };
  const seqs = new Float32Array(2 * H * ACTION_DIM).map((_, i) => (i < H * ACTION_DIM ? 0.7 : -0.4));
  const anchor = [0.5, -0.5, 0];
  const dt = 0.1;

  it('line: weight·γᵗ·(sideways distance of the imagined robot from the line)', () => {
    const plan = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { ...none, goal: 1, line: 4 } };
    const line = { x: 0, y: 0, ux: 0.6, uy: 0.8 };
    const without = sequenceCosts(model, z0, seqs, 2, plan, { anchor, obstacles: [], dt });
    const withLine = sequenceCosts(model, z0, seqs, 2, plan, { anchor, obstacles: [], dt, line });
    const paths = decodePaths(model, z0, seqs, 2, H, [0, 0], anchor);
    for (let i = 0; i < 2; i++) {
      let expected = 0;
      for (let t = 1; t <= H; t++) expected += 4 * 0.9 ** (t - 1) * Math.abs(-paths[i][t][0] * line.uy + paths[i][t][1] * line.ux);
      expect(withLine[i] - without[i]).toBeCloseTo(expected, 1);
    }
  });

  it('bias: the route cost reads each imagined position less (t + 1) × the bias', () => {
    const plan = { ...cfg.plan, horizon: H, gamma: 0.9, cost: { ...none, route: 2 } };
    const goal = [3, 1];
    const route = { distance: (x: number, y: number) => Math.hypot(x - goal[0], y - goal[1]) };
    const bias = { robot: [0.05, -0.02, 0], subject: [0, 0, 0] };
    const plain = sequenceCosts(model, z0, seqs, 2, plan, { anchor, obstacles: [], dt, route });
    const corrected = sequenceCosts(model, z0, seqs, 2, plan, { anchor, obstacles: [], dt, route, bias });
    const paths = decodePaths(model, z0, seqs, 2, H, [0, 0], anchor);
    for (let i = 0; i < 2; i++) {
      let raw = 0;
      let fixed = 0;
      for (let t = 1; t <= H; t++) {
        const [x, y] = paths[i][t];
        raw += 2 * 0.9 ** (t - 1) * route.distance(x, y);
        fixed += 2 * 0.9 ** (t - 1) * route.distance(x - t * bias.robot[0], y - t * bias.robot[1]);
      }
      expect(plain[i]).toBeCloseTo(raw, 1);
      expect(corrected[i]).toBeCloseTo(fixed, 1);
    }
    expect(corrected[0]).not.toBeCloseTo(plain[0], 3);
  });
});

describe('the shipped pusher on push-box (real Rapier)', () => {
  it('stages behind the crate first, then pushes it nearer the goal', async () => {
    const scenario = loadScenario('push-box');
    const env = await createEnv(scenario);
    const { model, meta } = loadCheckpoint(join(SHIPPED_CHECKPOINTS, 'pusher'), { robot: 'pusher', actionDim: env.actionSpace.dim, obsLayout: observationLayout('pusher') });
    const planner = plannerForModel(model, meta);
    try {
      let { obs } = env.reset({ seed: 500 });
      await planner.reset(taskSpec(scenario, env.actionSpace), 500);
      const crateAt = () => obs.objects.find((o) => o.id === 'crate')!;
      const goal = obs.goal.position;
      const start = Math.hypot(crateAt().x - goal[0], crateAt().y - goal[1]);
      const phases: string[] = [];
      let first: { staging: number[]; direction: number[] } | null = null;
      const intents: string[] = [];
      for (let i = 0; i < 90; i++) {
        const { action, info } = await planner.act(obs);
        intents.push(String(info.intent));
        const sub = (info.worldModel as { subgoal?: { phase: string; staging: number[]; direction: number[] } }).subgoal;
        expect(sub).toBeDefined();
        first ??= sub!;
        phases.push(sub!.phase);
        obs = env.step(action).obs;
      }
      // The staging point lies behind the crate, on the side away from the goal.
      const c0 = { x: first!.staging[0] + first!.direction[0] * 0.55, y: first!.staging[1] + first!.direction[1] * 0.55 };
      expect(Math.hypot(first!.staging[0] - goal[0], first!.staging[1] - goal[1])).toBeGreaterThan(Math.hypot(c0.x - goal[0], c0.y - goal[1]));
      expect(phases[0]).toBe('stage');
      expect(phases).toContain('push');
      const end = Math.hypot(crateAt().x - goal[0], crateAt().y - goal[1]);
      expect(end).toBeLessThan(start - 0.5);
      // The viewer's sentence says so while staging; the episode counts the staging decisions.
      expect(intents[0]).toMatch(/^First gets behind crate, on the side away from its route to the goal: heading for \(-?\d+\.\d, -?\d+\.\d\)/);
      expect(intents[phases.lastIndexOf('push')]).not.toMatch(/gets behind/);
      expect(planner.episodeStats!().wmStagingDecisions).toBe(phases.filter((p) => p === 'stage').length);
    } finally {
      await planner.dispose();
      model.dispose();
      env.dispose();
    }
  }, 180_000);
});
