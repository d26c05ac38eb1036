/**
 * Training of the behaviour-cloning baseline for one robot type: the loop behind
 * `planarena train bc`.
 *
 *   data     per scenario, `episodes` episodes of the scripted controller and as many with
 *            DART-style noise (bursts of random actions, every state labelled with what the
 *            controller would do there), through the world model's collection code and replay
 *            buffer (on disk; a second run with the same --out reuses them)
 *   train    `steps` Adam steps of mean squared error between the policy's action and the label
 *   save     the checkpoint (policy.json + weights.bin) and log.jsonl
 *
 * Layout of `<out>/<robot>/`: policy.json, weights.bin (what `--bc-checkpoint <out>` loads),
 * replay/ep-*.bin, log.jsonl. Ctrl-C (`signal.stop`) stops at the next step and saves.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import type { RobotType, Scenario } from '../../../scenarios/schema.ts';
import { createEnv } from '../../../sim/Env.ts';
import { Rng } from '../../../sim/rng.ts';
import type { PhysicsFlavor } from '../../../sim/types.ts';
import type { Planner } from '../../Planner.ts';
import { appendLineSync } from '../../world-model/io/files.ts';
import { observationLayout } from '../../world-model/io/observationLayout.ts';
import { inputLayout, modelInput } from '../../world-model/io/sceneFeatures.ts';
import { collectEpisode } from '../../world-model/training/collect.ts';
import { ReplayBuffer, type DataSource } from '../../world-model/training/ReplayBuffer.ts';
import { saveBcCheckpoint } from './BcCheckpoint.ts';
import { BcPolicy, defaultBcConfig } from './BcPolicy.ts';

export interface BcTrainOptions {
  robot: RobotType;
  scenarios: Scenario[];
  /** Gradient steps. */
  steps: number;
  /** Episodes per scenario of each kind (clean scripted, noisy scripted). */
  episodes: number;
  out: string;
  physics: PhysicsFlavor;
  backend: string;
  batch?: number;
  logEvery?: number;
  signal: { stop: boolean };
  progress: (line: string, final?: boolean) => void;
  /** The command line, stored with the checkpoint. */
  command: string;
}

export interface BcTrainResult {
  robot: RobotType;
  dir: string;
  step: number;
  stopped: boolean;
  episodes: number;
  samples: number;
  finalLoss: number | null;
  wallSeconds: number;
}

/** Data seeds never overlap evaluation seeds (the world model's training uses the same base). */
const SEED_BASE = 1_000_000;
/** DART bursts as the world model's seed data has them: ground robots one burst of five random
 * actions every ~30 steps, the arm (episodes of ~5 steps) short bursts often. */
const EXPLORE: Record<RobotType, { prob: number; hold: number }> = {
  diffdrive: { prob: 0.04, hold: 5 },
  pusher: { prob: 0.04, hold: 5 },
  arm: { prob: 0.3, hold: 2 },
};
/** The controller as a teacher keeps retrying rather than giving up, so it always has a label. */
const TEACHER_RETRIES = 100;

export async function trainBc(o: BcTrainOptions): Promise<BcTrainResult> {
  const dir = join(o.out, o.robot);
  const started = performance.now();
  const wall = () => Math.round((performance.now() - started) / 100) / 10;
  const config = { ...defaultBcConfig(o.robot), ...(o.batch ? { batch: o.batch } : {}) };
  const objects = config.objects > 0;
  const { obsDim, actionDim } = await shapeOf(o.scenarios[0], o.physics, objects);
  const replay = ReplayBuffer.open(join(dir, 'replay'), obsDim, actionDim);
  for (const s of replay.skipped) o.progress(`[bc ${o.robot}] replay: skipped ${s}`, true);

  // Collect: the scripted controller, clean and with DART noise, labelled by itself.
  const { factory: scripted } = await import('../scripted.ts');
  const planners: [DataSource, Planner][] = [
    ['scripted', await scripted.create({ config: {} })],
    ['scripted-explore', await scripted.create({ config: { scriptedRetries: TEACHER_RETRIES } })],
  ];
  const have = new Set(replay.episodes.map((e) => `${e.scenario}/${e.source}/${e.seed}`));
  const target = o.scenarios.length * o.episodes * planners.length;
  let done = 0;
  for (const scenario of o.scenarios) {
    for (let k = 0; k < o.episodes && !o.signal.stop; k++) {
      const seed = SEED_BASE + k;
      for (const [source, planner] of planners) {
        if (!have.has(`${scenario.id}/${source}/${seed}`)) {
          const opts = source === 'scripted-explore' ? { objects, teacher: planner, explore: { ...EXPLORE[o.robot], rng: Rng.fromKey(`bc\u0000explore\u0000${scenario.id}\u0000${seed}`) } } : { objects };
          replay.append((await collectEpisode(scenario, planner, seed, source, o.physics, o.signal, opts)).data);
        }
        o.progress(`[bc ${o.robot}] data ${++done}/${target} episodes, ${replay.transitions} transitions`);
      }
    }
  }
  for (const [, p] of planners) await p.dispose();
  o.progress(`[bc ${o.robot}] data: ${replay.episodes.length} episodes, ${replay.transitions} transitions`, true);

  // Train.
  const policy = new BcPolicy(config, { obsDim, actionDim });
  const stats = replay.observationStats();
  policy.encoder.setNormalization(stats.mean, stats.std);
  const optimizer = tf.train.adam(config.lr);
  const vars = policy.trainableVariables;
  const rng = Rng.fromKey(`bc\u0000train\u0000${o.robot}`);
  const logFile = join(dir, 'log.jsonl');
  const logEvery = o.logEvery ?? 100;
  const B = config.batch;
  let step = 0;
  let finalLoss: number | null = null;
  while (step < o.steps && !o.signal.stop) {
    // A gradient step is synchronous: let Ctrl-C's handler run between steps.
    await new Promise((r) => setImmediate(r));
    // Windows of one transition: the first B rows are the states, `imitation` says which have a
    // label (the teacher pauses after a failed skill: no label) and `imitationActions` the label.
    const batch = replay.sample(rng, B, 1);
    const report = (step + 1) % logEvery === 0 || step + 1 === o.steps;
    let loss: tf.Scalar | null = null;
    tf.tidy(() => {
      const x = tf.tensor2d(batch.obs.subarray(0, B * obsDim), [B, obsDim]);
      const y = tf.tensor2d(batch.imitationActions!.subarray(0, B * actionDim), [B, actionDim]);
      const w = tf.tensor1d(batch.imitation.subarray(0, B));
      const lossFn = () => tf.div(tf.sum(tf.mul(tf.sum(tf.square(tf.sub(policy.act(x), y)), 1), w)), tf.add(tf.sum(w), 1e-6)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(lossFn, vars);
      optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      if (report) loss = tf.keep(value);
    });
    step++;
    if (loss) {
      finalLoss = round((loss as tf.Scalar).dataSync()[0]);
      (loss as tf.Scalar).dispose();
      appendLineSync(logFile, JSON.stringify({ kind: 'loss', step, wallSeconds: wall(), imitation: finalLoss }));
      o.progress(`[bc ${o.robot}] step ${step}/${o.steps}  imitation loss ${finalLoss.toFixed(4)}`);
    }
  }
  optimizer.dispose();
  const stopped = step < o.steps;
  saveBcCheckpoint(dir, policy, {
    obsLayout: inputLayout(observationLayout(o.robot), objects),
    training: { step, steps: o.steps, stopped, episodes: replay.episodes.length, transitions: replay.transitions, finalLoss, scenarios: o.scenarios.map((s) => s.id), wallSeconds: wall(), backend: o.backend, command: o.command },
  });
  policy.dispose();
  o.progress(`[bc ${o.robot}] ${stopped ? `stopped at step ${step}` : `done: ${step} steps`} in ${wall()} s; checkpoint ${dir}`, true);
  return { robot: o.robot, dir, step, stopped, episodes: replay.episodes.length, samples: replay.transitions, finalLoss, wallSeconds: wall() };
}

async function shapeOf(scenario: Scenario, physics: PhysicsFlavor, objects: boolean): Promise<{ obsDim: number; actionDim: number }> {
  const env = await createEnv(scenario, { physics });
  try {
    return { obsDim: modelInput(env.reset({ seed: SEED_BASE }).obs, scenario.robot.type, objects).length, actionDim: env.actionSpace.dim };
  } finally {
    env.dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
