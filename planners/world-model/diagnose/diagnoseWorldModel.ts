/**
 * `planarena diagnose world-model`: is the model, the cost or the search at fault?
 *
 * For each scenario and seed:
 * 1. **Probed episode**: the default planner runs a full episode. At control steps 0, `every`,
 *    2·`every`, … (`states` of them), right before the planner's action is executed, the live
 *    world is snapshotted and, on a scratch clone (the oracle's mechanism), the driver executes
 *    - the sequence the planner acted on: imagined path (probe-decoded, `decodePaths`) vs the
 *      simulator's path;
 *    - `samples` sequences (the actor's own, Gaussian around it with σ = prior-std × max-std,
 *      uniform in [−1, 1]): their learned cost (`sequenceCosts`, with and without the behaviour
 *      prior), their true return (Σ simulator rewards over the horizon), the true-cost evaluator's
 *      cost (−return, executed a second time) and both paths.
 *    The probes use their own random stream and a clone, so the episode is exactly the one
 *    `planarena run --planners world-model` plays.
 * 2. **Ablations**, full episodes on the same seeds (`VARIANTS`): the actor alone, and MPPI with
 *    the model or the cost swapped for the truth (`evaluators.ts`), with a reduced search
 *    (`searchSamples` per iteration) beside the default planner with the same reduced search.
 *
 * Returns raw measurements; `evaluation/worldModelDiagnosis.ts` turns them into numbers.
 */
import * as tf from '@tensorflow/tfjs';
import type { RobotType, Scenario } from '../../../scenarios/schema.ts';
import { episodeLoop } from '../../../runner/episodeLoop.ts';
import { createEnv } from '../../../sim/Env.ts';
import { Rng } from '../../../sim/rng.ts';
import type { Environment, Observation, PhysicsFlavor } from '../../../sim/types.ts';
import { taskSpec } from '../../Planner.ts';
import { ACTOR_ONLY, COST_TERMS, defaultConfig, resolveConfig, type CostWeights, type PlanConfig } from '../Configurator.ts';
import type { CheckpointMeta } from '../io/Checkpoint.ts';
import { loadCheckpoint } from '../io/Checkpoint.ts';
import { observationLayout } from '../io/observationLayout.ts';
import { validateCheckpoint } from '../io/validateCheckpoint.ts';
import type { WorldModel } from '../model/WorldModel.ts';
import { actorProposals, decodePaths, observedScene, sequenceCosts } from '../planning/Imagination.ts';
import { robotPoint } from '../io/sceneFeatures.ts';
import { RouteFieldCache } from '../planning/routeCost.ts';
import { checkpointDir, plannerForModel, type PlannerHooks } from '../WorldModelPlanner.ts';
import { learnedModelTaskCost, trueModelLearnedCost, trueModelTaskCost, type LiveState } from './evaluators.ts';
import { rollOnSimulator, subjectOf } from './trueRollouts.ts';
import type { AblationEpisode, Point, SampleOrigin, ScenarioDiagnosis, StateProbe, WorldModelDiagnosis } from './types.ts';

/** The ablation variants, in report order. */
export const VARIANTS = ['actor', 'true-cost', 'true-model', 'true-both', 'search-small', 'default'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface DiagnoseOptions {
  scenarios: readonly Scenario[];
  seeds: readonly number[];
  /** Planner settings as `run` gives them (`checkpoint`, `wmSamples`, …). */
  config: Record<string, unknown>;
  /** States probed per episode. */
  states: number;
  /** Control steps between probed states. */
  every: number;
  /** Sequences sampled per probed state for the cost ranking. */
  samples: number;
  /** Sequences per MPPI iteration in the ablations with a swapped part (and `search-small`). */
  searchSamples: number;
  variants: readonly Variant[];
  physics?: PhysicsFlavor;
  progress?(line: string): void;
  /** Models in memory by robot (tests); otherwise each robot's checkpoint is loaded. */
  models?: ReadonlyMap<RobotType, { model: WorldModel; meta: CheckpointMeta }>;
}

export function variantLabels(searchSamples: number): Record<Variant, string> {
  return {
    actor: 'actor alone (no search)',
    'true-cost': `learned model + true cost (${searchSamples} samples)`,
    'true-model': `true model + learned cost (${searchSamples} samples)`,
    'true-both': `true model + true cost (${searchSamples} samples)`,
    'search-small': `learned model + learned cost (${searchSamples} samples)`,
    default: 'default planner',
  };
}

/** `--set wm-…` overrides (config keys) for a variant: the reduced search keeps the default's
 * proportions of elites and actor samples. */
function variantConfig(variant: Variant, base: Record<string, unknown>, plan: Readonly<PlanConfig>, searchSamples: number): Record<string, unknown> {
  const key = (k: string) => `wm${k[0].toUpperCase()}${k.slice(1)}`;
  if (variant === 'default') return base;
  if (variant === 'actor') return { ...base, ...Object.fromEntries(Object.entries(ACTOR_ONLY).map(([k, v]) => [key(k), v])) };
  const S = Math.min(searchSamples, plan.samples);
  const scale = S / plan.samples;
  return { ...base, wmSamples: S, wmElites: Math.max(1, Math.round(plan.elites * scale)), wmActorSamples: Math.round(plan.actorSamples * scale) };
}

/** A scratch clone of the live world, made on first use and freed with the episode. */
class Live implements LiveState {
  private copy: Environment | null = null;
  constructor(readonly env: Environment) {}
  snapshot() {
    return this.env.snapshot();
  }
  get scratch(): Environment {
    return (this.copy ??= this.env.fork());
  }
  dispose(): void {
    this.copy?.dispose();
  }
}

function hooksFor(variant: Variant, live: Live): PlannerHooks {
  switch (variant) {
    case 'true-cost':
      return { evaluator: ({ model, z0, obs, plan }) => learnedModelTaskCost(model, z0, obs, plan) };
    case 'true-model':
      return { evaluator: ({ model, obs, plan }) => trueModelLearnedCost(model, obs, plan, live) };
    case 'true-both':
      return { evaluator: ({ model, obs, plan }) => trueModelTaskCost(model, obs, plan, live) };
    default:
      return {};
  }
}

/** Runs one episode of `variant`; with `probe`, probes states of it (the default planner only). */
async function episode(
  scenario: Scenario,
  seed: number,
  variant: Variant,
  loaded: { model: WorldModel; meta: CheckpointMeta },
  opts: DiagnoseOptions,
  plan: Readonly<PlanConfig>,
  probes: StateProbe[] | null,
): Promise<AblationEpisode> {
  const env = await createEnv(scenario, { physics: opts.physics ?? 'deterministic' });
  const live = new Live(env);
  let pending: { obs: Observation; sequence: Float32Array } | null = null;
  let decisions = 0;
  const hooks = hooksFor(variant, live);
  if (probes) {
    hooks.onPlan = (ctx, _result, sequence) => {
      const step = decisions++;
      if (step % opts.every === 0 && step / opts.every < opts.states) pending = { obs: ctx.obs, sequence: sequence.slice() };
    };
  }
  const planner = plannerForModel(loaded.model, loaded.meta, variantConfig(variant, opts.config, plan, opts.searchSamples), hooks);
  const samplesRng = Rng.stream(scenario.id, seed, 'diagnose:samples');
  try {
    const reset = env.reset({ seed });
    const task = taskSpec(scenario, env.actionSpace);
    let ret = 0;
    let steps = 0;
    let success = false;
    let failure: string | null = null;
    let distance = reset.info.goalDistance;
    const beforeStep = () => {
      if (!pending || !probes) return;
      probes.push(probeState(loaded.model, plan, live, pending.obs, pending.sequence, samplesRng, opts.samples, seed, task.controlPeriod, task.arena.size));
      pending = null;
    };
    for await (const s of episodeLoop(env, planner, task, seed, reset.obs, { clock: 'turn', maxSteps: task.maxSteps, beforeStep })) {
      ret += s.result.reward;
      steps++;
      success = s.result.info.success;
      failure = s.result.info.failure;
      distance = s.result.info.goalDistance;
      if (s.result.terminated || s.result.truncated) break;
    }
    return { variant, seed, success, return: ret, steps, failure, finalGoalDistance: distance };
  } finally {
    planner.dispose();
    live.dispose();
    env.dispose();
  }
}

/**
 * Samples the ranking set at a state: the actor's sequence, `near` Gaussian perturbations of it,
 * uniform sequences and, last (from 3 samples on), the all-zero command (braking: does the
 * model imagine a robot told to stop as stopping?); [n][H][A].
 */
export function rankingSamples(model: WorldModel, z0: tf.Tensor2D, plan: Readonly<PlanConfig>, count: number, rng: Rng): { actions: Float32Array; origin: SampleOrigin[] } {
  const H = plan.horizon;
  const A = model.shape.actionDim;
  const L = H * A;
  const actor = actorProposals(model, z0, 1, H, rng);
  const near = Math.floor((count - 1) / 2);
  const sigma = plan.priorStd * plan.maxStd;
  const actions = new Float32Array(count * L);
  const origin: SampleOrigin[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      actions.set(actor, 0);
      origin.push('actor');
    } else if (i <= near) {
      for (let j = 0; j < L; j++) actions[i * L + j] = Math.min(1, Math.max(-1, actor[j] + sigma * rng.normal()));
      origin.push('near');
    } else if (i === count - 1 && count >= 3) {
      origin.push('brake'); // zeros already
    } else {
      for (let j = 0; j < L; j++) actions[i * L + j] = rng.uniform(-1, 1);
      origin.push('uniform');
    }
  }
  return { actions, origin };
}

/** Everything measured at one state (see the file comment). The live world is left as it was. */
export function probeState(model: WorldModel, plan: Readonly<PlanConfig>, live: LiveState, obs: Observation, chosen: Float32Array, rng: Rng, count: number, seed: number, controlPeriod: number, arena: readonly [number, number] = [10, 10]): StateProbe {
  const H = plan.horizon;
  const A = model.shape.actionDim;
  const goal = obs.goal.position;
  const snap = live.snapshot();
  const z0 = model.encodeObservations([obs]);
  try {
    const chosenImagined = decodePaths(model, z0, chosen, 1, H, goal, robotPoint(obs, model.config.robot))[0];
    const [chosenTrue] = rollOnSimulator(live.scratch, snap, obs, chosen, 1, H, A);

    const { actions, origin } = rankingSamples(model, z0, plan, count, rng);
    // The planner's cost exactly, hard-wired terms included.
    const scene = observedScene(obs, plan, model.config.robot, controlPeriod, arena, new RouteFieldCache());
    const learnedCost = sequenceCosts(model, z0, actions, count, plan, scene);
    const learnedCostNoPrior = sequenceCosts(model, z0, actions, count, { ...plan, cost: { ...plan.cost, prior: 0 } }, scene);
    const costTerms = Object.fromEntries(COST_TERMS.filter((t) => plan.cost[t] !== 0).map((t) => [t, Array.from(sequenceCosts(model, z0, actions, count, { ...plan, cost: only(plan.cost, t) }, scene))]));
    const rollouts = rollOnSimulator(live.scratch, snap, obs, actions, count, H, A);
    // The true-cost evaluator: an independent execution of the same sequences, scored −return.
    const trueCost = rollOnSimulator(live.scratch, snap, obs, actions, count, H, A).map((r) => -r.return);
    const imagined = decodePaths(model, z0, actions, count, H, goal, robotPoint(obs, model.config.robot));
    // Push tasks: where each sequence takes the object, imagined and true.
    const objects = obs.goal.type === 'push' && model.probe.decodesSubject ? { objectImagined: decodePaths(model, z0, actions, count, H, goal, subjectOf(obs), 'subject'), objectActual: rollouts.map((r) => r.subjects.map(mm)) } : {};
    return {
      seed,
      step: obs.step,
      chosen: { imagined: chosenImagined, actual: chosenTrue.points.map(mm), trueReturn: chosenTrue.return },
      samples: {
        origin,
        learnedCost: Array.from(learnedCost),
        learnedCostNoPrior: Array.from(learnedCostNoPrior),
        costTerms,
        trueReturn: rollouts.map((r) => r.return),
        trueCost,
        imagined,
        actual: rollouts.map((r) => r.points.map(mm)),
        ...objects,
      },
    };
  } finally {
    z0.dispose();
  }
}

/** The cost weights with `term` alone switched on. */
function only(cost: CostWeights, term: (typeof COST_TERMS)[number]): CostWeights {
  const off = Object.fromEntries(COST_TERMS.map((t) => [t, 0])) as Record<(typeof COST_TERMS)[number], number>;
  return { ...cost, ...off, [term]: cost[term] };
}

function mm(p: Point): Point {
  return [Math.round(p[0] * 1000) / 1000 || 0, Math.round(p[1] * 1000) / 1000 || 0, Math.round(p[2] * 1000) / 1000 || 0];
}

/** The whole diagnosis: every scenario × seed, probes and ablations. */
export async function diagnoseWorldModel(opts: DiagnoseOptions): Promise<WorldModelDiagnosis> {
  const owned = new Map<RobotType, { model: WorldModel; meta: CheckpointMeta }>();
  const checkpoints: Record<string, string> = {};
  const loadFor = (robot: RobotType, actionDim: number) => {
    const given = opts.models?.get(robot);
    if (given) {
      checkpoints[robot] = '(in memory)';
      return given;
    }
    let entry = owned.get(robot);
    if (!entry) {
      const dir = checkpointDir(robot, opts.config);
      validateCheckpoint(dir, { robot, obsLayout: observationLayout(robot) });
      entry = loadCheckpoint(dir, { robot, actionDim, obsLayout: observationLayout(robot) });
      owned.set(robot, entry);
      checkpoints[robot] = dir;
    }
    return entry;
  };
  const scenarios: ScenarioDiagnosis[] = [];
  try {
    for (const scenario of opts.scenarios) {
      const probeEnv = await createEnv(scenario, { physics: opts.physics ?? 'deterministic' });
      const actionDim = probeEnv.actionSpace.dim;
      probeEnv.dispose();
      const loaded = loadFor(scenario.robot.type, actionDim);
      // The planner's own resolution: today's plan defaults over the checkpoint, plus overrides.
      const plan = resolveConfig({ ...loaded.meta.config, plan: defaultConfig(scenario.robot.type).plan }, opts.config).plan;
      const states: StateProbe[] = [];
      const ablations: AblationEpisode[] = [];
      for (const seed of opts.seeds) {
        for (const variant of VARIANTS) {
          // The default planner always runs: its episode is the one whose states are probed.
          if (variant !== 'default' && !opts.variants.includes(variant)) continue;
          const t0 = performance.now();
          const ep = await episode(scenario, seed, variant, loaded, opts, plan, variant === 'default' ? states : null);
          ablations.push(ep);
          opts.progress?.(`${scenario.id} seed ${seed} ${variant}: ${ep.success ? 'success' : (ep.failure ?? 'no success')}, return ${ep.return.toFixed(2)}, ${ep.steps} steps, ${ep.finalGoalDistance.toFixed(2)} m from the goal (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        }
      }
      scenarios.push({ scenario: scenario.id, robot: scenario.robot.type, horizon: plan.horizon, states, ablations });
    }
  } finally {
    for (const { model } of owned.values()) model.dispose();
  }
  return {
    settings: { seeds: opts.seeds, states: opts.states, every: opts.every, samples: opts.samples, searchSamples: opts.searchSamples, variants: opts.variants, physics: opts.physics ?? 'deterministic', planner: opts.config },
    checkpoints,
    variantLabels: variantLabels(opts.searchSamples),
    scenarios,
  };
}
