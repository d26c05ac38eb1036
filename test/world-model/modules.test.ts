import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { Memory } from '../../planners/world-model/model/Memory.ts';
import { Trainer } from '../../planners/world-model/training/Trainer.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { ACTION_DIM, OBS_DIM, randomBatch } from './fixtures.ts';

const cfg = resolveConfig({ ...defaultConfig('diffdrive'), model: { latent: 16, hidden: 32, critics: 2 } });

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('world-model modules', () => {
  it('every module maps batches to the documented shapes', () => {
    const m = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM });
    tf.tidy(() => {
      const obs = tf.ones([5, OBS_DIM]) as tf.Tensor2D;
      const a = tf.zeros([5, ACTION_DIM]) as tf.Tensor2D;
      const z = m.encode(obs);
      expect(z.shape).toEqual([5, 16]);
      expect(m.targetEncoder.encode(obs).shape).toEqual([5, 16]);
      expect(m.next(z, a).shape).toEqual([5, 16]);
      const pi = m.pi(z);
      expect(pi.shape).toEqual([5, ACTION_DIM]);
      expect(Math.max(...(pi.abs().dataSync() as Float32Array))).toBeLessThanOrEqual(1);
      expect(m.probe.position(z).shape).toEqual([5, 3]);
      const { goal, failureLogit } = m.cost.taskOutputs(z);
      expect(goal.shape).toEqual([5]);
      expect(Math.min(...goal.dataSync())).toBeGreaterThanOrEqual(0);
      expect(failureLogit.shape).toEqual([5]);
      expect(m.cost.rewardOf(z, a).shape).toEqual([5]);
      expect(m.cost.values(z).shape).toEqual([2, 5]);
      expect(m.cost.value(z, true).shape).toEqual([5]);
    });
    expect(m.parameterCount()).toBeGreaterThan(1000);
    m.dispose();
  });

  it('the target encoder starts equal to the online one and follows it by EMA', () => {
    const m = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM });
    const obs = tf.ones([1, OBS_DIM]) as tf.Tensor2D;
    const diff = () => tf.tidy(() => tf.abs(tf.sub(m.encode(obs), m.targetEncoder.encode(obs))).max().dataSync()[0]);
    expect(diff()).toBe(0);
    m.encoder.mlp.biases[1].assign(tf.add(m.encoder.mlp.biases[1], 0.5));
    const before = diff();
    m.updateTargets(0.5);
    expect(diff()).toBeLessThan(before);
    obs.dispose();
    m.dispose();
  });

  it('a few optimiser steps lower the loss on a fixed batch, without leaking tensors', () => {
    const m = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM });
    const trainer = new Trainer(m, { ...cfg.train, lr: 3e-3 }, cfg.plan.gamma);
    const batch = randomBatch(64, 3);
    const first = trainer.step(batch, true)!;
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 25; i++) trainer.step(batch);
    expect(tf.memory().numTensors).toBe(tensors);
    const last = trainer.step(batch, true)!;
    expect(last.total).toBeLessThan(first.total * 0.7);
    expect(last.jepa).toBeLessThan(first.jepa);
    expect(last.goal).toBeLessThan(first.goal);
    expect(Object.values(last).every(Number.isFinite)).toBe(true);
    trainer.dispose();
    m.dispose();
  });

  it('the probe loss adds the subject head\'s error and the motion term; rows without a subject weigh nothing', () => {
    const probeLoss = (subject: boolean, motionWeight: number, edit?: (b: ReturnType<typeof randomBatch>) => void) => {
      const c = resolveConfig({ ...cfg, model: { ...cfg.model, subject }, train: { ...cfg.train, motionWeight, lr: 0 } });
      const m = new WorldModel(c, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 3);
      const t = new Trainer(m, c.train, c.plan.gamma);
      const batch = randomBatch(32, 3);
      edit?.(batch);
      const probe = t.step(batch, true)!.probe;
      t.dispose();
      m.dispose();
      return probe;
    };
    const plain = probeLoss(false, 0);
    const withSubject = probeLoss(true, 0);
    expect(withSubject).toBeGreaterThan(plain);
    expect(probeLoss(true, 5)).toBeGreaterThan(withSubject);
    // No row recorded a subject: its targets, however wild, change nothing.
    const none = (b: ReturnType<typeof randomBatch>) => b.subjectWeight.fill(0);
    expect(probeLoss(true, 5, (b) => { none(b); b.subject.fill(1000); })).toBeCloseTo(probeLoss(true, 5, none), 5);
    expect(probeLoss(true, 0, none)).toBeCloseTo(plain, 5);
  });

  it('the same seed builds bit-identical weights; another seed does not', () => {
    const a = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 7);
    const b = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 7);
    const c = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 8);
    const w = (m: WorldModel) => Array.from(m.predictor.mlp.weights[1].dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('short-term memory', () => {
  it('scores predictions against the next latent and detects being stuck', () => {
    const mem = new Memory(6);
    const z = new Float32Array([1, 2, 3, 4]);
    mem.observe(z);
    mem.act([1, 1], new Float32Array([1, 2, 3, 5]));
    mem.observe(z);
    expect(mem.predictionError()).toBeCloseTo(0.5, 5);
    for (let i = 0; i < 5; i++) {
      mem.act([1, -1], null);
      mem.observe(z);
    }
    expect(mem.stuck()).toBe(true);
    mem.clear();
    expect(mem.length).toBe(0);
    expect(Number.isNaN(mem.predictionError())).toBe(true);
  });
});

describe('configurator', () => {
  it('applies wm-prefixed overrides, freezes the result and names bad values', () => {
    const c = resolveConfig(defaultConfig('arm'), { wmSamples: 64, wmHorizon: '5', samples: 9999 });
    expect(c.plan.samples).toBe(64);
    expect(c.plan.horizon).toBe(5);
    expect(Object.isFrozen(c.plan.cost)).toBe(true);
    expect(resolveConfig(defaultConfig('arm'), { wmCostValue: 0.5 }).plan.cost).toEqual({ goal: 1, reward: 0, failure: 5, value: 0.5, prior: 40, clearance: 0, margin: 0.35, route: 0, settle: 0, outside: 0, approach: 0 });
    expect(resolveConfig(defaultConfig('arm'), { wmCostPrior: '0' }).plan.cost.prior).toBe(0);
    expect(resolveConfig(defaultConfig('pusher'), { wmCostApproach: '3' }).plan.cost.approach).toBe(3);
    expect(defaultConfig('diffdrive').plan.cost.reward).toBe(5);
    expect(() => resolveConfig(defaultConfig('arm'), { wmCostGoal: 'x' })).toThrow(/--set wm-cost-goal must be a number/);
    // The route field's shape: absent by default (routeCost.ts's defaults), set by name.
    expect(resolveConfig(defaultConfig('diffdrive'), { wmCostRouteSlack: '0.1', wmCostRouteMargin: 30 }).plan.cost).toMatchObject({ routeSlack: 0.1, routeMargin: 30 });
    expect(() => resolveConfig(defaultConfig('diffdrive'), { wmCostRouteInflate: -0.1 })).toThrow(/--set wm-cost-route-inflate must be a non-negative number/);
    expect(() => resolveConfig(defaultConfig('arm'), { wmMaxStd: 'wide' })).toThrow(/--set wm-max-std must be a non-negative number/);
    expect(() => resolveConfig(defaultConfig('arm'), { wmElites: 500 })).toThrow(/elites \(500\) must not exceed samples/);
    expect(() => resolveConfig(defaultConfig('arm'), { wmIterations: 1.5 })).toThrow(/"iterations" must be an integer >= 1/);
  });
});
