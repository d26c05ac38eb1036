/**
 * Imagined futures: batched rollouts of action sequences through the predictor, in latent space.
 * The planner's three uses of the world model during a decision:
 * - `sequenceCosts`: the MPPI evaluator (one read-back per call);
 * - `actorProposals`: the actor's own sequences, fed to MPPI as extra samples;
 * - `decodePaths`: a few sequences decoded to world positions by the probe head, for the viewer.
 *
 * Sequences arrive laid out [n][horizon][actionDim] (MPPI's layout) and are transposed once to
 * [horizon][n][actionDim] so that each step is one contiguous [n, actionDim] slice.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import type { PlanConfig } from '../Configurator.ts';
import type { WorldModel } from '../model/WorldModel.ts';
import type { SceneObject } from '../../../sim/types.ts';
import { clearance } from '../io/sceneFeatures.ts';
import type { RobotType } from '../../../scenarios/schema.ts';
import type { Observation } from '../../../sim/types.ts';
import { robotPoint } from '../io/sceneFeatures.ts';
import { DEFAULT_ROUTE_SHAPE, type RouteFieldCache, type RouteShape } from './routeCost.ts';
import { pushedObject } from '../../../sim/observation.ts';

function stepMajor(actions: Float32Array, n: number, H: number, A: number): tf.Tensor2D[] {
  const out = new Float32Array(actions.length);
  for (let i = 0; i < n; i++) for (let t = 0; t < H; t++) for (let a = 0; a < A; a++) out[(t * n + i) * A + a] = actions[(i * H + t) * A + a];
  return tf.unstack(tf.tensor3d(out, [H, n, A])) as tf.Tensor2D[];
}

/**
 * What the hard-wired part of the cost needs from the current observation: the goal (to turn
 * the probe's goal-relative positions into world positions) and the obstacles the observation
 * lists, each moved along its observed velocity as imagined time passes.
 */
export interface ObstacleScene {
  /** The robot point now (observed): imagined positions are it plus the decoded motion. */
  anchor: readonly number[];
  obstacles: readonly SceneObject[];
  /** Seconds per imagined step (the control period). */
  dt: number;
  /** Route lengths to the goal around the listed obstacles (the route cost; routeCost.ts); for
   * the arm's push tasks the straight-line distance in the plane (nothing on the floor to go round). */
  route?: GoalDistance;
  /** The goal point and its tolerance (the settle and arrival costs). */
  goal?: { position: readonly number[]; tolerance: number };
  /** Push tasks: the pushed object's observed position. Imagined object positions are it plus
   * the subject head's decoded motion; the route cost is then measured on them and the approach
   * cost from the imagined robot to them (a checkpoint whose probe decodes the subject only). */
  subject?: readonly number[];
  /** Push tasks in the staging subgoal's push phase (pushStage.ts): the line the robot pushes
   * along, through the observed crate (x, y) along its route direction (ux, uy). */
  line?: { x: number; y: number; ux: number; uy: number };
  /** The imagination's steady one-step motion bias (m per step, per axis; Memory `motionBias`):
   * the robot's and the subject's. Imagined positions after step t are read less (t + 1) × it. */
  bias?: { robot: readonly number[]; subject: readonly number[] };
}

/** The route field's shape the plan asks for (defaults where a checkpoint predates the keys). */
export function routeShape(plan: Readonly<PlanConfig>): RouteShape {
  const c = plan.cost;
  return { inflate: c.routeInflate ?? DEFAULT_ROUTE_SHAPE.inflate, marginCost: c.routeMargin ?? DEFAULT_ROUTE_SHAPE.marginCost, slack: c.routeSlack ?? DEFAULT_ROUTE_SHAPE.slack };
}

/** Distance (m) from a point in the plane to the goal: a route field, or the straight line. */
export interface GoalDistance {
  /** With `slack` (m), the least distance within that reach of (x, y). */
  distance(x: number, y: number, slack?: number): number;
  /** The reading slack at the horizon (m); absent: none. */
  readonly slack?: number;
}

/** What the hard-wired cost terms the plan turns on read of an observation (route, settle and
 * arrival are for ground robots), or undefined when it turns none on. The planner, the diagnosis and the
 * bench all build the scene here, so they cost sequences alike. */
export function observedScene(obs: Observation, plan: Readonly<PlanConfig>, robot: RobotType, dt: number, arena: readonly [number, number], routes: RouteFieldCache): ObstacleScene | undefined {
  const push = obs.goal.type === 'push';
  // Ground robots route round the listed obstacles; the arm's only routed task is a push.
  const routed = plan.cost.route > 0 && (robot !== 'arm' || push);
  const goalCosted = (plan.cost.settle > 0 || plan.cost.outside > 0) && robot !== 'arm';
  const pushed = push && (routed || plan.cost.approach > 0) ? pushedObject(obs) : undefined;
  if (!(plan.cost.clearance > 0) && !routed && !goalCosted && !pushed) return undefined;
  return {
    anchor: robotPoint(obs, robot),
    obstacles: obstaclesOf(obs.objects, obs.goal.object),
    dt,
    ...(routed ? { route: robot === 'arm' ? straightTo(obs.goal.position) : routes.get(arena, obs.goal.position, obs.objects, routeShape(plan), obs.goal.object) } : {}),
    ...(goalCosted ? { goal: { position: obs.goal.position, tolerance: obs.goal.tolerance } } : {}),
    ...(pushed ? { subject: [pushed.x, pushed.y, pushed.z] } : {}),
  };
}

function straightTo(goal: readonly number[]): GoalDistance {
  return { distance: (x, y) => Math.hypot(x - goal[0], y - goal[1]) };
}

/** Objects that block a ground robot (slopes and steps are driven over). */
export function obstaclesOf(objects: readonly SceneObject[], except?: string): SceneObject[] {
  return objects.filter((o) => o.kind !== 'slope' && o.kind !== 'step' && o.id !== except);
}

/** Coordinate `axis` of sequence i's imagined position after step t: the anchor plus the decoded
 * motion since the start (`pos`: probe outputs for steps 0..H, step-major [H + 1][n][3]). */
function imaginedAt(pos: Float32Array, n: number, t: number, i: number, anchor: readonly number[], axis: number): number {
  return anchor[axis] + pos[((t + 1) * n + i) * 3 + axis] - pos[i * 3 + axis];
}

/**
 * Hard-wired clearance cost (LeCun's intrinsic cost is fixed, not learned): for each imagined
 * step, the decoded position's clearance c to the nearest obstacle, costing
 * clearance · γᵗ · max(0, margin − c) / margin. Adds into `costs` ([n]); `pos` is the probe's
 * output for steps 0..H, step-major ([H + 1][n][3]); positions are anchored at the observed robot
 * point (see `decodePaths`).
 */
function addClearanceCost(costs: Float32Array, pos: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, scene: ObstacleScene): void {
  const { margin, clearance: weight } = plan.cost;
  if (!(margin > 0) || !(weight > 0) || scene.obstacles.length === 0) return;
  for (let t = 0; t < H; t++) {
    const ahead = (t + 1) * scene.dt;
    const moved = scene.obstacles.map((o) => (o.vx || o.vy ? { ...o, x: o.x + o.vx * ahead, y: o.y + o.vy * ahead } : o));
    const w = (weight * plan.gamma ** t) / margin;
    for (let i = 0; i < n; i++) {
      const px = imaginedAt(pos, n, t, i, scene.anchor, 0);
      const py = imaginedAt(pos, n, t, i, scene.anchor, 1);
      let c = Infinity;
      for (const o of moved) c = Math.min(c, clearance(o, px, py));
      if (c < margin) costs[i] += w * (margin - c);
    }
  }
}

/** Hard-wired route cost: route · Σₜ γᵗ · (route length to the goal from the imagined position
 * after step t), positions anchored as in `addClearanceCost`: the robot's (`pos`, `anchor`), or
 * on push tasks the object's (the subject head's output and the object's observed position). The
 * field's reading slack grows with t, as the imagination's error does: (t + 1)/H of it. */
function addRouteCost(costs: Float32Array, pos: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, route: GoalDistance | undefined, anchor: readonly number[]): void {
  if (!route || !(plan.cost.route > 0)) return;
  for (let t = 0; t < H; t++) {
    const w = plan.cost.route * plan.gamma ** t;
    const slack = ((route.slack ?? 0) * (t + 1)) / H;
    for (let i = 0; i < n; i++) costs[i] += w * route.distance(imaginedAt(pos, n, t, i, anchor, 0), imaginedAt(pos, n, t, i, anchor, 1), slack);
  }
}

/** Hard-wired approach cost (push tasks): approach · Σₜ γᵗ · (distance from the imagined robot
 * point to the imagined object after step t, in 3D: the arm's tip must come down to the block),
 * as the task reward's approach term pays for closing it (sim/reward.ts). */
function addApproachCost(costs: Float32Array, pos: Float32Array, subj: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, scene: ObstacleScene, subject: readonly number[]): void {
  if (!(plan.cost.approach > 0)) return;
  for (let t = 0; t < H; t++) {
    const w = plan.cost.approach * plan.gamma ** t;
    for (let i = 0; i < n; i++) {
      const dx = imaginedAt(pos, n, t, i, scene.anchor, 0) - imaginedAt(subj, n, t, i, subject, 0);
      const dy = imaginedAt(pos, n, t, i, scene.anchor, 1) - imaginedAt(subj, n, t, i, subject, 1);
      const dz = imaginedAt(pos, n, t, i, scene.anchor, 2) - imaginedAt(subj, n, t, i, subject, 2);
      costs[i] += w * Math.hypot(dx, dy, dz);
    }
  }
}

/** Hard-wired push-line cost: line · Σₜ γᵗ · (the imagined robot point's sideways distance
 * from the push line after step t). */
function addLineCost(costs: Float32Array, pos: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, scene: ObstacleScene): void {
  const line = scene.line;
  const weight = plan.cost.line ?? 0;
  if (!line || !(weight > 0)) return;
  for (let t = 0; t < H; t++) {
    const w = weight * plan.gamma ** t;
    for (let i = 0; i < n; i++) {
      const x = imaginedAt(pos, n, t, i, scene.anchor, 0) - line.x;
      const y = imaginedAt(pos, n, t, i, scene.anchor, 1) - line.y;
      costs[i] += w * Math.abs(-x * line.uy + y * line.ux);
    }
  }
}

/** Hard-wired settle cost: settle · Σₜ γᵗ · (imagined speed over step t, m/s) at every step whose
 * imagined end lies inside the goal's tolerance. Success is a held state (inside and settled for
 * 0.5 s), and the learned costs see no difference between passing through the goal and stopping there. */
function addSettleCost(costs: Float32Array, pos: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, scene: ObstacleScene): void {
  const goal = scene.goal;
  const weight = plan.cost.settle;
  if (!goal || !(weight > 0)) return;
  for (let t = 0; t < H; t++) {
    const w = (weight * plan.gamma ** t) / scene.dt;
    for (let i = 0; i < n; i++) {
      const x = imaginedAt(pos, n, t, i, scene.anchor, 0);
      const y = imaginedAt(pos, n, t, i, scene.anchor, 1);
      if (Math.hypot(x - goal.position[0], y - goal.position[1]) > goal.tolerance) continue;
      const px = t === 0 ? scene.anchor[0] : imaginedAt(pos, n, t - 1, i, scene.anchor, 0);
      const py = t === 0 ? scene.anchor[1] : imaginedAt(pos, n, t - 1, i, scene.anchor, 1);
      costs[i] += w * Math.hypot(x - px, y - py);
    }
  }
}

/** Hard-wired arrival cost: outside · Σₜ γᵗ · [imagined position after step t is farther than
 * 0.8 × tolerance from the goal], positions anchored as in `addRouteCost` (the robot's, or on push
 * tasks the object's). The inner 0.8 leaves room for the imagined position's error. */
function addOutsideCost(costs: Float32Array, pos: Float32Array, n: number, H: number, plan: Readonly<PlanConfig>, goal: ObstacleScene['goal'], anchor: readonly number[]): void {
  if (!goal || !(plan.cost.outside > 0)) return;
  const radius = OUTSIDE_FRACTION * goal.tolerance;
  for (let t = 0; t < H; t++) {
    const w = plan.cost.outside * plan.gamma ** t;
    for (let i = 0; i < n; i++) {
      const x = imaginedAt(pos, n, t, i, anchor, 0);
      const y = imaginedAt(pos, n, t, i, anchor, 1);
      if (Math.hypot(x - goal.position[0], y - goal.position[1]) > radius) costs[i] += w;
    }
  }
}

/** Subtracts (t + 1) × `bias` from every decoded position after step t (`pos`: step-major
 * [H + 1][n][3]; the start, step 0, is left as it is). */
function unbias(pos: Float32Array, n: number, H: number, bias: readonly number[]): void {
  for (let t = 0; t < H; t++) {
    for (let i = 0; i < n; i++) {
      const o = ((t + 1) * n + i) * 3;
      for (let k = 0; k < 3; k++) pos[o + k] -= (t + 1) * bias[k];
    }
  }
}

/** The arrival cost's radius, as a fraction of the goal's tolerance. */
const OUTSIDE_FRACTION = 0.8;

/** Costs [n] of `n` sequences from latent `z0` ([1, latent]); lower is better. With `scene`,
 * the hard-wired terms apply to the imagined positions (decoded by the probe): clearance to the
 * listed obstacles and route length to the goal, each where its weight is set. */
export function sequenceCosts(model: WorldModel, z0: tf.Tensor2D, actions: Float32Array, n: number, plan: Readonly<PlanConfig>, scene?: ObstacleScene): Float32Array {
  const A = model.shape.actionDim;
  const H = plan.horizon;
  const geometric = !!scene && (plan.cost.clearance > 0 || (plan.cost.route > 0 && !!scene.route) || ((plan.cost.settle > 0 || plan.cost.outside > 0) && !!scene.goal) || (plan.cost.approach > 0 && !!scene.subject) || ((plan.cost.line ?? 0) > 0 && !!scene.line));
  // Push tasks with a subject head: where the object goes is imagined too.
  const subject = scene?.subject && model.probe.decodesSubject ? scene.subject : undefined;
  let positions: tf.Tensor | null = null;
  let subjects: tf.Tensor | null = null;
  const costs = tf.tidy(() => {
    const steps = stepMajor(actions, n, H, A);
    let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
    let cost: tf.Tensor1D = tf.zeros([n]);
    const imagined: tf.Tensor2D[] = [];
    for (let t = 0; t < H; t++) {
      const next = model.next(z, steps[t]);
      if (geometric) imagined.push(next);
      cost = tf.add(cost, model.cost.stepCost(z, steps[t], next, plan.cost, plan.gamma ** t));
      if (plan.cost.prior) {
        // Behaviour prior: distance from what the actor would do in this imagined state.
        const gap = tf.sum(tf.square(tf.sub(steps[t], model.pi(z))), 1);
        cost = tf.add(cost, tf.mul(gap, plan.cost.prior * plan.gamma ** t));
      }
      z = next;
    }
    if (plan.cost.value) cost = tf.sub(cost, tf.mul(model.cost.value(z), plan.cost.value * plan.gamma ** H));
    if (geometric) {
      const all = tf.concat([tf.tile(z0, [n, 1]), ...imagined], 0) as tf.Tensor2D;
      positions = tf.keep(model.probe.position(all));
      if (subject) subjects = tf.keep(model.probe.subject(all));
    }
    return cost;
  });
  const out = Float32Array.from(costs.dataSync() as Float32Array);
  costs.dispose();
  if (positions) {
    const pos = Float32Array.from((positions as tf.Tensor).dataSync() as Float32Array);
    (positions as tf.Tensor).dispose();
    if (scene!.bias) unbias(pos, n, H, scene!.bias.robot);
    addClearanceCost(out, pos, n, H, plan, scene!);
    addSettleCost(out, pos, n, H, plan, scene!);
    addLineCost(out, pos, n, H, plan, scene!);
    if (subject && subjects) {
      const subj = Float32Array.from((subjects as tf.Tensor).dataSync() as Float32Array);
      (subjects as tf.Tensor).dispose();
      if (scene!.bias) unbias(subj, n, H, scene!.bias.subject);
      addRouteCost(out, subj, n, H, plan, scene!.route, subject);
      addOutsideCost(out, subj, n, H, plan, scene!.goal, subject);
      addApproachCost(out, pos, subj, n, H, plan, scene!, subject);
    } else {
      addRouteCost(out, pos, n, H, plan, scene!.route, scene!.anchor);
      addOutsideCost(out, pos, n, H, plan, scene!.goal, scene!.anchor);
    }
  }
  // A diverged model must not break the elite sort: non-finite costs rank last.
  return out.map((c) => (Number.isFinite(c) ? c : 1e9));
}

/**
 * `count` sequences proposed by the actor, rolled out through the predictor. The first is the
 * actor's deterministic choice; the others add Gaussian noise (σ = `noise`) from `rng`.
 */
export function actorProposals(model: WorldModel, z0: tf.Tensor2D, count: number, horizon: number, rng: Rng, noise = 0.3): Float32Array {
  const A = model.shape.actionDim;
  if (count <= 0) return new Float32Array(0);
  const eps = new Float32Array(horizon * count * A);
  for (let t = 0; t < horizon; t++) for (let i = 1; i < count; i++) for (let a = 0; a < A; a++) eps[(t * count + i) * A + a] = noise * rng.normal();
  const seq = tf.tidy(() => {
    const noiseT = tf.unstack(tf.tensor3d(eps, [horizon, count, A]));
    let z = tf.tile(z0, [count, 1]) as tf.Tensor2D;
    const acts: tf.Tensor2D[] = [];
    for (let t = 0; t < horizon; t++) {
      const a = tf.clipByValue(tf.add(model.pi(z), noiseT[t]), -1, 1) as tf.Tensor2D;
      acts.push(a);
      z = model.next(z, a);
    }
    return tf.stack(acts, 1); // [count, horizon, A]
  });
  const out = seq.dataSync() as Float32Array;
  seq.dispose();
  return Float32Array.from(out);
}

/**
 * Decodes each sequence's imagined path to world positions: [n][horizon + 1][3] (the start
 * included). The probe head predicts the robot point's offset from the goal (`offsetFrom` in
 * collect.ts). With `anchor` (the robot point the observation gives), a path is the anchor plus
 * the decoded *motion* probe(ẑₜ) − probe(ẑ₀): where the robot is, is observed, not imagined, so
 * the probe's error in placing the current state does not shift the whole path. Without it,
 * `goal` is added back to each decoded offset. With `head` 'subject' the paths are the task
 * subject's (the pushed object's; `anchor` then its observed position).
 */
export function decodePaths(model: WorldModel, z0: tf.Tensor2D, actions: Float32Array, n: number, horizon: number, goal: readonly number[], anchor?: readonly number[], head: 'robot' | 'subject' = 'robot'): [number, number, number][][] {
  if (n === 0) return [];
  const A = model.shape.actionDim;
  const decode = (z: tf.Tensor2D) => (head === 'subject' ? model.probe.subject(z) : model.probe.position(z));
  const pos = tf.tidy(() => {
    const steps = stepMajor(actions, n, horizon, A);
    let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
    const points = [decode(z)];
    for (let t = 0; t < horizon; t++) {
      z = model.next(z, steps[t]);
      points.push(decode(z));
    }
    return tf.stack(points, 1); // [n, horizon + 1, 3]
  });
  const flat = pos.dataSync();
  pos.dispose();
  const paths: [number, number, number][][] = [];
  for (let i = 0; i < n; i++) {
    const path: [number, number, number][] = [];
    const s = i * (horizon + 1) * 3;
    // World position = origin + decoded offset: the goal, or the anchor minus the decoded start.
    const origin = anchor ? [anchor[0] - flat[s], anchor[1] - flat[s + 1], (anchor[2] ?? 0) - flat[s + 2]] : [goal[0], goal[1], goal[2] ?? 0];
    for (let t = 0; t <= horizon; t++) {
      const o = s + t * 3;
      path.push([round(flat[o] + origin[0]), round(flat[o + 1] + origin[1]), round(flat[o + 2] + origin[2])]);
    }
    paths.push(path);
  }
  return paths;
}

/** Millimetres are plenty for drawing, and keep recorded info small. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000 || 0; // no -0: it would not survive JSON
}
