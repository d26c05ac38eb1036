/**
 * Training of one robot type's world model: the loop behind `planarena train world-model`.
 *
 *   seed data   scripted, random and scripted-explore episodes on every scenario of the robot
 *               (once); scripted-explore = the scripted controller with bursts of random
 *               actions, every state labelled with the controller's action (DART); for the
 *               pusher (and with recipe `shipped` diffdrive) also scripted-decoy = the
 *               controller pushing the crate, or driving, to random points (collect.ts
 *               `decoy`), labelled with its action for the true goal
 *   repeat      gradient steps on replayed windows (Trainer)
 *               every `collectEvery` steps: one episode with the model's own planner, every
 *               state labelled with the scripted controller's action (DAgger)
 *               every `saveEvery` steps: checkpoint + optimiser + state (resumable)
 *   finally     evaluation episodes, checkpoint with metrics, plot
 *
 * Layout of `<out>/<robot>/`:
 *   model.json, weights.bin   the checkpoint (what `--checkpoint <out>` loads)
 *   replay/ep-*.bin           the replay buffer (append-only, fsynced per episode)
 *   trainer/state.json, trainer/optimizer.bin   resume state
 *   log.jsonl                 one JSON object per line: losses, collections, evaluations
 *   training.svg              the plot of log.jsonl
 *
 * Ctrl-C (`signal.stop`) ends the loop at the next step boundary, after saving: no collected
 * episode is ever lost (each is on disk before training uses it) and `--resume` continues from
 * the saved step with the same optimiser moments and sampling stream.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';
import type { RobotType, Scenario } from '../../../scenarios/schema.ts';
import { Rng } from '../../../sim/rng.ts';
import type { PhysicsFlavor } from '../../../sim/types.ts';
import type { Planner } from '../../Planner.ts';
import { loadCheckpoint, readTensors, saveCheckpoint, writeTensors, type CheckpointMeta, type TensorEntry } from '../io/Checkpoint.ts';
import { collectEpisode, type CollectedEpisode, type CollectOptions } from './collect.ts';
import { defaultConfig, resolveConfig, type TrainConfig, type WorldModelConfig } from '../Configurator.ts';
import { appendLineSync, writeFileAtomic } from '../io/files.ts';
import { observationLayout } from '../io/observationLayout.ts';
import { inputLayout, modelInput } from '../io/sceneFeatures.ts';
import { lossPlotSvg, type LogRow } from './plot.ts';
import { ReplayBuffer, type DataSource } from './ReplayBuffer.ts';
import { Trainer, type Losses } from './Trainer.ts';
import { plannerForModel } from '../WorldModelPlanner.ts';
import { WorldModel } from '../model/WorldModel.ts';

export interface TrainOptions {
  robot: RobotType;
  scenarios: Scenario[];
  /** Gradient steps in total (a resumed run continues up to this number). */
  steps: number;
  out: string;
  resume: boolean;
  backend: string;
  physics: PhysicsFlavor;
  /** Seed episodes per scenario and per source (scripted, random, scripted-explore). */
  seedEpisodes: number;
  /** The same for generated levels (open-environment families: many levels, few episodes each;
   * default 1). */
  levelEpisodes?: number;
  collectEvery: number;
  saveEvery: number;
  logEvery: number;
  /** Evaluation seeds per scenario at the end (0: none). */
  evalSeeds: number;
  batch?: number;
  /** Planner settings for the model's own collection episodes, over COLLECT_PLAN (a search cheaper than evaluation's). */
  collectPlan?: Record<string, unknown>;
  /** Decoy-goal seed episodes in place of the robot's default (`DECOY`); null: none. */
  decoy?: DecoySpec | null;
  /** Training settings over the robot's defaults (Configurator.ts), e.g. the motion term. */
  train?: Partial<TrainConfig>;
  /** Set to stop at the next step boundary (Ctrl-C). */
  signal: { stop: boolean };
  /** Progress output (the CLI passes a TTY-aware writer; tests pass a no-op). */
  progress: (line: string, final?: boolean) => void;
  /** The command line, stored with the checkpoint. */
  command: string;
}

export interface TrainResult {
  robot: RobotType;
  dir: string;
  step: number;
  stopped: boolean;
  episodes: number;
  transitions: number;
  wallSeconds: number;
  evaluation: EvalSummary | null;
  lastLosses: Losses | null;
}

export interface EvalSummary {
  seeds: number[];
  scenarios: Record<string, { successRate: number; meanReturn: number; meanFinalDistance: number }>;
  successRate: number;
}

interface TrainerState {
  step: number;
  episodesCollected: number;
  wallSeconds: number;
  rng: [number, number, number, number];
  optimizer: { file: string; sha256: string; tensors: TensorEntry[] };
}

/** Seeds for training data never overlap the evaluation seeds users run (small integers). */
const SEED_BASE = 1_000_000;
const COLLECT_SEED_BASE = 2_000_000;
/** The model's own collection episodes plan with a quarter of the samples and half the
 * iterations of evaluation: data collection needs reasonable behaviour, not the best. */
const COLLECT_PLAN = { wmSamples: 64, wmElites: 8, wmIterations: 2 };
/** The scripted controller as a teacher (imitation labels for states others visit) keeps
 * retrying its skills rather than giving up, so that it always has an answer. */
const TEACHER_RETRIES = 100;
/** Exploration bursts of the `scripted-explore` seed episodes: ground robots get on average one
 * burst of five random actions every ~30 steps, each followed by the controller's recovery; the
 * arm, whose scripted episodes last only ~5 steps, short bursts often. */
const EXPLORE: Record<RobotType, { prob: number; hold: number }> = {
  diffdrive: { prob: 0.04, hold: 5 },
  pusher: { prob: 0.12, hold: 5 },
  arm: { prob: 0.3, hold: 2 },
};

/** How decoy-goal seed episodes are drawn (collect.ts `decoy`, less its random stream). */
export type DecoySpec = Omit<NonNullable<CollectOptions['decoy']>, 'rng'>;

/** Decoy-goal seed episodes (`scripted-decoy`, collect.ts) by default, labelled with the scripted
 * controller's action for the true goal. Pusher: the controller pushes the crate to random points
 * of the arena, from every side, a new point every 8 s or once the crate is there. A recipe may
 * give others (recipe.ts `shipped`: the diffdrive driving to random points and stopping there). */
const DECOY: Partial<Record<RobotType, DecoySpec>> = {
  pusher: { every: 80, reached: 0.3, margin: 0.8 },
};

async function scriptedTeacher(): Promise<Planner> {
  const { factory } = await import('../../baselines/scripted.ts');
  return factory.create({ config: { scriptedRetries: TEACHER_RETRIES } });
}

export async function trainRobot(o: TrainOptions): Promise<TrainResult> {
  const dir = join(o.out, o.robot);
  const stateFile = join(dir, 'trainer', 'state.json');
  const logFile = join(dir, 'log.jsonl');
  if (!o.resume && existsSync(stateFile)) {
    throw new UserError('E_TRAIN_EXISTS', `${dir} already holds a training run; pass --resume to continue it or --out <new dir> to start over.`);
  }
  if (o.resume && existsSync(stateFile) && !existsSync(join(dir, 'model.json'))) {
    throw new UserError('E_CHECKPOINT', `${stateFile} exists but ${join(dir, 'model.json')} does not; the run directory is incomplete. Start over with a new --out.`);
  }
  const probe = o.scenarios[0];
  const objects = (defaultConfig(o.robot).model.objects ?? 0) > 0;
  const layout = inputLayout(observationLayout(o.robot), objects);
  const { obsDim, actionDim } = await shapeOf(probe, o.physics, objects);
  const replay = ReplayBuffer.open(join(dir, 'replay'), obsDim, actionDim);
  for (const s of replay.skipped) o.progress(`[${o.robot}] replay: skipped ${s}`, true);
  const started = performance.now();
  const log = (row: LogRow) => appendLineSync(logFile, JSON.stringify(row));

  // Seed data: scripted (good behaviour) and random (coverage), once per buffer.
  const episodesOf = (s: Scenario) => (s.generated ? (o.levelEpisodes ?? 1) : o.seedEpisodes);
  const decoy = o.decoy !== undefined ? o.decoy : DECOY[o.robot];
  const seedTarget = o.scenarios.reduce((n, s) => n + episodesOf(s), 0) * (decoy ? 4 : 3);
  if (replay.episodes.filter((e) => e.seed >= SEED_BASE && e.seed < COLLECT_SEED_BASE).length < seedTarget) {
    const have = new Set(replay.episodes.map((e) => `${e.scenario}/${e.source}/${e.seed}`));
    const { factory: scripted } = await import('../../baselines/scripted.ts');
    const { factory: random } = await import('../../baselines/random.ts');
    const planners: [DataSource, Planner][] = [
      ['scripted', await scripted.create({ config: {} })],
      ['random', await random.create({ config: { randomHold: 3 } })],
      ['scripted-explore', await scripted.create({ config: { scriptedRetries: TEACHER_RETRIES } })],
    ];
    if (decoy) planners.push(['scripted-decoy', await scripted.create({ config: { scriptedRetries: TEACHER_RETRIES } })]);
    const teacher = decoy ? await scriptedTeacher() : null;
    let done = 0;
    for (const scenario of o.scenarios) {
      for (let k = 0; k < episodesOf(scenario); k++) {
        for (const [source, planner] of planners) {
          const seed = SEED_BASE + k;
          if (o.signal.stop) break;
          if (!have.has(`${scenario.id}/${source}/${seed}`)) {
            const key = `${scenario.id}\u0000${seed}`;
            const opts =
              source === 'scripted-explore' ? { objects, teacher: planner, explore: { ...EXPLORE[o.robot], rng: Rng.fromKey(`world-model\u0000explore\u0000${key}`) } }
              : source === 'scripted-decoy' ? { objects, teacher: teacher!, decoy: { ...decoy!, rng: Rng.fromKey(`world-model\u0000decoy\u0000${key}`) } }
              : { objects };
            replay.append((await collectEpisode(scenario, planner, seed, source, o.physics, o.signal, opts)).data);
          }
          await yieldToEventLoop();
          o.progress(`[${o.robot}] seed data ${++done}/${seedTarget} episodes, ${replay.transitions} transitions`);
        }
      }
    }
    for (const [, p] of planners) await p.dispose();
    await teacher?.dispose();
    o.progress(`[${o.robot}] seed data: ${replay.episodes.length} episodes, ${replay.transitions} transitions`, true);
    if (o.signal.stop) return finish(null, 0, true, null, null);
  }

  // Model, optimiser and sampling stream: fresh, or as saved.
  let model: WorldModel;
  let meta: CheckpointMeta;
  const base: WorldModelConfig = defaultConfig(o.robot);
  if (o.train) base.train = { ...base.train, ...o.train };
  if (o.batch) base.train.batch = o.batch;
  const config = resolveConfig(base);
  let state: TrainerState | null = null;
  if (o.resume && existsSync(stateFile)) {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as TrainerState;
    ({ model, meta } = loadCheckpoint(dir, { robot: o.robot, obsLayout: observationLayout(o.robot), actionDim }));
  } else {
    model = new WorldModel(config, { obsDim, actionDim });
    const stats = replay.observationStats();
    model.encoder.setNormalization(stats.mean, stats.std);
    model.targetEncoder.follow(model.encoder, 1);
    meta = { ...saveCheckpoint(dir, model, { obsLayout: layout, training: { step: 0 } }) };
  }
  const trainer = new Trainer(model, model.config.train, model.config.plan.gamma);
  const rng = Rng.fromKey(`world-model\u0000train\u0000${o.robot}`);
  let step = 0;
  let episodesCollected = 0;
  let priorWall = 0;
  if (state) {
    // tfjs matches Adam's moments to variables by position; the model's variable order is fixed.
    const tensors = readTensors(join(dir, 'trainer', state.optimizer.file), state.optimizer, stateFile);
    await trainer.setOptimizerState([...tensors.values()].map((t) => tf.tensor(t.values, t.shape)));
    rng.setState(state.rng);
    step = state.step;
    episodesCollected = state.episodesCollected;
    priorWall = state.wallSeconds;
    o.progress(`[${o.robot}] resuming at step ${step}/${o.steps} with ${replay.episodes.length} episodes`, true);
  }

  const wall = () => priorWall + (performance.now() - started) / 1000;
  const save = async (training: Record<string, unknown>) => {
    meta = saveCheckpoint(dir, model, { obsLayout: layout, training: { ...training, step, wallSeconds: round(wall()), backend: o.backend, command: o.command, episodes: replay.episodes.length, transitions: replay.transitions } });
    const opt = writeTensors(join(dir, 'trainer', 'optimizer.bin'), await trainer.optimizerState());
    const s: TrainerState = { step, episodesCollected, wallSeconds: round(wall()), rng: rng.state(), optimizer: { file: 'optimizer.bin', ...opt } };
    writeFileAtomic(stateFile, JSON.stringify(s) + '\n');
    writePlot();
  };
  const writePlot = () => {
    const rows = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogRow) : [];
    writeFileSync(join(dir, 'training.svg'), lossPlotSvg(`world model · ${o.robot} · ${o.backend}`, rows));
  };

  // Train.
  const B = model.config.train.batch;
  const R = model.config.train.rollout;
  let lastLosses: Losses | null = null;
  let windowStart = performance.now();
  let windowSteps = 0;
  while (step < o.steps && !o.signal.stop) {
    // A gradient step is synchronous: let Ctrl-C's handler run between steps.
    await yieldToEventLoop();
    if (o.signal.stop) break;
    const report = (step + 1) % o.logEvery === 0 || step === 0;
    const losses = trainer.step(replay.sample(rng, B, R, model.config.train.nearGoal), report);
    step++;
    windowSteps++;
    if (losses) {
      const secs = (performance.now() - windowStart) / 1000;
      const samplesPerSec = (windowSteps * B) / Math.max(secs, 1e-9);
      lastLosses = losses;
      log({ kind: 'loss', step, wallSeconds: round(wall()), samplesPerSec: Math.round(samplesPerSec), ...roundAll(losses) });
      o.progress(progressLine(o.robot, step, o.steps, losses, samplesPerSec, replay.episodes.length));
      windowStart = performance.now();
      windowSteps = 0;
    }
    if (o.collectEvery > 0 && step % o.collectEvery === 0 && !o.signal.stop) {
      const scenario = o.scenarios[episodesCollected % o.scenarios.length];
      const planner = plannerForModel(model, meta, { ...COLLECT_PLAN, ...o.collectPlan });
      const teacher = await scriptedTeacher();
      const ep = await collectEpisode(scenario, planner, COLLECT_SEED_BASE + episodesCollected, 'world-model', o.physics, o.signal, { teacher, objects });
      await planner.dispose();
      await teacher.dispose();
      replay.append(ep.data);
      episodesCollected++;
      log({ kind: 'collect', step, scenario: scenario.id, success: ep.success, return: round(ep.return), steps: ep.data.length, finalGoalDistance: round(ep.finalGoalDistance) });
    }
    if (step % o.saveEvery === 0 || step === o.steps || o.signal.stop) await save({ losses: lastLosses ? roundAll(lastLosses) : null });
  }
  if (o.signal.stop) {
    await save({ losses: lastLosses ? roundAll(lastLosses) : null });
    o.progress(`[${o.robot}] stopped at step ${step}; continue with --resume`, true);
    return finish(model, step, true, null, lastLosses, trainer);
  }

  // Evaluate.
  let evaluation: EvalSummary | null = null;
  if (o.evalSeeds > 0) {
    evaluation = await evaluate(model, meta, o);
    log({ kind: 'eval', step, successRate: evaluation.successRate, scenarios: evaluation.scenarios });
    o.progress(`[${o.robot}] evaluation (${o.evalSeeds} seeds): success ${(evaluation.successRate * 100).toFixed(0)}% ${Object.entries(evaluation.scenarios).map(([k, v]) => `${k} ${(v.successRate * 100).toFixed(0)}%`).join(', ')}`, true);
  }
  await save({ losses: lastLosses ? roundAll(lastLosses) : null, evaluation });
  o.progress(`[${o.robot}] done: ${step} steps in ${wall().toFixed(0)} s; checkpoint ${dir}`, true);
  return finish(model, step, false, evaluation, lastLosses, trainer);

  function finish(m: WorldModel | null, s: number, stopped: boolean, ev: EvalSummary | null, l: Losses | null, t?: Trainer): TrainResult {
    t?.dispose();
    m?.dispose();
    return { robot: o.robot, dir, step: s, stopped, episodes: replay.episodes.length, transitions: replay.transitions, wallSeconds: round(wall()), evaluation: ev, lastLosses: l };
  }
}

/** Runs the model's planner on seeds 1..N of every scenario: success rate, return, final distance. */
export async function evaluate(model: WorldModel, meta: CheckpointMeta, o: Pick<TrainOptions, 'scenarios' | 'evalSeeds' | 'physics' | 'signal' | 'progress' | 'robot'>): Promise<EvalSummary> {
  const seeds = Array.from({ length: o.evalSeeds }, (_, i) => i + 1);
  const scenarios: EvalSummary['scenarios'] = {};
  let successes = 0;
  let total = 0;
  for (const scenario of o.scenarios) {
    const eps: CollectedEpisode[] = [];
    for (const seed of seeds) {
      await yieldToEventLoop();
      if (o.signal.stop) break;
      const planner = plannerForModel(model, meta);
      const ep = await collectEpisode(scenario, planner, seed, 'world-model', o.physics, o.signal);
      if (!o.signal.stop) eps.push(ep);
      await planner.dispose();
      o.progress(`[${o.robot}] evaluating ${scenario.id} seed ${seed}`);
    }
    const n = Math.max(eps.length, 1);
    scenarios[scenario.id] = {
      successRate: round(eps.filter((e) => e.success).length / n),
      meanReturn: round(eps.reduce((s, e) => s + e.return, 0) / n),
      meanFinalDistance: round(eps.reduce((s, e) => s + e.finalGoalDistance, 0) / n),
    };
    successes += eps.filter((e) => e.success).length;
    total += eps.length;
  }
  return { seeds, scenarios, successRate: round(successes / Math.max(total, 1)) };
}

async function shapeOf(scenario: Scenario, physics: PhysicsFlavor, objects: boolean): Promise<{ obsDim: number; actionDim: number }> {
  const { createEnv } = await import('../../../sim/Env.ts');
  const env = await createEnv(scenario, { physics });
  try {
    return { obsDim: modelInput(env.reset({ seed: SEED_BASE }).obs, scenario.robot.type, objects).length, actionDim: env.actionSpace.dim };
  } finally {
    env.dispose();
  }
}

function progressLine(robot: string, step: number, total: number, l: Losses, sps: number, episodes: number): string {
  const width = 24;
  const filled = Math.round((width * step) / total);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `[${robot}] ${bar} ${step}/${total}  loss ${l.total.toFixed(3)} (jepa ${l.jepa.toFixed(3)} goal ${l.goal.toFixed(3)} value ${l.value.toFixed(3)} actor ${l.actor.toFixed(3)})  ${Math.round(sps)} samples/s  ${episodes} episodes`;
}

/** Signal handlers run only when the event loop turns; promises alone never let it. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function roundAll(l: Losses): Losses {
  return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, round(v)])) as Losses;
}
