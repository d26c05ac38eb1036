/**
 * Training end to end on a real scenario, kept tiny: seed data from the real simulator and
 * baselines, gradient steps, a save, Ctrl-C, `--resume`, and the planner loading the result.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { collectEpisode } from '../../planners/world-model/training/collect.ts';
import { ReplayBuffer } from '../../planners/world-model/training/ReplayBuffer.ts';
import { obsLength } from '../../sim/observation.ts';
import { SET_LENGTH } from '../../planners/world-model/io/sceneFeatures.ts';
import { trainRobot, type TrainOptions } from '../../planners/world-model/training/training.ts';
import { RECIPES } from '../../planners/world-model/training/recipe.ts';
import { factory } from '../../planners/world-model/WorldModelPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';

// Three simulated seconds keep every episode (seed data, own-planner collection) short.
const scenario = { ...loadScenario('open-field'), timeLimit: 3 };
let out: string;

function options(over: Partial<TrainOptions>): TrainOptions {
  return {
    robot: 'diffdrive',
    scenarios: [scenario],
    steps: 6,
    out,
    resume: false,
    backend: 'wasm',
    physics: 'deterministic',
    seedEpisodes: 1,
    collectEvery: 0,
    saveEvery: 3,
    logEvery: 2,
    evalSeeds: 0,
    batch: 16,
    collectPlan: { wmSamples: 16, wmElites: 4, wmIterations: 1 },
    signal: { stop: false },
    progress: () => {},
    command: 'test',
    ...over,
  };
}

beforeAll(async () => {
  await selectBackend('wasm');
  out = mkdtempSync(join(tmpdir(), 'wm-train-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('training', () => {
  it('trains, saves, refuses to overwrite, stops on Ctrl-C and resumes from the saved step', async () => {
    const first = await trainRobot(options({ steps: 4 }));
    const dir = join(out, 'diffdrive');
    expect(first.step).toBe(4);
    expect(readdirSync(join(dir, 'replay'))).toHaveLength(3); // one scripted, one random, one scripted-explore seed episode
    const state = JSON.parse(readFileSync(join(dir, 'trainer', 'state.json'), 'utf8'));
    expect(state.step).toBe(4);
    const log = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((r) => r.kind === 'loss').map((r) => r.step)).toEqual([1, 2, 4]);
    expect(readFileSync(join(dir, 'training.svg'), 'utf8')).toMatch(/^<svg[\s\S]*polyline[\s\S]*<\/svg>\n$/);

    await expect(trainRobot(options({ steps: 8 }))).rejects.toThrow(/already holds a training run; pass --resume/);

    // Ctrl-C during training: the loop saves and stops at a step boundary.
    const signal = { stop: false };
    let calls = 0;
    const stopped = await trainRobot(
      options({
        steps: 100,
        resume: true,
        signal,
        progress: (line) => {
          if (/\d+\/100 {2}loss/.test(line) && ++calls === 2) signal.stop = true;
        },
      }),
    );
    expect(stopped.stopped).toBe(true);
    expect(stopped.step).toBeGreaterThan(4);
    expect(stopped.step).toBeLessThan(100);
    expect(JSON.parse(readFileSync(join(dir, 'trainer', 'state.json'), 'utf8')).step).toBe(stopped.step);

    const resumed = await trainRobot(options({ steps: stopped.step + 2, resume: true, collectEvery: stopped.step + 1 }));
    expect(resumed.step).toBe(stopped.step + 2);
    expect(resumed.stopped).toBe(false);
    // The collection at step stopped+1 ran the model's own planner and appended its episode.
    expect(readdirSync(join(dir, 'replay'))).toHaveLength(4);
    // ... labelled by the scripted teacher (DAgger): one expert action per transition.
    const own = ReplayBuffer.open(join(dir, 'replay'), obsLength('diffdrive') + SET_LENGTH, 2).episodes.find((e) => e.source === 'world-model');
    expect(own?.expert?.length).toBe(own!.length * 2);
    // ... and with the task subject's positions, the probe's second target.
    expect(own?.subject?.length).toBe((own!.length + 1) * 3);
    const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(meta.training.step).toBe(stopped.step + 2);
    expect(meta.training.backend).toBe('wasm');
  });

  it('the planner loads the trained checkpoint, plans deterministically under a seed and reports imagined futures', async () => {
    const config = { checkpoint: out, wmSamples: 32, wmElites: 4, wmIterations: 2, wmImagined: 4, wmActorPrior: 1 };
    expect(factory.unavailable!({ config })).toBeNull();
    expect(factory.unavailable!({ config: { checkpoint: join(out, 'missing') } })).toMatch(/does not exist/);
    const run = async () => {
      const planner = await factory.create({ config });
      const infos: Record<string, unknown>[] = [];
      const wrapped = {
        ...planner,
        name: planner.name,
        reset: planner.reset.bind(planner),
        act: async (...a: Parameters<typeof planner.act>) => {
          const r = await planner.act(...a);
          infos.push(r.info);
          return r;
        },
        dispose: planner.dispose.bind(planner),
      };
      const ep = await collectEpisode({ ...scenario, timeLimit: 1 }, wrapped, 3, 'world-model');
      const stats = planner.episodeStats!();
      await planner.dispose();
      return { ep, infos, stats };
    };
    const a = await run();
    const b = await run();
    expect(a.ep.data.length).toBe(10);
    expect(Array.from(a.ep.data.actions)).toEqual(Array.from(b.ep.data.actions));
    expect(a.stats.wmDecisions).toBe(10);
    expect(a.stats.wmLatentPredictionRms).toBeGreaterThan(0);
    const imagined = a.infos[0].imagined as { rollouts: { points: number[][]; cost: number; elite: boolean }[] };
    expect(imagined.rollouts).toHaveLength(4);
    expect(imagined.rollouts.filter((r) => r.elite)).toHaveLength(2);
    for (const r of imagined.rollouts) {
      expect(r.points).toHaveLength(1 + 15); // start + diffdrive default horizon
      for (const p of r.points) expect(p.every(Number.isFinite) && p.length === 3).toBe(true);
      expect(Number.isFinite(r.cost)).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(a.infos[0]))).toEqual(a.infos[0]);
  });

  it('a checkpoint for another robot is refused with a clear error', async () => {
    const planner = await factory.create({ config: { checkpoint: join(out, 'diffdrive') } });
    const arm = loadScenario('arm-reach');
    await expect(collectEpisode(arm, planner, 1, 'world-model')).rejects.toThrow(/trained for robot "diffdrive" but the scenario uses "arm"/);
    await planner.dispose();
    expect(existsSync(join(out, 'diffdrive', 'model.json'))).toBe(true);
  });
  it("a recipe's decoys and training settings reach the run (recipe `shipped`: diffdrive decoy stops, motion term)", async () => {
    const stops = RECIPES.shipped;
    const dir = mkdtempSync(join(tmpdir(), 'wm-train-stops-'));
    try {
      const r = await trainRobot(options({ out: dir, steps: 2, saveEvery: 2, decoy: stops.decoy!.diffdrive!, train: stops.train!.diffdrive! }));
      expect(r.step).toBe(2);
      // One seed episode of each source: scripted, random, scripted-explore and scripted-decoy.
      expect(readdirSync(join(dir, 'diffdrive', 'replay'))).toHaveLength(4);
      const model = JSON.parse(readFileSync(join(dir, 'diffdrive', 'model.json'), 'utf8'));
      expect(JSON.stringify(model)).toContain('"motionWeight":10');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The shipped recipe's other robots keep their data and settings as they were trained.
    expect(RECIPES.shipped.decoy?.pusher).toBeUndefined();
    expect(RECIPES.shipped.train?.pusher).toBeUndefined();
    expect(RECIPES.shipped.train?.arm).toBeUndefined();
    // The model's own collection episodes keep the planner settings of the first training.
    expect(RECIPES.shipped.collectPlan?.diffdrive).toMatchObject({ wmCostOutside: 0, wmCostSettle: 0, wmStall: 0 });
  }, 120_000);
});
