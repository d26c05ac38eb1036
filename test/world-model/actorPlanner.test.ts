/**
 * The ablation `world-model-actor` (the actor alone, no search): on a real scenario with the
 * shipped diffdrive checkpoint, its action at every step is the first action of the actor's
 * deterministic sequence, π(enc(observation)), computed here independently from the same
 * checkpoint; and a CLI run with world-model beside it reports each under its own name, with the
 * observation spec of every planner in the manifest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord, RunManifest } from '../../core/records.ts';
import { taskSpec } from '../../planners/Planner.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { loadCheckpoint, readCheckpointMeta } from '../../planners/world-model/io/Checkpoint.ts';
import { observationLayout } from '../../planners/world-model/io/observationLayout.ts';
import { inputLayout } from '../../planners/world-model/io/sceneFeatures.ts';
import { SHIPPED_CHECKPOINTS } from '../../planners/world-model/WorldModelPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-actor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('world-model-actor', () => {
  it("acts with the first action of the actor's deterministic sequence, step after step", async () => {
    const scenario = loadScenario('narrow-passage');
    const env = await createEnv(scenario);
    const factory = await getPlannerFactory('world-model-actor');
    expect(factory.name).toBe('world-model-actor');
    // Search settings meant for world-model in the same run cannot turn the ablation into a
    // search: with these, world-model itself already leaves the actor's action at the first step.
    const planner = await factory.create({ config: { wmSamples: 128, wmIterations: 3, wmActorSamples: 8, wmCostPrior: 0 } });
    const { model } = loadCheckpoint(join(SHIPPED_CHECKPOINTS, 'diffdrive'), { robot: 'diffdrive', actionDim: env.actionSpace.dim, obsLayout: observationLayout('diffdrive') });
    try {
      expect(planner.name).toBe('world-model-actor');
      let { obs } = env.reset({ seed: 3 });
      await planner.reset(taskSpec(scenario, env.actionSpace), 3);
      const seen: number[][] = [];
      for (let step = 0; step < 8; step++) {
        const expected = tf.tidy(() => Array.from(model.pi(model.encode(tf.tensor2d(model.input(obs), [1, model.shape.obsDim]))).dataSync()));
        const { action, info } = await planner.act(obs);
        expect(action).toEqual(expected);
        // One imagined future: the actor's own sequence, no search.
        expect((info.imagined as { rollouts: unknown[] }).rollouts).toHaveLength(1);
        seen.push(action);
        const r = env.step(action);
        obs = r.obs;
        if (r.terminated || r.truncated) break;
      }
      expect(seen.length).toBe(8);
      // The robot moves: the policy is not a constant.
      expect(new Set(seen.map((a) => a.join(','))).size).toBeGreaterThan(1);
    } finally {
      model.dispose();
      await planner.dispose();
      env.dispose();
    }
  }, 120_000);

  it('runs beside world-model from the CLI under its own name; the manifest records what each planner reads', async () => {
    const args = ['run', '--scenarios', 'open-field', '--planners', 'random,world-model,world-model-actor', '--seeds', '4-4', '--out', 'both'];
    const { stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), ...args], { cwd: tmp, timeout: 280_000 });
    expect(stderr).not.toMatch(/Error|skipping/);
    const records = readFileSync(join(tmp, 'both', 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpisodeRecord);
    expect(records.map((r) => r.planner).sort()).toEqual(['random', 'world-model', 'world-model-actor']);
    const actor = records.find((r) => r.planner === 'world-model-actor')!;
    const search = records.find((r) => r.planner === 'world-model')!;
    expect(actor.steps).toBeGreaterThan(0);
    expect(search.steps).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(tmp, 'both', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.config.planners).toEqual(['random', 'world-model', 'world-model-actor']);
    const specs = manifest.config.observationSpecs!;
    // The shipped checkpoint's own layout: the flat vector, then the object set if it reads one.
    const meta = readCheckpointMeta(join(SHIPPED_CHECKPOINTS, 'diffdrive'));
    const objects = (meta.config.model.objects ?? 0) > 0;
    const layout = inputLayout(observationLayout('diffdrive'), objects);
    expect(meta.obsLayout).toEqual(layout);
    expect(specs.random).toEqual({ tier: 'state', reads: 'nothing' });
    for (const name of ['world-model', 'world-model-actor']) {
      expect(specs[name].tier).toBe('state');
      expect(specs[name].reads).toBe(objects ? 'obs.flat, then every listed object as a set (io/sceneFeatures.ts)' : 'obs.flat');
      expect(specs[name].inputLayout).toEqual({ diffdrive: layout });
    }
  }, 300_000);
});
