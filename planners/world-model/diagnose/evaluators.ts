/**
 * Sequence evaluators for the diagnosis: the planner's MPPI with one part swapped for the truth.
 *
 * | evaluator | model of the future | cost of that future |
 * | --- | --- | --- |
 * | `sequenceCosts` (Imagination.ts, the default) | learned predictor | learned heads |
 * | `learnedModelTaskCost` | learned predictor, decoded by the probe | `taskPathCost` of the decoded path |
 * | `trueModelLearnedCost` | the simulator (a clone) | learned heads on the encoded true observations |
 * | `trueModelTaskCost` | the simulator (a clone) | `taskPathCost` of the true path |
 *
 * All keep the planner's behaviour prior λ‖aₜ − π(zₜ)‖² (zₜ the imagined or the encoded true
 * latent), so only the model or the cost changes, never the search. `--set wm-cost-prior=0`
 * removes it everywhere alike.
 */
import * as tf from '@tensorflow/tfjs';
import type { Environment, EnvSnapshot, Observation } from '../../../sim/types.ts';
import { robotRadius } from '../../skills/drive.ts';
import type { PlanConfig } from '../Configurator.ts';
import { clearance } from '../io/sceneFeatures.ts';
import type { WorldModel } from '../model/WorldModel.ts';
import type { SequenceEvaluator } from '../planning/Mppi.ts';
import { rollOnSimulator, type TrueRollout } from './trueRollouts.ts';
import type { Point } from './types.ts';
import { pushedObject } from '../../../sim/observation.ts';

/** Cost per step (m-equivalent) of the robot overlapping a listed object. */
export const COLLISION_COST = 1;

/**
 * The task's cost of a path of the robot point, computed from the decision's observation only:
 *
 *   Σ_{t=1..H} γ^(t−1) · (d(p_t) + COLLISION_COST · [p_t overlaps an object])
 *
 * - d: distance to the goal (reach: on the ground; ee_reach: in 3-D). For push tasks the path of
 *   the robot alone cannot say where the object goes (the probe decodes only the robot), so d is
 *   the robot's distance to the pushed object as listed now, plus the object's distance to the goal.
 * - overlap: the robot's footprint (radius as the skills use it) within an object's footprint
 *   (`clearance`, as the model's object features measure it), objects where the decision saw
 *   them, slopes and the pushed object excluded; none for the arm.
 * `points` holds steps 0..k; a path that ended early (the task ended) holds its last point.
 */
export function taskPathCost(points: readonly Point[], obs: Observation, horizon: number, gamma: number): number {
  const goal = obs.goal;
  const pushed = pushedObject(obs);
  const radius = obs.robot.type === 'arm' ? null : robotRadius(obs);
  const solid = obs.objects.filter((o) => o.kind !== 'slope' && o !== pushed);
  const [gx, gy, gz] = [goal.position[0], goal.position[1], goal.position[2] ?? 0];
  let cost = 0;
  for (let t = 1; t <= horizon; t++) {
    const p = points[Math.min(t, points.length - 1)];
    let d: number;
    if (goal.type === 'ee_reach') d = Math.hypot(p[0] - gx, p[1] - gy, p[2] - gz);
    else if (pushed) d = Math.hypot(p[0] - pushed.x, p[1] - pushed.y) + Math.hypot(pushed.x - gx, pushed.y - gy);
    else d = Math.hypot(p[0] - gx, p[1] - gy);
    const hit = radius !== null && solid.some((o) => clearance(o, p[0], p[1]) < radius);
    cost += gamma ** (t - 1) * (d + (hit ? COLLISION_COST : 0));
  }
  return cost;
}

/** Imagined latents of `n` sequences ([n][H][A]) from `z0`: decoded world positions [n][H+1]
 * and each sequence's behaviour-prior term Σ γᵗ‖aₜ − π(ẑₜ)‖². */
export function imagine(model: WorldModel, z0: tf.Tensor2D, actions: Float32Array, n: number, plan: Readonly<PlanConfig>, goal: readonly number[]): { points: Point[][]; prior: Float32Array } {
  const H = plan.horizon;
  const A = model.shape.actionDim;
  const [pos, prior] = tf.tidy(() => {
    const seq = tf.tensor3d(actions, [n, H, A]);
    let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
    const points = [model.probe.position(z)];
    let gap: tf.Tensor1D = tf.zeros([n]);
    for (let t = 0; t < H; t++) {
      const a = tf.reshape(tf.slice(seq, [0, t, 0], [n, 1, A]), [n, A]) as tf.Tensor2D;
      gap = tf.add(gap, tf.mul(tf.sum(tf.square(tf.sub(a, model.pi(z))), 1), plan.gamma ** t));
      z = model.next(z, a);
      points.push(model.probe.position(z));
    }
    return [tf.stack(points, 1), gap];
  });
  const flat = pos.dataSync();
  const gaps = Float32Array.from(prior.dataSync());
  pos.dispose();
  prior.dispose();
  const points = Array.from({ length: n }, (_, i) =>
    Array.from({ length: H + 1 }, (_, t): Point => {
      const o = (i * (H + 1) + t) * 3;
      return [flat[o] + goal[0], flat[o + 1] + goal[1], flat[o + 2] + (goal[2] ?? 0)];
    }),
  );
  return { points, prior: gaps };
}

/** Learned model + true cost: the imagined path, decoded by the probe, scored by `taskPathCost`. */
export function learnedModelTaskCost(model: WorldModel, z0: tf.Tensor2D, obs: Observation, plan: Readonly<PlanConfig>): SequenceEvaluator {
  return (actions, n) => {
    const { points, prior } = imagine(model, z0, actions, n, plan, obs.goal.position);
    return Float32Array.from(points, (p, i) => taskPathCost(p, obs, plan.horizon, plan.gamma) + plan.cost.prior * prior[i]);
  };
}

/**
 * The learned cost of futures given as true latents: per sequence, H + 1 latents (the encoded
 * observations of a simulator rollout) in `z` [n·(H+1), latent], sequence-major. The same sum as
 * `sequenceCosts`, with the true next latent in place of the predicted one.
 */
export function latentPathCosts(model: WorldModel, z: tf.Tensor2D, actions: Float32Array, n: number, plan: Readonly<PlanConfig>): Float32Array {
  const H = plan.horizon;
  const A = model.shape.actionDim;
  const costs = tf.tidy(() => {
    const zs = tf.unstack(tf.reshape(z, [n, H + 1, -1]), 1) as tf.Tensor2D[];
    const seq = tf.tensor3d(actions, [n, H, A]);
    let cost: tf.Tensor1D = tf.zeros([n]);
    for (let t = 0; t < H; t++) {
      const a = tf.reshape(tf.slice(seq, [0, t, 0], [n, 1, A]), [n, A]) as tf.Tensor2D;
      cost = tf.add(cost, model.cost.stepCost(zs[t], a, zs[t + 1], plan.cost, plan.gamma ** t));
      if (plan.cost.prior) cost = tf.add(cost, tf.mul(tf.sum(tf.square(tf.sub(a, model.pi(zs[t]))), 1), plan.cost.prior * plan.gamma ** t));
    }
    if (plan.cost.value) cost = tf.sub(cost, tf.mul(model.cost.value(zs[H]), plan.cost.value * plan.gamma ** H));
    return cost;
  });
  const out = Float32Array.from(costs.dataSync());
  costs.dispose();
  return out.map((c) => (Number.isFinite(c) ? c : 1e9));
}

/** Encodes every observation of the rollouts: [n·(H+1), latent], sequence-major. */
export function encodeRollouts(model: WorldModel, rollouts: readonly TrueRollout[]): tf.Tensor2D {
  return model.encodeObservations(rollouts.flatMap((r) => r.obs));
}

/** Where the live world is now: its snapshot and the observation the planner just got. */
export interface LiveState {
  snapshot(): EnvSnapshot;
  scratch: Environment;
}

/** True model + learned cost: each sequence executed on the clone, its observations encoded and
 * scored by the learned heads. */
export function trueModelLearnedCost(model: WorldModel, obs: Observation, plan: Readonly<PlanConfig>, live: LiveState): SequenceEvaluator {
  return (actions, n) => {
    const rollouts = rollOnSimulator(live.scratch, live.snapshot(), obs, actions, n, plan.horizon, model.shape.actionDim);
    const z = encodeRollouts(model, rollouts);
    try {
      return latentPathCosts(model, z, actions, n, plan);
    } finally {
      z.dispose();
    }
  };
}

/** True model + true cost: each sequence executed on the clone, its true path scored by
 * `taskPathCost`, plus the behaviour prior on the encoded true observations. */
export function trueModelTaskCost(model: WorldModel, obs: Observation, plan: Readonly<PlanConfig>, live: LiveState): SequenceEvaluator {
  const priorOnly: PlanConfig = { ...plan, cost: { ...plan.cost, goal: 0, reward: 0, failure: 0, value: 0, clearance: 0 } };
  return (actions, n) => {
    const rollouts = rollOnSimulator(live.scratch, live.snapshot(), obs, actions, n, plan.horizon, model.shape.actionDim);
    let prior: Float32Array = new Float32Array(n);
    if (plan.cost.prior) {
      const z = encodeRollouts(model, rollouts);
      try {
        prior = latentPathCosts(model, z, actions, n, priorOnly);
      } finally {
        z.dispose();
      }
    }
    return Float32Array.from(rollouts, (r, i) => taskPathCost(r.points, obs, plan.horizon, plan.gamma) + prior[i]);
  };
}
