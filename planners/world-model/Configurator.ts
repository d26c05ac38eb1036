/**
 * Configurator (LeCun's module that sets the others up for the task at hand): typed defaults per
 * robot type, one resolve step that validates user overrides, and a frozen result. Nothing
 * downstream mutates a resolved config; it is written into every checkpoint and every run.
 */
import { UserError } from '../../core/errors.ts';
import type { RobotType } from '../../scenarios/schema.ts';
import type { MppiSettings } from './planning/Mppi.ts';

/** Network sizes. Fixed at training time (stored in the checkpoint). */
export interface ModelConfig {
  /** Latent width (the JEPA embedding). */
  latent: number;
  /** Hidden width of every MLP. */
  hidden: number;
  /** Critic ensemble size (value heads). */
  critics: number;
  /** Width of the object-set encoder over every listed object (io/sceneFeatures.ts); 0 or
   * absent: the model reads only the flat vector (checkpoints from before the set encoder). */
  objects?: number;
  /** A second probe output: the task subject's position relative to the goal (the pushed
   * object on push tasks, else the robot point), so imagined futures say where the object goes.
   * Absent or false: the probe decodes the robot point only (checkpoints from before it). */
  subject?: boolean;
}

/** Cost = Σ_t γ^t (goal·ĝ(ẑ_{t+1}) − reward·r̂(ẑ_t,a_t) + failure·p̂_fail(ẑ_{t+1})
 *          + prior·‖a_t − π(ẑ_t)‖²) − value·γ^H·V̄(ẑ_H). */
export interface CostWeights {
  goal: number;
  reward: number;
  failure: number;
  value: number;
  /** Behaviour prior: penalises leaving the actor's proposal at each imagined step, so the
   * search refines the actor's plan where the learned cost is trustworthy and stays near it
   * where it is not (as MBOP and other policy-constrained planners do). 0: off. */
  prior: number;
  /** Hard-wired clearance cost: weight of max(0, margin − c)/margin per imagined step, c the
   * decoded position's distance to the nearest obstacle the observation lists. 0: off. */
  clearance: number;
  /** Clearance below which it costs (m): about the robot's footprint radius plus a little. */
  margin: number;
  /** Hard-wired route cost: weight of the route length (m) from each imagined position to the
   * goal around the listed obstacles (planning/routeCost.ts). 0: off. */
  route: number;
  /** How the route field is drawn and read (planning/routeCost.ts `RouteShape`): the clearance
   * (m) a cell needs to count as free, the cost per metre inside that margin relative to free
   * space, and the reading slack (m). Absent: 0.25 m, 100 and 0. */
  routeInflate?: number;
  routeMargin?: number;
  routeSlack?: number;
  /** Hard-wired settle cost: weight of the imagined speed (m/s, probe-decoded) at imagined steps
   * inside the goal's tolerance, so the search prefers stopping once there (success is a held
   * state: inside and settled for 0.5 s); the planner then also proposes the all-zero sequence
   * (braking). 0: off. */
  settle: number;
  /** Hard-wired arrival cost: this weight for every imagined step whose imagined position (push
   * tasks: the imagined object's, where the checkpoint decodes it) lies outside 0.8 × the goal's
   * tolerance. The learned goal head and the route cost fall off smoothly towards the goal, so a
   * plan that stops 0.1 m short costs hardly more than one that arrives; success, though, is
   * inside the tolerance or nothing. (Unlike `settle`, it does not add braking to the candidates:
   * on validation that stalled a checkpoint whose model imagines a braking robot rolling on.) 0: off. */
  outside: number;
  /** Push tasks: weight of the imagined robot point's distance (m) to the imagined object, per
   * imagined step (the task reward's approach term, sim/reward.ts). With `route` the route cost
   * is measured on the imagined object. Needs a checkpoint whose probe decodes the subject. 0: off. */
  approach: number;
  /** Push tasks with the staging subgoal (`stage`), in its push phase: weight of the imagined
   * robot point's sideways distance (m) from the push line (through the observed crate along
   * its route direction), per imagined step. Absent or 0: off. */
  line?: number;
}

/** The weighted terms of the cost (every `CostWeights` key but the clearance margin and the
 * route field's shape). */
export const COST_TERMS = ['goal', 'reward', 'failure', 'value', 'prior', 'clearance', 'route', 'settle', 'outside', 'approach', 'line'] as const satisfies readonly (keyof CostWeights)[];

/** The cost's lengths and factors that are not terms: the clearance margin and the route field's
 * shape (set as `--set wm-cost-route-slack=0.1`; the shape's are non-negative). */
const ROUTE_SHAPE = ['routeInflate', 'routeMargin', 'routeSlack'] as const satisfies readonly (keyof CostWeights)[];
const COST_SHAPES = ['margin', ...ROUTE_SHAPE] as const;

/** Planner settings: the MPPI search (TD-MPC2 style) plus how the world model steers it.
 * May be changed per run without retraining. */
export interface PlanConfig extends MppiSettings {
  /** Centre the search on the actor's sequence (TD-MPC2 only mixes it in as samples); with a
   * young model the imitation-trained actor is the better guess, and the search refines it. */
  actorPrior: number;
  /** Initial search width relative to maxStd when centred on the actor's sequence. */
  priorStd: number;
  /** 1: act with the first action of the cheapest sequence; 0: of the elites' weighted mean. */
  greedy: number;
  /** Discount of future costs. */
  gamma: number;
  cost: CostWeights;
  /** Rollouts sent to the viewer in `info.imagined` (elites first). */
  imagined: number;
  /** The configurator's stall response: after this many decisions in which the robot (push
   * tasks: the object) came no nearer the goal by route (the route field at its observed
   * position, else the straight line) by `STALL_GAIN`, outside the goal's tolerance, the search
   * drops the behaviour prior and samples the whole action range, until the route length has
   * fallen `stallRelease` below its best when the response fired. A
   * search held near the actor cannot find a way that starts by backing away (out of a U-shaped
   * trap, round a box or a wall's end). Absent or 0: off. */
  stall?: number;
  /** Route gain (m) that turns the stall response off once it is on. Absent: `STALL_GAIN`. */
  stallRelease?: number;
  /** Push tasks on ground robots: the configurator's staging subgoal (planning/pushStage.ts).
   * While the robot is not behind the crate on its route, the route cost reads the imagined
   * robot against the way to the staging point instead of the imagined crate, and the approach
   * cost is off. 1: on; absent or 0: off. */
  stage?: number;
  /** Offset-free correction of the imagination (as offset-free MPC estimates a steady
   * disturbance): the memory averages, at this rate per decision, the decoded one-step motion of
   * the action taken minus the motion observed next (robot, and on push tasks the object), and
   * the hard-wired costs read imagined positions less that bias × the imagined step count. A
   * model that imagines a robot at rest drifting towards its goal then sees standing still
   * gain nothing. Absent or 0: off. */
  bias?: number;
}

/** Route progress (m) that counts as a gain for the stall response. */
export const STALL_GAIN = 0.1;

/** Learning settings, used by `planarena train world-model`. */
export interface TrainConfig {
  batch: number;
  /** Steps of the multi-step latent rollout loss. */
  rollout: number;
  lr: number;
  /** EMA rate of the target encoder and target critic. */
  tau: number;
  /** Per-step decay of the rollout loss weight (TD-MPC2's ρ). */
  rho: number;
  /** VICReg weights: variance hinge and covariance penalty on the online embeddings. */
  varianceWeight: number;
  covarianceWeight: number;
  consistencyWeight: number;
  /** The probe's position error trains encoder and predictor too (not only the probe), so
   * imagined latents keep the robot's position. Absent in older checkpoints: off. */
  probeGradient?: boolean;
  /** Windows starting within `distance` m of the goal are sampled `weight` times as often
   * (stopping at the goal is a few steps per successful episode). Absent or weight 1: uniform. */
  nearGoal?: { distance: number; weight: number };
  /** Weight of the probe's *motion* error over the rollout: the decoded displacement
   * probe(ẑₜ) − probe(ẑ₀) against the true one, for the robot and the subject. Absent or 0: off
   * (checkpoints from before it). */
  motionWeight?: number;
}

export interface WorldModelConfig {
  robot: RobotType;
  model: ModelConfig;
  plan: PlanConfig;
  train: TrainConfig;
}

const MODEL: ModelConfig = { latent: 64, hidden: 128, critics: 2, objects: 64 };

const PLAN: PlanConfig = {
  horizon: 6,
  samples: 256,
  actorSamples: 16,
  elites: 32,
  iterations: 4,
  temperature: 0.5,
  minStd: 0.05,
  maxStd: 1,
  actorPrior: 0,
  priorStd: 0.5,
  greedy: 1,
  gamma: 0.97,
  cost: { goal: 1, reward: 0, failure: 5, value: 0, prior: 0, clearance: 0, margin: 0.35, route: 0, settle: 0, outside: 0, approach: 0 },
  imagined: 12,
};

const TRAIN: TrainConfig = {
  batch: 256,
  rollout: 5,
  lr: 1e-3,
  tau: 0.01,
  rho: 0.7,
  varianceWeight: 1,
  covarianceWeight: 0.04,
  consistencyWeight: 1,
  probeGradient: true,
  nearGoal: { distance: 1, weight: 4 },
};

/** The planner acts on the actor's sequence alone: one sample (the actor's, rolled out through
 * the predictor and costed), no search. Not a default; the ablation `--set wm-samples=1
 * --set wm-elites=1 --set wm-iterations=1 --set wm-actor-samples=0 --set wm-cost-prior=0`. */
export const ACTOR_ONLY: Partial<PlanConfig> = { actorPrior: 1, samples: 1, actorSamples: 0, elites: 1, iterations: 1 };

/**
 * The default search: MPPI in latent space centred on the actor's sequence (σ 0.2 of the action
 * range), 64 samples (8 of them the actor's own, with noise) × 2 iterations, warm-started, ranked
 * by the learned cost plus the behaviour prior `cost.prior` = 40 (λ·Σ‖a_t − π(ẑ_t)‖²).
 *
 * Why the prior: the actor imitates the scripted controller (DART/DAgger labels) and is the better
 * decision-maker, while the learned cost misranks sequences near it. Without the prior, MPPI lost
 * to the actor's own sequence (diffdrive, seeds 0-2: narrow-passage 15.9 for the actor vs 1.8-2.4
 * searched; arm-push 0.30 vs -1.03). With λ = 40, on seeds 0-19 of the 11 core scenarios it
 * matches the actor (navigation mean normalised 0.50 searched vs 0.51 actor only; every scenario
 * within ±0.04, see results/world-model/README.md) at 35-46 ms per decision on wasm, and the
 * search still decides: on diffdrive it leaves the actor's plan where the cost is confident. On
 * pusher and arm, whose costs span less, the prior dominates and the choices equal the actor's.
 */
const SEARCH_NEAR_ACTOR: Partial<PlanConfig> = { actorPrior: 1, priorStd: 0.2, samples: 64, elites: 8, iterations: 2, actorSamples: 8 };
const PRIOR_WEIGHT = 40;

/** Per-robot adjustments. */
const PER_ROBOT: Record<RobotType, { model?: Partial<ModelConfig>; train?: Partial<TrainConfig>; plan?: Partial<Omit<PlanConfig, 'cost'>> & { cost?: Partial<CostWeights> } }> = {
  // Wheeled robots must turn before they gain: a 0.6 s horizon prefers driving straight past a
  // goal at 45°; 1.5 s does not. The reward head adds what goal distance lacks (contact and
  // control costs, measured progress); see checkpoints/TRAINING.md.
  // The route cost (the oracle's cost-to-go grid over the listed objects, on the imagined
  // positions) with a weaker prior lets the search leave the actor where its route is wrong:
  // on validation seeds 500-504 (cluttered-field, u-trap, open-field) 8/15 successes against
  // 2/15 with the prior alone; new-layout validation levels (test split 10-14) 10/15 against 5/15.
  // With a model that imagines a stop as a stop (the shipped recipe's decoy stops), arriving is
  // costed outright (arrival 300 per imagined step outside 0.8 × tolerance, settle 10 on the
  // imagined speed inside it, braking among the candidates), and a planner that gains nothing
  // for 2 s searches every action without the prior until it has gained 1 m (the
  // stall response: round the end of the u-trap's arm or a doorway's wall, or from a standstill
  // just outside the goal). Validation seeds 500-504 and test-split levels 10-14: 46/50
  // successes against 44/50 when it stopped at the first 0.1 m and 0.5 m beyond the tolerance,
  // 35/50 with neither it nor settle (checkpoints/TRAINING.md, 2026-12-03).
  diffdrive: { plan: { horizon: 15, ...SEARCH_NEAR_ACTOR, stall: 20, stallRelease: 1, cost: { goal: 1, reward: 5, failure: 5, value: 0, prior: 10, route: 30, outside: 300, settle: 10 } } },
  // The pusher's probe decodes the crate too (trained with the motion term), so the route cost
  // reads the imagined crate and an approach cost the imagined robot-to-crate distance (the task
  // reward's approach term), with a weak prior: on validation seeds 500-504 (push-box,
  // push-around) 1/10 successes, mean return 3.49 / 1.42, against 0/10, 1.71 / 0.93 with the
  // prior alone on the same checkpoint (results/world-model/README.md). The configurator's
  // staging subgoal (get behind the crate first, planning/pushStage.ts) with the push line, the
  // offset-free correction and the crate's route kept 0.55 m from walls: validation seeds
  // 500-509, push-box 10/10 and push-around 4/10, against 2/5 and 0/5 on 500-504 without them.
  pusher: { model: { subject: true }, train: { motionWeight: 50 }, plan: { horizon: 12, ...SEARCH_NEAR_ACTOR, stage: 1, bias: 0.3, cost: { goal: 1, reward: 0, failure: 5, value: 0, prior: 2, route: 30, approach: 10, line: 10, routeInflate: 0.55 } } },
  arm: { plan: { horizon: 8, maxStd: 0.8, ...SEARCH_NEAR_ACTOR, cost: { goal: 1, reward: 0, failure: 5, value: 0, prior: PRIOR_WEIGHT } } },
};

/** The typed defaults for a robot. */
export function defaultConfig(robot: RobotType): WorldModelConfig {
  return {
    robot,
    model: { ...MODEL, ...PER_ROBOT[robot].model },
    plan: { ...PLAN, ...PER_ROBOT[robot].plan, cost: { ...PLAN.cost, ...PER_ROBOT[robot].plan?.cost } },
    train: { ...TRAIN, ...PER_ROBOT[robot].train },
  };
}

/** Planner keys a user may set, prefixed `wm` in the run config so they never collide with
 * other planners' settings: `--set wm-samples=512` reaches the factory as `config.wmSamples`. */
export const PLAN_OVERRIDES = ['horizon', 'samples', 'actorSamples', 'elites', 'iterations', 'temperature', 'minStd', 'maxStd', 'actorPrior', 'priorStd', 'greedy', 'imagined', 'stall', 'stallRelease', 'stage', 'bias'] as const;

/**
 * Applies planner overrides to a base (a checkpoint's stored config) and freezes the result.
 * Unknown keys are ignored here (the runner forwards every planner's flags); bad values are errors.
 */
export function resolveConfig(base: WorldModelConfig, overrides: Record<string, unknown> = {}): Readonly<WorldModelConfig> {
  // Planner keys added after a checkpoint was written take today's defaults.
  const defaults = defaultConfig(base.robot).plan;
  const plan: PlanConfig = { ...defaults, ...base.plan, cost: { ...defaults.cost, ...base.plan.cost } };
  for (const key of PLAN_OVERRIDES) {
    const raw = overrides[`wm${key[0].toUpperCase()}${key.slice(1)}`];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new UserError('E_PLANNER_CONFIG', `world-model: --set wm-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a non-negative number, got ${JSON.stringify(raw)}.`);
    }
    plan[key] = value;
  }
  for (const key of [...COST_TERMS, ...COST_SHAPES] as const) {
    const raw = overrides[`wmCost${key[0].toUpperCase()}${key.slice(1)}`];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? Number(raw) : raw;
    const flag = `--set wm-cost-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UserError('E_PLANNER_CONFIG', `world-model: ${flag} must be a number, got ${JSON.stringify(raw)}.`);
    if ((ROUTE_SHAPE as readonly string[]).includes(key) && value < 0) throw new UserError('E_PLANNER_CONFIG', `world-model: ${flag} must be a non-negative number, got ${JSON.stringify(raw)}.`);
    plan.cost[key] = value;
  }
  for (const key of ['horizon', 'samples', 'elites', 'iterations'] as const) {
    if (!Number.isInteger(plan[key]) || plan[key] < 1) throw new UserError('E_PLANNER_CONFIG', `world-model: "${key}" must be an integer >= 1, got ${plan[key]}.`);
  }
  if (plan.elites > plan.samples) throw new UserError('E_PLANNER_CONFIG', `world-model: elites (${plan.elites}) must not exceed samples (${plan.samples}).`);
  plan.actorSamples = Math.min(Math.floor(plan.actorSamples), plan.samples);
  plan.imagined = Math.min(Math.floor(plan.imagined), plan.samples);
  if (plan.stall !== undefined && !Number.isInteger(plan.stall)) throw new UserError('E_PLANNER_CONFIG', `world-model: --set wm-stall must be a whole number of decisions, got ${plan.stall}.`);
  if (!(plan.minStd <= plan.maxStd)) throw new UserError('E_PLANNER_CONFIG', `world-model: minStd (${plan.minStd}) must be <= maxStd (${plan.maxStd}).`);
  return deepFreeze({ robot: base.robot, model: { ...base.model }, plan, train: { ...base.train } });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
