/**
 * The world-model planner: encode the observation, plan by MPPI in latent space with actor
 * proposals and warm start, act with the first action of the refined plan. Two factories share
 * it: `world-model`, and the ablation `world-model-actor`, which acts on the first action of the
 * actor's deterministic sequence (one sample, no search; see `ACTOR_ONLY_OVERRIDES`).
 *
 * Config (`PlannerOptions.config`, from CLI flags):
 * - `checkpoint`: checkpoint directory; default `planners/world-model/checkpoints/<robot>` (shipped);
 * - `wmBackend` (`--set wm-backend=...`): tfjs backend (default `wasm`: fast on CPUs and
 *   deterministic; `auto` may pick a GPU, whose kernels are not bit-reproducible);
 * - planner overrides `--set wm-<key>=<value>`: `horizon`, `samples`, `actor-samples`, `elites`,
 *   `iterations`, `temperature`, `min-std`, `max-std`, `imagined` (see Configurator.ts).
 *
 * `info.imagined` carries the decision's imagined futures for the viewer: elites and a few other
 * samples, decoded to world positions by the probe head, with their costs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../core/errors.ts';
import type { RobotType } from '../../scenarios/schema.ts';
import { Rng } from '../../sim/rng.ts';
import type { Observation, SceneObject } from '../../sim/types.ts';
import type { ActResult, ObservationSpec, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../Planner.ts';
import { BACKENDS, type BackendChoice, describeSelection, selectBackend } from './io/backend.ts';
import { loadCheckpoint, type CheckpointMeta } from './io/Checkpoint.ts';
import { readCheckpointMeta, validateCheckpoint } from './io/validateCheckpoint.ts';
import { robotPoint } from './io/sceneFeatures.ts';
import { RouteFieldCache } from './planning/routeCost.ts';
import { ACTOR_ONLY, defaultConfig, resolveConfig, STALL_GAIN, type PlanConfig, type WorldModelConfig } from './Configurator.ts';
import { actorProposals, decodePaths, observedScene, routeShape, sequenceCosts, type ObstacleScene } from './planning/Imagination.ts';
import { Memory } from './model/Memory.ts';
import { Mppi, type MppiResult, type SequenceEvaluator } from './planning/Mppi.ts';
import { observationLayout } from './io/observationLayout.ts';
import type { WorldModel } from './model/WorldModel.ts';
import { worldModelIntent } from './intent.ts';
import { pushedObject } from '../../sim/observation.ts';
import { nextPhase, pushDirection, pushFrame, StagingFieldCache, type PushPhase } from './planning/pushStage.ts';
import { robotRadius } from '../skills/drive.ts';

/** Where shipped checkpoints live: one directory per robot type. */
export const SHIPPED_CHECKPOINTS = fileURLToPath(new URL('./checkpoints/', import.meta.url));

/** The checkpoint directory the planner uses for `robot` under `config`. */
export function checkpointDir(robot: RobotType, config: Record<string, unknown>): string {
  const c = config.checkpoint;
  if (typeof c === 'string' && c.length > 0) {
    // A directory holding per-robot subdirectories (what `train --out` writes) or one checkpoint.
    const perRobot = join(c, robot);
    return resolve(existsSync(join(perRobot, 'model.json')) ? perRobot : c);
  }
  return join(SHIPPED_CHECKPOINTS, robot);
}

/** The checkpoint directories under a `--checkpoint` the user gave: the directory itself when it
 * holds model.json, else its per-robot subdirectories that do; none when not given. */
export function userCheckpointDirs(config: Record<string, unknown>): string[] {
  const c = config.checkpoint;
  if (typeof c !== 'string' || c.length === 0 || !existsSync(c)) return [];
  if (existsSync(join(c, 'model.json'))) return [resolve(c)];
  if (!statSync(c).isDirectory()) return [resolve(c)];
  return readdirSync(c)
    .filter((d) => existsSync(join(c, d, 'model.json')))
    .sort()
    .map((d) => resolve(c, d));
}

/** Robots with a shipped checkpoint. */
export function shippedRobots(): RobotType[] {
  if (!existsSync(SHIPPED_CHECKPOINTS)) return [];
  return readdirSync(SHIPPED_CHECKPOINTS).filter((d) => existsSync(join(SHIPPED_CHECKPOINTS, d, 'model.json'))) as RobotType[];
}

/** Null when the planner can run for `robot`; otherwise the reason and the fix. */
export function unavailableFor(robot: RobotType, config: Record<string, unknown>): string | null {
  const dir = checkpointDir(robot, config);
  if (existsSync(join(dir, 'model.json'))) return null;
  return `no world-model checkpoint for robot "${robot}" at ${dir}; train one with \`planarena train world-model --suite <suite> --out <dir>\` and pass --checkpoint <dir>`;
}

function backendOf(config: Record<string, unknown>): BackendChoice {
  const b = config.wmBackend ?? 'wasm';
  if (typeof b !== 'string' || !(BACKENDS as readonly string[]).includes(b)) {
    throw new UserError('E_PLANNER_CONFIG', `world-model: --set wm-backend must be one of ${BACKENDS.join(', ')}; got ${JSON.stringify(b)}.`);
  }
  return b as BackendChoice;
}

interface Loaded {
  model: WorldModel;
  meta: CheckpointMeta;
}

/**
 * The ablation `world-model-actor`: the same model acting on its actor's sequence alone
 * (`ACTOR_ONLY`: one sample, the actor's deterministic sequence, no search), with the behaviour
 * prior off. Written as `--set wm-...` overrides applied after the user's, so a run that also
 * tunes world-model's search (`--set wm-samples=512`) cannot turn the ablation into a search.
 */
const ACTOR_ONLY_OVERRIDES: Record<string, number> = {
  ...Object.fromEntries(Object.entries(ACTOR_ONLY).map(([k, v]) => [`wm${k[0].toUpperCase()}${k.slice(1)}`, v as number])),
  wmCostPrior: 0,
  // One sample: nothing to rank, so the clearance term would only cost time.
  wmCostClearance: 0,
  wmCostRoute: 0,
  wmCostSettle: 0,
  wmCostOutside: 0,
  // Nothing to widen: its one sample is the actor's.
  wmStall: 0,
  // The actor alone: no staging subgoal, push line or correction of the imagination.
  wmStage: 0,
  wmCostLine: 0,
  wmBias: 0,
};

/** How far the task's subject (the robot point, or on push tasks the pushed object) is from the
 * goal: by the route field where the plan routes, else in a straight line (m). */
function goalProgress(obs: Observation, anchor: readonly number[], scene: ObstacleScene | undefined): number {
  const at = scene?.subject ?? (obs.goal.type === 'push' ? pushedPoint(obs) : undefined) ?? anchor;
  const g = obs.goal.position;
  if (scene?.route) return scene.route.distance(at[0], at[1], 0);
  return Math.hypot(...g.map((v, i) => (at[i] ?? 0) - v));
}

function pushedPoint(obs: Observation): number[] | undefined {
  const o = pushedObject(obs);
  return o ? [o.x, o.y, o.z] : undefined;
}

/** What the planner is: the full search, or the actor alone (the policy-only ablation). */
type Variant = 'world-model' | 'world-model-actor';

/** What one decision planned from: the model, the observation's latent and the resolved plan settings. */
export interface DecisionContext {
  model: WorldModel;
  /** The observation's latent, [1, latent]; owned by the planner (valid during the call only). */
  z0: tf.Tensor2D;
  obs: Observation;
  plan: Readonly<PlanConfig>;
}

/**
 * Diagnostic hooks (`planners/world-model/diagnose/`): swap the sequence evaluator of a decision
 * (ablations: true cost, true model) and see every plan. The default planner has none.
 */
export interface PlannerHooks {
  /** Costs for this decision's MPPI instead of the learned cost (`sequenceCosts`). */
  evaluator?(ctx: DecisionContext): SequenceEvaluator;
  /** Every decision: its MPPI result and the sequence acted on ([horizon][actionDim]). */
  onPlan?(ctx: DecisionContext, result: MppiResult, sequence: Float32Array): void;
}

class WorldModelPlanner implements Planner {
  private readonly loaded = new Map<string, Loaded>();
  private current: Loaded | null = null;
  private config: Readonly<WorldModelConfig> | null = null;
  private mppi: Mppi | null = null;
  private rng: Rng | null = null;
  private readonly memory = new Memory();
  private stuckSteps = 0;
  private stalledSteps = 0;
  private stagingSteps = 0;
  /** Whether this episode's task has the staging subgoal (its decisions are counted). */
  private stagedTask = false;
  /** The best route length so far when the stall response fired; null while it is off. */
  private stallFrom: number | null = null;
  private decisions = 0;
  private controlPeriod = 0.1;
  private arena: readonly [number, number] = [10, 10];
  private readonly routes = new RouteFieldCache();
  /** Push tasks with the staging subgoal: the phase, and the route field to the staging point. */
  private pushPhase: PushPhase = 'stage';
  private pushDir: [number, number] | undefined;
  /** This decision's staging subgoal, for the decision's info. */
  private subgoal: { phase: PushPhase; staging: number[]; direction: number[] } | null = null;
  private readonly staging = new StagingFieldCache();

  constructor(
    private readonly options: Record<string, unknown>,
    readonly backend: string,
    /** A model in memory (training's own collection and evaluation); the planner does not own it. */
    private readonly fixed: Loaded | null = null,
    readonly name: Variant = 'world-model',
    private readonly hooks: PlannerHooks = {},
  ) {}

  async reset(task: TaskSpec, seed: number): Promise<void> {
    const robot = task.robot;
    const dir = this.fixed ? '(in memory)' : checkpointDir(robot, this.options);
    let entry = this.fixed ?? this.loaded.get(dir);
    if (this.fixed && this.fixed.meta.robot !== robot) throw new Error(`world-model: in-memory model is for ${this.fixed.meta.robot}, scenario uses ${robot}`);
    if (!entry) {
      const layout = observationLayout(robot);
      entry = loadCheckpoint(dir, { robot, actionDim: task.actionSpace.dim, obsLayout: layout });
      this.loaded.set(dir, entry);
    }
    this.current = entry;
    // Planner settings come from today's defaults plus the run's overrides, not from the
    // checkpoint: planning can be retuned without retraining. The model part is the checkpoint's.
    this.config = resolveConfig({ ...entry.meta.config, plan: defaultConfig(robot).plan }, planOverrides(this.name, this.options));
    this.mppi = new Mppi(this.config.plan, task.actionSpace.dim);
    this.rng = Rng.stream(task.scenarioId, seed, 'planner:world-model');
    this.controlPeriod = task.controlPeriod;
    this.arena = task.arena.size;
    this.routes.clear();
    this.staging.clear();
    this.pushPhase = 'stage';
    this.pushDir = undefined;
    this.memory.clear();
    this.stuckSteps = 0;
    this.stalledSteps = 0;
    this.stagingSteps = 0;
    this.stagedTask = false;
    this.stallFrom = null;
    this.decisions = 0;
  }

  async act(obs: Observation): Promise<ActResult> {
    if (!this.current || !this.config || !this.mppi || !this.rng) throw new Error('world-model: act() before reset()');
    const { model, meta } = this.current;
    const settings = this.config.plan;
    const input = model.input(obs);
    if (input.length !== meta.obsDim) {
      throw new UserError('E_CHECKPOINT', `world-model: observation gives ${input.length} input slots but the checkpoint expects ${meta.obsDim}; retrain it for the current simulator.`);
    }
    const z0 = tf.tidy(() => model.encode(tf.tensor2d(input, [1, meta.obsDim])));
    try {
      this.memory.observe(z0.dataSync() as Float32Array);
      const stuck = this.memory.stuck();
      if (stuck) this.stuckSteps++;
      this.decisions++;
      // The hard-wired terms read what the observation lists (what the LLM sees).
      const anchor = robotPoint(obs, model.config.robot);
      const scene = observedScene(obs, settings, this.config.robot, this.controlPeriod, this.arena, this.routes);
      // The configurator's stall response: no gain towards the goal for `stall` decisions, so
      // the search leaves the actor (no behaviour prior, the whole action range) until the route
      // length has fallen `stallRelease` below its best when the response fired.
      const remaining = goalProgress(obs, anchor, scene);
      const since = this.memory.progress(remaining, STALL_GAIN);
      const outside = remaining > obs.goal.tolerance;
      if (this.stallFrom !== null && remaining <= this.stallFrom - (settings.stallRelease ?? STALL_GAIN)) this.stallFrom = null;
      if (this.stallFrom === null && settings.stall && since >= settings.stall && outside) this.stallFrom = this.memory.bestDistance;
      const stalled = this.stallFrom !== null && outside;
      if (stalled) this.stalledSteps++;
      let plan: Readonly<PlanConfig> = stalled ? { ...settings, cost: { ...settings.cost, prior: 0 } } : settings;
      // The staging subgoal (push tasks, ground robots): until the robot stands behind the
      // crate, the route cost reads the imagined robot against the way to the staging point.
      const stageScene = this.stageScene(obs, settings, anchor, scene);
      // The actor was taught the whole push, not this subgoal: while staging, the search drops
      // its prior and samples the whole action range, as the stall response does.
      const staging = !!stageScene && this.pushPhase === 'stage';
      if (staging) this.stagingSteps++;
      if (staging) plan = { ...plan, cost: { ...plan.cost, approach: 0, outside: 0, prior: 0 } };
      // Offset-free correction: the costs read imagined positions less the memory's bias.
      const rate = settings.bias ?? 0;
      const bias = rate > 0 ? this.memory.motionBias(anchor, pushedPoint(obs), rate) : undefined;
      const base = stageScene ?? scene;
      const costScene = base && bias ? { ...base, bias } : base;
      // With the settle cost, braking (the all-zero sequence) is always among the candidates.
      const settles = plan.cost.settle > 0 && !!scene?.goal;
      const proposals = actorProposals(model, z0, Math.max(plan.actorSamples, plan.actorPrior ? 1 : 0), plan.horizon, this.rng);
      const L = plan.horizon * meta.actionDim;
      const prior = plan.actorPrior ? proposals.subarray(0, L) : undefined;
      const own = proposals.subarray(0, plan.actorSamples * L);
      const offered = settles && plan.actorSamples < plan.samples ? withBraking(own, L) : own;
      const width = stuck ? 2 : stalled || staging ? 1 : prior ? plan.priorStd : 1;
      const ctx: DecisionContext = { model, z0, obs, plan };
      const evaluate = this.hooks.evaluator?.(ctx) ?? ((seqs: Float32Array, n: number) => sequenceCosts(model, z0, seqs, n, plan, costScene));
      const result = await this.mppi.plan(this.rng, evaluate, offered, width, prior);

      // Imagined futures for the viewer: the best elites, then evenly spread other samples.
      const A = meta.actionDim;
      const nElite = Math.min(result.elites.length, Math.ceil(plan.imagined / 2));
      const eliteSet = new Set(result.elites.slice(0, nElite));
      const rest = Array.from({ length: plan.samples }, (_, i) => i).filter((i) => !eliteSet.has(i));
      const want = Math.min(plan.imagined - nElite, rest.length);
      const others = Array.from({ length: want }, (_, k) => rest[Math.floor((k * rest.length) / want)]);
      const chosen = [...eliteSet, ...others];
      const seqs = new Float32Array(chosen.length * L);
      chosen.forEach((idx, k) => seqs.set(result.sequences.subarray(idx * L, (idx + 1) * L), k * L));
      const paths = decodePaths(model, z0, seqs, chosen.length, plan.horizon, obs.goal.position, anchor);
      // Push tasks: the imagined object paths too, where the probe decodes the object.
      const pushed = model.probe.decodesSubject ? pushedObject(obs) : undefined;
      const objectPaths = pushed ? decodePaths(model, z0, seqs, chosen.length, plan.horizon, obs.goal.position, [pushed.x, pushed.y, pushed.z], 'subject') : null;
      const rollouts = chosen.map((idx, k) => ({ points: paths[k], cost: round3(result.costs[idx]), elite: eliteSet.has(idx), ...(objectPaths ? { subject: objectPaths[k] } : {}) }));

      const action = plan.greedy ? result.bestAction : result.action;
      this.hooks.onPlan?.(ctx, result, plan.greedy ? result.sequences.slice(result.elites[0] * L, (result.elites[0] + 1) * L) : result.mean);
      const predicted = tf.tidy(() => model.next(z0, tf.tensor2d([action], [1, A])));
      this.memory.act(action, predicted.dataSync() as Float32Array);
      if (rate > 0) this.expectMotion(model, z0, predicted, anchor, pushed);
      predicted.dispose();
      const goal = tf.tidy(() => model.cost.goalDistance(z0));
      const predictedGoalDistance = round3(goal.dataSync()[0]);
      goal.dispose();

      return {
        action,
        info: {
          imagined: { rollouts },
          worldModel: { expectedCost: round3(result.expectedCost), predictedGoalDistance, stuck, ...(settings.stall ? { stalled } : {}), ...(this.subgoal ? { subgoal: this.subgoal } : {}), backend: this.backend },
          intent: worldModelIntent({ obs, rollouts, imagined: plan.samples, controlPeriod: this.controlPeriod, predictedGoalDistance, stuck, stalled, ...(staging && this.subgoal ? { staging: this.subgoal.staging } : {}) }),
        },
      };
    } finally {
      z0.dispose();
    }
  }

  /** Records in the memory the one-step motion the probe decodes from `z0` to `next` (the
   * robot's, and the pushed object's where the probe decodes it), for the offset-free correction. */
  private expectMotion(model: WorldModel, z0: tf.Tensor2D, next: tf.Tensor2D, anchor: readonly number[], pushed: SceneObject | undefined): void {
    const both = tf.concat([z0, next], 0) as tf.Tensor2D;
    const motion = (decode: () => tf.Tensor2D): number[] => {
      const head = tf.tidy(decode);
      const d = head.dataSync();
      head.dispose();
      return [d[3] - d[0], d[4] - d[1], d[5] - d[2]];
    };
    const robot = motion(() => model.probe.position(both));
    const subject = pushed ? motion(() => model.probe.subject(both)) : undefined;
    both.dispose();
    this.memory.expectMotion(anchor, robot, pushed ? [pushed.x, pushed.y, pushed.z] : undefined, subject);
  }

  /** Whether the staging subgoal applies to this task: push tasks on ground robots, when on. */
  private staged(obs: Observation): boolean {
    return !!this.config?.plan.stage && this.config.robot !== 'arm' && obs.goal.type === 'push';
  }

  /** The scene the plan is costed on under the staging subgoal (the phase is updated first):
   * while staging, the way to the staging point; while pushing, the task's scene with the push
   * line. Undefined where the subgoal does not apply. */
  private stageScene(obs: Observation, settings: Readonly<PlanConfig>, anchor: readonly number[], scene: ObstacleScene | undefined): ObstacleScene | undefined {
    const crate = this.staged(obs) ? pushedObject(obs) : undefined;
    this.subgoal = null;
    this.stagedTask ||= !!crate;
    if (!crate || !scene) return undefined;
    const radius = robotRadius(obs);
    const [ux, uy] = (this.pushDir = pushDirection(crate, obs.goal.position, scene.route, this.pushDir));
    const frame = pushFrame(anchor, crate, [ux, uy], radius);
    this.pushPhase = nextPhase(this.pushPhase, frame, anchor, radius);
    this.subgoal = { phase: this.pushPhase, staging: frame.staging.map(round3), direction: [round3(ux), round3(uy)] };
    if (this.pushPhase === 'push') return { ...scene, line: { x: crate.x, y: crate.y, ux, uy } };
    const route = this.staging.get(this.arena, frame.staging, obs.objects, crate.id, routeShape(settings));
    return { anchor: scene.anchor, obstacles: scene.obstacles, dt: scene.dt, route };
  }

  episodeStats(): Record<string, number> {
    const err = this.memory.predictionError();
    return {
      wmDecisions: this.decisions,
      wmStuckDecisions: this.stuckSteps,
      ...(this.config?.plan.stall ? { wmStalledDecisions: this.stalledSteps } : {}),
      ...(this.stagedTask ? { wmStagingDecisions: this.stagingSteps } : {}),
      ...(Number.isFinite(err) ? { wmLatentPredictionRms: round3(err) } : {}),
    };
  }

  dispose(): void {
    for (const { model } of this.loaded.values()) model.dispose();
    this.loaded.clear();
    this.current = null;
  }
}

/** The actor's proposals followed by one all-zero sequence (`length` numbers): braking. */
function withBraking(proposals: Float32Array, length: number): Float32Array {
  const out = new Float32Array(proposals.length + length);
  out.set(proposals);
  return out;
}

/** The planner overrides a variant runs with: the user's, and for the actor ablation `ACTOR_ONLY` on top. */
function planOverrides(variant: Variant, options: Record<string, unknown>): Record<string, unknown> {
  return variant === 'world-model-actor' ? { ...options, ...ACTOR_ONLY_OVERRIDES } : options;
}

/** A planner around a model in memory (used by training); the caller keeps ownership of the model. */
export function plannerForModel(model: WorldModel, meta: CheckpointMeta, config: Record<string, unknown> = {}, hooks: PlannerHooks = {}): Planner {
  return new WorldModelPlanner(config, 'in-memory', { model, meta }, 'world-model', hooks);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000 || 0; // no -0: it would not survive JSON
}

/** What a world-model checkpoint reads, by robot: its input layout (the flat vector, then the
 * object set when it has one). Metadata only; a missing or broken checkpoint is preflight's to report. */
function checkpointObservation(robots: readonly RobotType[], dirOf: (robot: RobotType) => string): ObservationSpec {
  const inputLayout: Record<string, string[]> = {};
  let objects = false;
  for (const robot of robots) {
    const dir = dirOf(robot);
    if (!existsSync(join(dir, 'model.json'))) continue;
    const meta = readCheckpointMeta(dir);
    inputLayout[robot] = [...meta.obsLayout];
    objects ||= (meta.config.model.objects ?? 0) > 0;
  }
  return { reads: objects ? 'obs.flat, then every listed object as a set (io/sceneFeatures.ts)' : 'obs.flat', inputLayout };
}

function factoryFor(variant: Variant, description: string): PlannerFactory {
  return {
    name: variant,
    description,
    // Deterministic on the default cpu/wasm backends (seeded noise, single-threaded kernels).
    deterministic: true,
    observes(opts: PlannerOptions, robots: readonly RobotType[]): ObservationSpec {
      return checkpointObservation(robots, (robot) => checkpointDir(robot, opts.config));
    },
    unavailable(opts: PlannerOptions): string | null {
      const c = opts.config.checkpoint;
      if (typeof c === 'string' && c.length > 0) {
        return existsSync(c) ? null : `${variant}: --checkpoint ${c} does not exist; train one with \`planarena train world-model --suite <suite> --out ${c}\``;
      }
      if (shippedRobots().length === 0) {
        return `${variant}: no shipped checkpoints in ${SHIPPED_CHECKPOINTS}; train one with \`planarena train world-model --suite <suite> --out <dir>\` and pass --checkpoint <dir>`;
      }
      return null;
    },
    inputs(opts: PlannerOptions, robots: readonly RobotType[]): Record<string, readonly string[]> {
      return Object.fromEntries(robots.map((robot) => {
        const dir = checkpointDir(robot, opts.config);
        return [`checkpoint:${robot}`, [join(dir, 'model.json'), join(dir, 'weights.bin')]];
      }));
    },
    async preflight(opts: PlannerOptions, robots: readonly RobotType[]): Promise<void> {
      backendOf(opts.config);
      for (const robot of robots) {
        const { meta } = validateCheckpoint(checkpointDir(robot, opts.config), { robot, obsLayout: observationLayout(robot) });
        // Planner overrides (--set wm-...) fail here rather than at every episode's reset.
        resolveConfig({ ...meta.config, plan: defaultConfig(robot).plan }, planOverrides(variant, opts.config));
      }
    },
    async create(opts: PlannerOptions): Promise<Planner> {
      // A checkpoint the user named is checked whole before anything runs: a corrupt one fails
      // here, naming the file, instead of as a planner_error in every episode. (The shipped ones
      // are checked per robot by preflight and on first use.)
      for (const dir of userCheckpointDirs(opts.config)) validateCheckpoint(dir);
      const selection = await selectBackend(backendOf(opts.config));
      if (process.env.PLANARENA_VERBOSE) console.error(`world-model: tfjs backend ${describeSelection(selection)}`);
      return new WorldModelPlanner(opts.config, selection.backend, null, variant, {});
    },
  };
}

export const factory = factoryFor('world-model', 'learned modular world model (JEPA predictor, critic, actor) planning by latent MPPI');

/** The policy-only ablation: the world-model planner acting on its actor's sequence alone. */
export const actorFactory = factoryFor('world-model-actor', "world-model's actor alone, no search: the policy-only ablation of world-model (same checkpoint and settings)");
