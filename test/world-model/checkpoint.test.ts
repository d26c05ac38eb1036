import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../planners/world-model/io/Checkpoint.ts';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { sequenceCosts } from '../../planners/world-model/planning/Imagination.ts';
import { Mppi } from '../../planners/world-model/planning/Mppi.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { Rng } from '../../sim/rng.ts';
import { ACTION_DIM, OBS_DIM } from './fixtures.ts';

const base = defaultConfig('diffdrive');
const cfg = resolveConfig({ ...base, model: { latent: 16, hidden: 32, critics: 2 }, plan: { ...base.plan, samples: 64, elites: 8, horizon: 3, iterations: 2 } });
const layout = ['proprio@0+3', 'goal@3+3'];
let dir: string;

async function decide(m: WorldModel, obs: number[]): Promise<number[]> {
  const mppi = new Mppi(m.config.plan, ACTION_DIM);
  const z0 = tf.tidy(() => m.encode(tf.tensor2d(obs, [1, OBS_DIM])));
  const r = await mppi.plan(Rng.fromKey('decide'), (s, n) => sequenceCosts(m, z0, s, n, m.config.plan));
  z0.dispose();
  return r.action;
}

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'wm-ckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('save → load → identical weights and identical actions', async () => {
    const m = new WorldModel(cfg, { obsDim: OBS_DIM, actionDim: ACTION_DIM }, 3);
    m.encoder.setNormalization(new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([2, 2, 2, 2, 0, 1]));
    saveCheckpoint(dir, m, { obsLayout: layout, training: { steps: 0 } });
    const { model, meta } = loadCheckpoint(dir, { robot: 'diffdrive', obsLayout: layout, actionDim: ACTION_DIM });
    expect(meta.config).toEqual(JSON.parse(JSON.stringify(cfg)));
    for (const [name, v] of m.namedVariables()) expect(Array.from(model.namedVariables().get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    const obs = [0.1, -0.3, 0.5, 1, 2, 0];
    expect(await decide(model, obs)).toEqual(await decide(m, obs));
    m.dispose();
    model.dispose();
  });

  it('a mismatched robot, action size or observation layout is a clear error', () => {
    expect(() => loadCheckpoint(dir, { robot: 'arm' })).toThrow(/trained for robot "diffdrive" but the scenario uses "arm"/);
    expect(() => loadCheckpoint(dir, { actionDim: 3 })).toThrow(/action dimension 2 does not match/);
    expect(() => loadCheckpoint(dir, { obsLayout: ['proprio@0+3', 'goal@3+4'] })).toThrow(/observation layout differs.*slot 1: "goal@3\+3" vs "goal@3\+4".*retrain/);
  });

  it('a missing, corrupt or foreign checkpoint is a UserError naming the file', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as { name: string; code: string; message: string };
      }
      throw new Error('expected an error');
    };
    const missing = err(() => loadCheckpoint(join(dir, 'nope')));
    expect(missing.code).toBe('E_CHECKPOINT');
    expect(missing.message).toMatch(/no world-model checkpoint at .*nope.*planarena train world-model/);

    const weights = join(dir, 'weights.bin');
    const good = readFileSync(weights);
    const bad = Buffer.from(good);
    bad[100] ^= 0xff;
    writeFileSync(weights, bad);
    const corrupt = err(() => loadCheckpoint(dir));
    expect(corrupt.name).toBe('UserError');
    expect(corrupt.message).toMatch(/weights\.bin is corrupt \(SHA-256/);
    writeFileSync(weights, good);

    const json = join(dir, 'model.json');
    const meta = readFileSync(json, 'utf8');
    writeFileSync(json, meta.slice(0, 50));
    expect(err(() => loadCheckpoint(dir)).message).toMatch(/model\.json is not valid JSON/);
    writeFileSync(json, JSON.stringify({ ...JSON.parse(meta), format: 'keras' }));
    expect(err(() => loadCheckpoint(dir)).message).toMatch(/"format" is "keras".*not a world-model checkpoint/);
    writeFileSync(json, JSON.stringify({ ...JSON.parse(meta), version: 99 }));
    expect(err(() => loadCheckpoint(dir)).message).toMatch(/version 99 is not supported/);
    writeFileSync(json, meta);
    loadCheckpoint(dir).model.dispose();
  });
});
