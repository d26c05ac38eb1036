import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { inputLayout, MAX_OBJECTS, modelInput, OBJECT_FEATURES, SET_LENGTH, clearance } from '../../planners/world-model/io/sceneFeatures.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Observation } from '../../sim/types.ts';

let obs: Observation;
let model: WorldModel;

beforeAll(async () => {
  await selectBackend('wasm');
  const env = await createEnv(loadScenario('cluttered-field'));
  obs = env.reset({ seed: 4 }).obs;
  env.dispose();
  const base = defaultConfig('diffdrive');
  model = new WorldModel(resolveConfig({ ...base, model: { latent: 16, hidden: 32, critics: 2, objects: 16 } }), { obsDim: obs.flat.length + SET_LENGTH, actionDim: 2 }, 5);
});
afterAll(() => model.dispose());

describe('object-set encoder (the world model sees every object the LLM sees)', () => {
  it('the input lists every object of the real scene after the flat vector, with a mask', () => {
    const x = modelInput(obs, 'diffdrive', true);
    expect(x.length).toBe(obs.flat.length + MAX_OBJECTS * (OBJECT_FEATURES + 1));
    expect(Array.from(x.subarray(0, obs.flat.length))).toEqual(Array.from(obs.flat));
    const mask = x.subarray(obs.flat.length + MAX_OBJECTS * OBJECT_FEATURES);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(obs.objects.length);
    expect(obs.objects.length).toBeGreaterThan(3); // more than the flat vector's 3 nearest
    // Clearance (feature 10) of the first object, in /5 m, from the chassis.
    const o = obs.objects[0];
    expect(x[obs.flat.length + 10]).toBeCloseTo(clearance(o, obs.robot.pose.x, obs.robot.pose.y) / 5, 5);
    expect(inputLayout(['proprio@0+7', 'push@60+5'], true)).toEqual(['proprio@0+7', 'push@60+5', `object_set@65+${MAX_OBJECTS * OBJECT_FEATURES}`, `object_mask@${65 + MAX_OBJECTS * OBJECT_FEATURES}+${MAX_OBJECTS}`]);
  });

  it('the latent does not depend on the order of the object list', () => {
    const reversed: Observation = { ...obs, objects: [...obs.objects].reverse() };
    const rotated: Observation = { ...obs, objects: [...obs.objects.slice(3), ...obs.objects.slice(0, 3)] };
    const z = model.encodeObservations([obs, reversed, rotated]);
    const v = z.arraySync();
    z.dispose();
    for (let i = 0; i < v[0].length; i++) {
      expect(v[1][i]).toBeCloseTo(v[0][i], 5);
      expect(v[2][i]).toBeCloseTo(v[0][i], 5);
    }
    // ...but it does depend on where the objects are.
    const moved: Observation = { ...obs, objects: obs.objects.map((o, i) => (i === 0 ? { ...o, x: o.x + 1 } : o)) };
    const z2 = model.encodeObservations([obs, moved]);
    const w = z2.arraySync();
    z2.dispose();
    expect(w[0].some((x, i) => Math.abs(x - w[1][i]) > 1e-4)).toBe(true);
  });

  it('an empty scene pools to finite values', () => {
    const z = model.encodeObservations([{ ...obs, objects: [] }]);
    expect(Array.from(z.dataSync()).every(Number.isFinite)).toBe(true);
    z.dispose();
    expect(tf.memory().numTensors).toBeGreaterThan(0);
  });
});
