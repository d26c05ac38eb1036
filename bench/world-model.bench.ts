/**
 * World-model speed: planning latency per decision at default settings (target p50 <= 50 ms on
 * wasm) and training throughput per tfjs backend this machine can run. Backends it cannot run
 * (no tfjs-node, no GPU adapter) are listed with the reason and value 0: GPU figures must be
 * measured on a machine with a GPU (see docs/world-model.md).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../planners/world-model/io/backend.ts';
import { defaultConfig, resolveConfig, type PlanConfig } from '../planners/world-model/Configurator.ts';
import { loadCheckpoint } from '../planners/world-model/io/Checkpoint.ts';
import { actorProposals, observedScene, sequenceCosts } from '../planners/world-model/planning/Imagination.ts';
import { RouteFieldCache } from '../planners/world-model/planning/routeCost.ts';
import { loadScenario } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import { Mppi } from '../planners/world-model/planning/Mppi.ts';
import type { Batch } from '../planners/world-model/training/ReplayBuffer.ts';
import { Trainer } from '../planners/world-model/training/Trainer.ts';
import { WorldModel } from '../planners/world-model/model/WorldModel.ts';
import { obsLength } from '../sim/observation.ts';
import { MAX_OBJECTS, OBJECT_FEATURES, SET_LENGTH } from '../planners/world-model/io/sceneFeatures.ts';
import { Rng } from '../sim/rng.ts';
import type { Bench, BenchLine } from './types.ts';
import type { Observation } from '../sim/types.ts';
import type { RobotType } from '../scenarios/schema.ts';

const ROBOT = 'diffdrive';
const FLAT = obsLength(ROBOT);
/** The default model reads the object set after the flat vector (io/sceneFeatures.ts). */
const OBS = FLAT + SET_LENGTH;
const ACT = 2;
/** Objects present in the bench's inputs (cluttered-field lists 14 with its walls). */
const PRESENT = 14;

/** A random input of the default model's layout, `PRESENT` objects marked present. */
function randomInput(rng: Rng): Float32Array {
  const x = Float32Array.from({ length: OBS }, () => rng.normal());
  const mask = FLAT + MAX_OBJECTS * OBJECT_FEATURES;
  for (let i = 0; i < MAX_OBJECTS; i++) x[mask + i] = i < PRESENT ? 1 : 0;
  return x;
}

/** The default config, or the flat-only model (before the set encoder) with `flat`. */
function configOf(flat = false) {
  const d = defaultConfig(ROBOT);
  return resolveConfig(flat ? { ...d, model: { ...d.model, objects: 0 } } : d);
}

function batchOf(size: number, rollout: number, flat = false): Batch {
  const rng = Rng.fromKey('bench-batch');
  const n = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
  const obs = new Float32Array((rollout + 1) * size * (flat ? FLAT : OBS));
  for (let r = 0; r < (rollout + 1) * size; r++) obs.set(flat ? n(FLAT) : randomInput(rng), r * (flat ? FLAT : OBS));
  return {
    size,
    rollout,
    obs,
    actions: n(rollout * size * ACT).map(Math.tanh),
    rewards: n(rollout * size),
    goalDistance: n((rollout + 1) * size).map(Math.abs),
    failure: new Float32Array(rollout * size),
    terminal: new Float32Array(rollout * size),
    position: n((rollout + 1) * size * 3),
    imitation: new Float32Array(rollout * size).fill(1),
    subject: n((rollout + 1) * size * 3),
    subjectWeight: new Float32Array((rollout + 1) * size).fill(1),
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/**
 * Milliseconds per decision of the full planner loop (encode, actor proposals, MPPI, read-backs),
 * the hard-wired costs reading `seen` (a real observation of the scenario) as the planner does.
 */
async function timeDecisions(model: WorldModel, plan: Readonly<PlanConfig>, robot: RobotType, seen: Observation, arena: readonly [number, number], encode: () => tf.Tensor2D, rng: Rng, decisions: number): Promise<number[]> {
  const mppi = new Mppi(plan, ACT);
  const routes = new RouteFieldCache();
  const times: number[] = [];
  for (let i = 0; i < decisions + 3; i++) {
    const t0 = performance.now();
    const z0 = encode();
    const scene = observedScene(seen, plan, robot, 0.1, arena, routes);
    // As WorldModelPlanner.act: the actor's sequences, the first one the search's centre when actorPrior is set.
    const proposals = actorProposals(model, z0, Math.max(plan.actorSamples, plan.actorPrior ? 1 : 0), plan.horizon, rng);
    const L = plan.horizon * ACT;
    await mppi.plan(rng, (s, n) => sequenceCosts(model, z0, s, n, plan, scene), proposals.subarray(0, plan.actorSamples * L), plan.actorPrior ? plan.priorStd : 1, plan.actorPrior ? proposals.subarray(0, L) : undefined);
    z0.dispose();
    if (i >= 3) times.push(performance.now() - t0);
  }
  return times;
}

/** The reset observation of a scenario (seed 0). */
async function observe(id: string): Promise<Observation> {
  const env = await createEnv(loadScenario(id), { physics: 'deterministic' });
  const seen = env.reset({ seed: 0 }).obs;
  env.dispose();
  return seen;
}

/** The default diffdrive planner on random inputs, its hard-wired costs on cluttered-field's objects and goal. */
async function planLatency(decisions: number): Promise<number[]> {
  const cfg = configOf();
  const model = new WorldModel(cfg, { obsDim: OBS, actionDim: ACT });
  const rng = Rng.fromKey('bench-plan');
  const obs = randomInput(rng);
  const times = await timeDecisions(model, cfg.plan, ROBOT, await observe('cluttered-field'), [12, 12], () => tf.tidy(() => model.encode(tf.tensor2d(obs, [1, OBS]))), rng, decisions);
  model.dispose();
  return times;
}

/** The same for the shipped pusher on push-box: its probe decodes the crate, and the route and
 * approach costs read the imagined crate (a second decode per decision). */
async function pushLatency(decisions: number): Promise<{ times: number[]; plan: Readonly<PlanConfig> }> {
  const { model } = loadCheckpoint('planners/world-model/checkpoints/pusher', { robot: 'pusher' });
  const plan = resolveConfig({ ...model.config, plan: defaultConfig('pusher').plan }).plan;
  const seen = await observe('push-box');
  const times = await timeDecisions(model, plan, 'pusher', seen, loadScenario('push-box').arena.size, () => model.encodeObservations([seen]), Rng.fromKey('bench-push'), decisions);
  model.dispose();
  return { times, plan };
}

/** Training samples (windows) per second at batch `size`, ms per step and kernels per step. */
async function trainRate(size: number, steps: number, flat = false): Promise<{ samplesPerSec: number; msPerStep: number; kernels: number }> {
  const cfg = configOf(flat);
  const model = new WorldModel(cfg, { obsDim: flat ? FLAT : OBS, actionDim: ACT });
  const trainer = new Trainer(model, cfg.train, cfg.plan.gamma);
  const batch = batchOf(size, cfg.train.rollout, flat);
  trainer.step(batch, true); // warm-up: kernels compiled, moments allocated
  // Kernels launched by one step: on a GPU each carries a fixed dispatch cost.
  const kernels = (await tf.profile(() => void trainer.step(batch, false))).kernels.length;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) trainer.step(batch, i === steps - 1);
  const ms = (performance.now() - t0) / steps;
  trainer.dispose();
  model.dispose();
  return { samplesPerSec: (size * 1000) / ms, msPerStep: ms, kernels };
}

/** Kernels per training step before the heads were batched over the rollout steps (Trainer.ts),
 * measured with the same count on the same model: the reference for the figure below. */
const KERNELS_PER_STEP_BEFORE = 6001;

export const benches: Bench[] = [
  {
    name: 'world-model',
    async run(): Promise<BenchLine[]> {
      const lines: BenchLine[] = [];
      await selectBackend('wasm');
      const times = await planLatency(20);
      const p50 = percentile(times, 0.5);
      const cfg = configOf().plan;
      const hardWired = (['route', 'clearance', 'settle', 'outside'] as const).filter((k) => cfg.cost[k] > 0);
      lines.push({ figure: `world-model plan p50, wasm (${cfg.actorPrior ? 'actor prior, ' : ''}${cfg.samples}×${cfg.iterations} it, H=${cfg.horizon}${hardWired.length ? `, ${hardWired.join(' + ')} cost` : ''})`, value: p50, unit: 'ms', ratio: p50 / 50, target: 1, targetBelow: true });
      lines.push({ figure: 'world-model plan p95, wasm', value: percentile(times, 0.95), unit: 'ms' });
      const push = await pushLatency(20);
      const pushP50 = percentile(push.times, 0.5);
      lines.push({ figure: `world-model plan p50, wasm, pusher on push-box (${push.plan.samples}×${push.plan.iterations} it, H=${push.plan.horizon}, route + approach cost on the imagined crate)`, value: pushP50, unit: 'ms', ratio: pushP50 / 50, target: 1, targetBelow: true });

      const flatOnly = await trainRate(256, 6, true);
      const wasm = await trainRate(256, 6);
      lines.push({ figure: 'world-model train, wasm, batch 256 (with the object-set encoder)', value: wasm.samplesPerSec, unit: 'samples/s', baseline: { name: 'flat input only (before)', value: flatOnly.samplesPerSec }, ratio: wasm.samplesPerSec / flatOnly.samplesPerSec });
      lines.push({ figure: 'world-model kernels per training step', value: wasm.kernels, unit: 'kernels', baseline: { name: 'per-step heads (before)', value: KERNELS_PER_STEP_BEFORE }, ratio: wasm.kernels / KERNELS_PER_STEP_BEFORE });
      const small = await trainRate(16, 6);
      lines.push({ figure: 'world-model train step, wasm, batch 16 (≈ fixed cost)', value: small.msPerStep, unit: 'ms', baseline: { name: 'batch 256', value: wasm.msPerStep }, ratio: small.msPerStep / wasm.msPerStep });

      const others: BackendName[] = ['cpu', 'webgpu', 'tensorflow'];
      for (const name of others) {
        let available = true;
        let reason = '';
        try {
          await selectBackend(name);
        } catch (e) {
          available = false;
          reason = (e as Error).message.split(': ').slice(1).join(': ').split('. Fix')[0].split(' (')[0];
        }
        if (!available) {
          lines.push({ figure: `world-model train, ${name}: not available here (${reason})`, value: 0, unit: 'samples/s' });
          continue;
        }
        // The plain-JS cpu backend is ~40× slower than wasm: a small batch keeps the bench short.
        const size = name === 'cpu' ? 32 : 1024;
        const r = await trainRate(size, name === 'cpu' ? 2 : 6);
        lines.push({ figure: `world-model train, ${name}, batch ${size}`, value: r.samplesPerSec, unit: 'samples/s', baseline: { name: 'wasm b256', value: wasm.samplesPerSec }, ratio: r.samplesPerSec / wasm.samplesPerSec, ...(name === 'cpu' ? {} : { target: 20 }) });
        if (name !== 'cpu') {
          const t = await planLatency(20);
          lines.push({ figure: `world-model plan p50, ${name}`, value: percentile(t, 0.5), unit: 'ms', baseline: { name: 'wasm', value: p50 }, ratio: percentile(t, 0.5) / p50 });
        }
      }
      await selectBackend('wasm');
      return lines;
    },
  },
];
