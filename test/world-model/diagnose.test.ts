/**
 * `planarena diagnose world-model`: the numbers (Spearman with ties, error curves), the driver on
 * a tiny freshly built model in real Rapier worlds (finite numbers, the true-cost evaluator ranks
 * exactly as the true return, probing does not disturb the episode), the CLI's errors and one
 * end-to-end run on the shipped checkpoint.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABLATION_NAMES } from '../../cli/commands/diagnose.ts';
import { main } from '../../cli/main.ts';
import { aggregateErrors, motionErrors, pathErrors, ranks, spearman, summarise, diagnosisTable } from '../../evaluation/worldModelDiagnosis.ts';
import { diagnosisHtml } from '../../evaluation/worldModelDiagnosisReport.ts';
import { taskSpec } from '../../planners/Planner.ts';
import { defaultConfig, resolveConfig } from '../../planners/world-model/Configurator.ts';
import { diagnoseWorldModel, VARIANTS } from '../../planners/world-model/diagnose/diagnoseWorldModel.ts';
import type { WorldModelDiagnosis } from '../../planners/world-model/diagnose/types.ts';
import { selectBackend } from '../../planners/world-model/io/backend.ts';
import { saveCheckpoint, type CheckpointMeta } from '../../planners/world-model/io/Checkpoint.ts';
import { observationLayout } from '../../planners/world-model/io/observationLayout.ts';
import { inputLayout, modelInput } from '../../planners/world-model/io/sceneFeatures.ts';
import { WorldModel } from '../../planners/world-model/model/WorldModel.ts';
import { plannerForModel } from '../../planners/world-model/WorldModelPlanner.ts';
import { episodeLoop } from '../../runner/episodeLoop.ts';
import { loadScenario } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { createEnv, liveNativeObjects } from '../../sim/Env.ts';
import * as tf from '@tensorflow/tfjs';

describe('spearman', () => {
  it('ranks ties by their mean rank', () => {
    expect(ranks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(ranks([3, 1, 2])).toEqual([3, 1, 2]);
    expect(ranks([5, 5, 5])).toEqual([2, 2, 2]);
  });

  it('is 1 for any increasing relation, −1 for a decreasing one, and handles ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 100, 1000, 1e4])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // Tied x: ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4] → 4.5 / √(4.5 · 5) (scipy: 0.9486832980505138).
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBe(1);
  });

  it('is NaN when there is no ranking to compare', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([1, NaN, 3], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(/2 vs 1/);
  });
});

describe('imagination error', () => {
  it('per step, over curves of uneven length; motion error ignores a constant offset', () => {
    const actual: [number, number, number][] = [[0, 0, 0], [1, 0, 0], [2, 0, 0]];
    const shifted: [number, number, number][] = [[0, 3, 0], [1, 3, 0], [2, 3, 0], [3, 3, 0]];
    expect(pathErrors(shifted, actual)).toEqual([3, 3, 3]);
    expect(motionErrors(shifted, actual)).toEqual([0, 0, 0]);
    const agg = aggregateErrors([[1, 2, 3], [3, 4]], 3);
    expect(agg.mean.slice(0, 3)).toEqual([2, 3, 3]);
    expect(agg.mean[3]).toBeNaN();
    expect(agg.count).toEqual([2, 2, 1, 0]);
    expect(agg.oneStep).toBe(3);
    expect(agg.final).toBe(3.5); // each curve's last step: 3 and 4
    expect(agg.meanOverHorizon).toBe(3);
  });
});

describe('diagnose on a push task, with a probe that decodes the object', () => {
  it('measures where each sampled sequence takes the object, imagined and true, from the crate as observed', async () => {
    await selectBackend('wasm');
    const scenario = { ...loadScenario('push-box'), timeLimit: 2 };
    const env = await createEnv(scenario);
    const obs = env.reset({ seed: 0 }).obs;
    env.dispose();
    const cfg = resolveConfig({ ...defaultConfig('pusher'), model: { latent: 16, hidden: 32, critics: 2, objects: 8, subject: true } });
    const model = new WorldModel(cfg, { obsDim: modelInput(obs, 'pusher', true).length, actionDim: 2 }, 1);
    const dir = mkdtempSync(join(tmpdir(), 'wm-diagnose-push-'));
    try {
      const meta = saveCheckpoint(dir, model, { obsLayout: inputLayout(observationLayout('pusher'), true), training: { steps: 0 } });
      const d = await diagnoseWorldModel({
        scenarios: [scenario],
        seeds: [0],
        config: { wmHorizon: 3, wmSamples: 6, wmElites: 2, wmActorSamples: 2, wmIterations: 1 },
        states: 1,
        every: 5,
        samples: 5,
        searchSamples: 4,
        variants: [],
        models: new Map([['pusher', { model, meta }]]),
      });
      const p = d.scenarios[0].states[0];
      const crate = obs.objects.find((o) => o.id === 'crate')!;
      expect(p.samples.objectImagined).toHaveLength(5);
      expect(p.samples.objectActual).toHaveLength(5);
      for (const path of [...p.samples.objectImagined!, ...p.samples.objectActual!]) {
        expect(path).toHaveLength(4);
        expect(path[0][0]).toBeCloseTo(crate.x, 3);
        expect(path[0][1]).toBeCloseTo(crate.y, 3);
        expect(path.flat().every(Number.isFinite)).toBe(true);
      }
      const [summary] = summarise(d);
      expect(Number.isFinite(summary.objectMotionError.final)).toBe(true);
      expect(Number.isFinite(summary.objectBrakeMotionError.final)).toBe(true);
      expect(diagnosisTable([summary])).toMatch(/obj@H/);
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('diagnose on a tiny freshly built model', () => {
  let dir: string;
  let scenario: Scenario;
  let model: WorldModel;
  let meta: CheckpointMeta;
  let d: WorldModelDiagnosis;
  let leaked: { tensors: number; worlds: number };
  const config = { wmHorizon: 4, wmSamples: 8, wmElites: 2, wmActorSamples: 2, wmIterations: 1 };

  beforeAll(async () => {
    await selectBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'wm-diagnose-'));
    // Open field, cut to 3 s (30 control steps) so that every variant's episode is short.
    scenario = { ...loadScenario('open-field'), timeLimit: 3 };
    const env = await createEnv(scenario);
    const obs = env.reset({ seed: 0 }).obs;
    env.dispose();
    const base = defaultConfig('diffdrive');
    const cfg = resolveConfig({ ...base, model: { latent: 16, hidden: 32, critics: 2, objects: 8 } });
    model = new WorldModel(cfg, { obsDim: modelInput(obs, 'diffdrive', true).length, actionDim: 2 }, 1);
    meta = saveCheckpoint(dir, model, { obsLayout: inputLayout(observationLayout('diffdrive'), true), training: { steps: 0 } });
    const tensors = tf.memory().numTensors;
    const worlds = liveNativeObjects().worlds;
    d = await diagnoseWorldModel({
      scenarios: [scenario],
      seeds: [0],
      config,
      states: 2,
      every: 5,
      samples: 10,
      searchSamples: 4,
      variants: ['actor', 'true-cost', 'true-model', 'true-both', 'search-small'],
      models: new Map([['diffdrive', { model, meta }]]),
    });
    leaked = { tensors: tf.memory().numTensors - tensors, worlds: liveNativeObjects().worlds - worlds };
  }, 240_000);
  afterAll(() => {
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes the states asked for, with finite paths, costs and returns', () => {
    const s = d.scenarios[0];
    expect(s.horizon).toBe(4);
    expect(s.states.map((p) => p.step)).toEqual([0, 5]);
    for (const p of s.states) {
      expect(p.chosen.imagined).toHaveLength(5);
      expect(p.chosen.actual).toHaveLength(5);
      expect(p.samples.origin).toEqual(['actor', 'near', 'near', 'near', 'near', 'uniform', 'uniform', 'uniform', 'uniform', 'brake']);
      // The brake sample commands zero throughout; the simulator's robot starts at rest here or slows down.
      const brake = p.samples.actual[9];
      expect(Math.hypot(brake[4][0] - brake[0][0], brake[4][1] - brake[0][1])).toBeLessThan(0.2);
      const numbers = [...p.samples.learnedCost, ...p.samples.learnedCostNoPrior, ...p.samples.trueReturn, ...p.samples.trueCost, ...p.samples.imagined.flat(2), ...p.samples.actual.flat(2), ...p.chosen.imagined.flat(), ...p.chosen.actual.flat()];
      expect(numbers.every(Number.isFinite)).toBe(true);
      // The paths start where the robot is, and they move: the true ones differ between samples.
      expect(new Set(p.samples.trueReturn).size).toBeGreaterThan(1);
      // The cost term by term: every weighted term, adding up to the planner's cost.
      const terms = p.samples.costTerms!;
      expect(Object.keys(terms).length).toBeGreaterThan(1);
      expect(terms).toHaveProperty('goal');
      p.samples.learnedCost.forEach((total, i) => {
        const sum = Object.values(terms).reduce((a, c) => a + c[i], 0);
        expect(Math.abs(sum - total)).toBeLessThan(1e-3 * Math.max(1, Math.abs(total)));
      });
    }
    const [summary] = summarise(d);
    for (const curve of [summary.chosenError, summary.sampledError, summary.chosenMotionError, summary.sampledMotionError, summary.brakeMotionError]) {
      expect(curve.mean.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(curve.final)).toBe(true);
    }
    expect(summary.chosenMotionError.mean[0]).toBe(0);
    // Actor minus braking per term, for the table that says which term holds a stalled planner.
    expect(Object.keys(summary.actorOverBrake).sort()).toEqual(Object.keys(s.states[0].samples.costTerms!).sort());
    expect(Object.values(summary.actorOverBrake).every(Number.isFinite)).toBe(true);
    expect(diagnosisTable([summary])).toMatch(/cost terms: the actor's sequence minus braking[^\n]*\n\S+\s+goal -?\d/);
    expect(Number.isFinite(summary.spearman.learned)).toBe(true);
  });

  it('the true-cost evaluator ranks the sampled sequences exactly as their true return: ρ = 1', () => {
    const [summary] = summarise(d);
    expect(summary.rankings).toHaveLength(2);
    for (const r of summary.rankings) expect(r.trueCost).toBe(1);
    expect(summary.spearman.trueCost).toBe(1);
  });

  it('runs every ablation on the seed, and the report draws all of it', () => {
    const s = d.scenarios[0];
    expect(s.ablations.map((a) => a.variant)).toEqual([...VARIANTS]);
    for (const a of s.ablations) {
      expect(a.steps).toBeGreaterThan(0);
      expect(a.steps).toBeLessThanOrEqual(30);
      expect(Number.isFinite(a.return)).toBe(true);
    }
    const html = diagnosisHtml(d, { command: 'test', createdAt: 'now' });
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toMatch(/Spearman ρ = -?\d\.\d\d/);
    expect(html).toContain('true model + learned cost (4 samples)');
  });

  it('frees every tensor and every Rapier world it made (live worlds, clones)', () => {
    expect(leaked).toEqual({ tensors: 0, worlds: 0 });
  });

  it('probing does not disturb the episode: the default variant plays what the plain planner plays', async () => {
    const env = await createEnv(scenario);
    const planner = plannerForModel(model, meta, config);
    const reset = env.reset({ seed: 0 });
    const task = taskSpec(scenario, env.actionSpace);
    let ret = 0;
    let steps = 0;
    for await (const s of episodeLoop(env, planner, task, 0, reset.obs, { clock: 'turn', maxSteps: task.maxSteps })) {
      ret += s.result.reward;
      steps++;
      if (s.result.terminated || s.result.truncated) break;
    }
    planner.dispose();
    env.dispose();
    const probed = d.scenarios[0].ablations.find((a) => a.variant === 'default')!;
    expect(probed.steps).toBe(steps);
    expect(probed.return).toBe(ret);
  });
});

describe('planarena diagnose world-model (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wm-diagnose-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function fails(args: string[]): Promise<string[]> {
    const errors: string[] = [];
    const original = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await main(['diagnose', ...args])).toBe(1);
    } finally {
      console.error = original;
    }
    return errors;
  }

  it('bad input is one line naming the flag and the fix', async () => {
    const cases: [string[], RegExp][] = [
      [['world-model', '--scenarios', 'open-field', '--seeds', '1', '--sample', '3'], /unknown flag --sample; did you mean --samples\?/],
      [['world-model', '--scenarios', 'open-field', '--seeds', '1', '--states', 'x'], /--states must be an integer >= 0, got "x"/],
      [['world-model', '--scenarios', 'open-field'], /--seeds is missing/],
      [['world-model', '--scenarios', 'open-field', '--seeds', '1', '--ablations', 'true-modle'], /--ablations: unknown variant "true-modle"; did you mean "true-model"\?/],
      [['world-model', '--scenarios', 'open-field', '--seeds', '1', '--set', 'wm-sample=3'], /--set wm-sample: not a world-model planner setting; did you mean "wm-samples"\?/],
      [['world-model', '--scenarios', 'open-field', '--seeds', '1', '--set', 'wm-samples=lots'], /wm-samples/],
      [['llm', '--scenarios', 'open-field', '--seeds', '1'], /Only "world-model"/],
    ];
    for (const [args, pattern] of cases) {
      const errors = await fails(args);
      expect(errors, args.join(' ')).toHaveLength(1);
      expect(errors[0]).not.toContain('\n');
      expect(errors[0]).not.toMatch(/internal error|at .*\.ts:\d+/);
      expect(errors[0]).toMatch(pattern);
    }
  });

  it('the ablation names of --ablations are the driver\'s variants', () => {
    expect([...ABLATION_NAMES, 'default'].sort()).toEqual([...VARIANTS].sort());
  });

  it('end to end on the shipped diffdrive checkpoint: 1 scenario × 1 seed, tiny counts', async () => {
    const out = join(tmp, 'run');
    const logs: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (logs.push(String(s)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['diagnose', 'world-model', '--scenarios', 'open-field', '--seeds', '1', '--states', '1', '--samples', '4', '--search-samples', '2', '--ablations', 'actor', '--set', 'wm-samples=8', '--set', 'wm-elites=2', '--set', 'wm-iterations=1', '--out', out]);
    } finally {
      process.stdout.write = original;
    }
    expect(code).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'diagnosis.json'), 'utf8'));
    expect(json.checkpoints.diffdrive).toMatch(/checkpoints\/diffdrive$/);
    expect(json.scenarios[0].states).toHaveLength(1);
    expect(json.summary[0].spearman.trueCost).toBe(1);
    expect(json.scenarios[0].ablations.map((a: { variant: string }) => a.variant)).toEqual(['actor', 'default']);
    expect(logs.join('')).toMatch(/ρ true cost[\s\S]*open-field/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg [\s\S]*Spearman ρ/);
  }, 240_000);
});
