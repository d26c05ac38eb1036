/**
 * Oracle baseline: sampling-based model-predictive control on the true physics, the "1" of
 * normalised scores. Privileged: it needs `TaskSpec.oracle` (a snapshot of the live episode
 * and a scratch environment to roll candidates out in); no learned or language planner gets it.
 *
 * Every `repeat` control steps it plans (CEM with warm start, policy-guided like TD-MPC2's
 * actor samples):
 * - **candidates**: the scripted policy rolled forward (a deep copy of a scripted planner that
 *   watches every real observation), the previous best plan shifted by the steps executed, and
 *   Gaussian perturbations of the elite mean, held for `repeat` steps each (smooth actions);
 * - **rollouts**: restore the scratch env to the live snapshot, step the candidate for
 *   `horizon` control steps (stopping early when the task ends);
 * - **cost** = −Σ rewards + TIME_WEIGHT × seconds until the goal holds (so of two successes the
 *   sooner wins: efficiency counts time, the rewards do not) + terminal cost-to-go: the route
 *   distance of the task's subject to the goal on the true map (mobile robots; straight line for
 *   the arm), the settle dwell not yet served, and for push tasks the robot's (or end effector's)
 *   distance to the point behind the object;
 * - **update**: the elites' mean and spread become the next sampling distribution; after the
 *   last iteration the best sequence found is executed for `repeat` steps.
 * Sampling uses `Rng.stream(scenario.id, seed, 'planner:oracle')`, so episodes are
 * deterministic. `info.imagined` carries the robot (arm: end-effector) paths of the best few
 * rollouts and a few others for the viewer.
 *
 * Settings (`--set oracle-<name>=value`, declared in `settings.ts`). The defaults make it a
 * ceiling: on every core scenario no baseline beats it on success or efficiency
 * (test/planners/ceiling.test.ts), at ≈ samples × iterations × horizon = 720 simulated control
 * steps per decision, one decision every 3 steps (`npm run bench` prints the cost):
 *
 * | setting     | default | meaning                                                    |
 * |-------------|---------|------------------------------------------------------------|
 * | horizon     | 15      | control steps per rollout (1.5 s at the default 0.1 s period) |
 * | repeat      | 3       | control steps each sampled action is held; replan period  |
 * | samples     | 24      | candidates per iteration (including the guided ones)      |
 * | iterations  | 2       | CEM iterations per decision                                |
 * | elites      | 4       | candidates averaged into the new mean                      |
 * | std         | 0.5     | initial sampling standard deviation (actions are in [-1, 1]) |
 * | prior       | 1       | 1: include the scripted policy's rollout; 0: pure CEM      |
 */
import { dwellSteps, nextSettleCount, subjectPosition, subjectSpeed } from '../../sim/predicates.ts';
import { Rng } from '../../sim/rng.ts';
import type { Action, Environment, EnvSnapshot, Observation, StepInfo } from '../../sim/types.ts';
import type { ActResult, OracleAccess, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../Planner.ts';
import { robotRadius } from '../skills/drive.ts';
import { footprintRadius } from '../skills/geometry.ts';
import { extentAlong } from '../skills/push.ts';
import { cloneState } from './cloneState.ts';
import { readSettings } from '../../core/settings.ts';
import { ORACLE_SETTINGS } from './settings.ts';
import { distanceField, type DistanceField } from './RoutePlanner.ts';
import { ScriptedPlanner } from './scripted.ts';
import { sentence } from '../skills/describe.ts';
import { pushedObject } from '../../sim/observation.ts';

export interface OracleSettings {
  horizon: number;
  repeat: number;
  samples: number;
  iterations: number;
  elites: number;
  std: number;
  prior: boolean;
}

/** The oracle's settings (declared in `settings.ts`) from a planner config. */
export function oracleSettings(config: Record<string, unknown>): OracleSettings {
  const v = readSettings(ORACLE_SETTINGS.settings, config);
  const samples = v.oracleSamples as number;
  return {
    horizon: v.oracleHorizon as number,
    repeat: v.oracleRepeat as number,
    samples,
    iterations: v.oracleIterations as number,
    elites: Math.min(v.oracleElites as number, samples),
    std: v.oracleStd as number,
    prior: v.oraclePrior as boolean,
  };
}

/** Weight of the terminal shaping terms, relative to the summed rewards (metres ≈ reward units). */
const TERMINAL_WEIGHT = 1;
const APPROACH_WEIGHT = 0.5;
/** Cost per simulated second until the goal holds (reward units ≈ metres at 1 m/s): among
 * rollouts that succeed, the sooner wins, as efficiency counts it; the rewards alone do not care. */
const TIME_WEIGHT = 1;
/** Cost per second of the settle dwell not yet served at the rollout's end. */
const DWELL_WEIGHT = 1;
const MIN_STD = 0.05;
/** Rollouts drawn in `info.imagined`. */
const SHOWN = 6;

interface Rollout {
  actions: Action[];
  cost: number;
  points: [number, number, number][];
  /** The subject's distance from the goal where the rollout ends, and whether it succeeded. */
  endDistance: number;
  success: boolean;
}

export class OraclePlanner implements Planner {
  readonly name = 'oracle';
  private task: TaskSpec | null = null;
  private access: OracleAccess | null = null;
  private rng: Rng | null = null;
  private prior: ScriptedPlanner | null = null;
  private plan: Action[] = [];
  private mean: Action[] = [];
  private queue: Action[] = [];
  private lastInfo: Record<string, unknown> = {};
  /** Cost-to-go of the task's subject on the ground (mobile robots), built on the first step. */
  private field: DistanceField | null | undefined = undefined;
  /** Straight-line subject-to-goal distance at the live state (the rewards' progress baseline). */
  private start = 0;
  /** The task's subject where rollouts start (for the settle dwell). */
  private liveSubject: [number, number, number] = [0, 0, 0];
  /** What the task moves to the goal, in words ("the robot", "crate-1", "the hand"). */
  private subject = 'the robot';
  private stats = { plans: 0, rollouts: 0, simSteps: 0 };

  constructor(private readonly s: OracleSettings) {}

  async reset(task: TaskSpec, seed: number): Promise<void> {
    if (!task.oracle) throw new Error('the oracle planner needs TaskSpec.oracle (the runner gives it to factories with privileged: true)');
    this.task = task;
    this.access = task.oracle;
    this.rng = Rng.stream(task.scenarioId, seed, 'planner:oracle');
    this.prior = this.s.prior ? new ScriptedPlanner(3) : null;
    await this.prior?.reset(task);
    const zero = new Array<number>(task.actionSpace.dim).fill(0);
    this.plan = Array.from({ length: this.s.horizon }, () => zero.slice());
    this.mean = this.plan.map((a) => a.slice());
    this.queue = [];
    this.field = undefined;
    this.stats = { plans: 0, rollouts: 0, simSteps: 0 };
  }

  /** Route distance to the goal for the robot (reach) or the pushed object (push), so the cost
   * of a 1 s rollout rewards getting round obstacles, not just closer as the crow flies. */
  private buildField(obs: Observation): DistanceField | null {
    const goal = obs.goal;
    if (obs.robot.type === 'arm' || goal.type === 'ee_reach') return null;
    const pushed = pushedObject(obs);
    const clearance = pushed ? footprintRadius(pushed.size) + 0.1 : robotRadius(obs) + 0.05;
    return distanceField(obs, goal.position[0], goal.position[1], { arena: this.task!.arena.size, clearance, ignore: pushed ? [pushed.id] : [] });
  }

  async act(obs: Observation, last?: StepInfo): Promise<ActResult> {
    if (!this.task || !this.access) throw new Error('OraclePlanner.act called before reset');
    // The prior watches every real step, so its state (skill phase, stuck timers) stays current.
    const priorNow = this.prior ? this.prior.decide(obs) : null;
    if (this.field === undefined) this.field = this.buildField(obs);
    this.start = subjectDistance(obs);
    // Where the subject is now (the step's true subject; the first observation's before any step).
    this.liveSubject = last?.subject ?? subjectOf(obs);
    this.subject = obs.goal.type === 'push' ? (obs.goal.object ?? 'the object') : obs.goal.type === 'ee_reach' ? 'the hand' : 'the robot';
    if (this.queue.length === 0) {
      const snap = this.access.snapshot();
      const scratch = this.access.scratch();
      this.optimise(snap, scratch, priorNow?.action ?? null);
    }
    const action = this.queue.shift()!;
    return { action: action.slice(), info: this.lastInfo };
  }

  private optimise(snap: EnvSnapshot, env: Environment, priorFirst: Action | null): void {
    const { horizon, repeat, samples, iterations, elites } = this.s;
    const dim = this.task!.actionSpace.dim;
    const rng = this.rng!;
    const shown: Rollout[] = [];
    let best: Rollout | null = null;
    // Warm start: shift the previous mean and best plan by the steps executed since.
    const shift = (seq: Action[]) => [...seq.slice(repeat), ...Array.from({ length: Math.min(repeat, horizon) }, () => seq[seq.length - 1].slice())].slice(0, horizon);
    let mean = shift(this.mean);
    let std = this.s.std;

    for (let it = 0; it < iterations; it++) {
      const batch: Rollout[] = [];
      // Guided candidates: the scripted policy's rollout and the shifted previous best.
      if (it === 0) {
        if (this.prior && priorFirst) batch.push(this.rolloutPolicy(snap, env, priorFirst));
        batch.push(this.rollout(snap, env, shift(this.plan)));
      }
      // Sample actions: Gaussian around the mean, one draw per `repeat` steps, clipped.
      while (batch.length < samples) {
        const seq: Action[] = [];
        let noise: number[] = [];
        for (let h = 0; h < horizon; h++) {
          if (h % repeat === 0) noise = Array.from({ length: dim }, () => rng.normal() * std);
          seq.push(mean[h].map((m, i) => clip(m + noise[i])));
        }
        batch.push(this.rollout(snap, env, seq));
      }
      // Compute elites and update parameters.
      batch.sort((a, b) => a.cost - b.cost);
      const top = batch.slice(0, elites);
      if (!best || top[0].cost < best.cost) best = top[0];
      mean = Array.from({ length: horizon }, (_, h) => Array.from({ length: dim }, (_, i) => top.reduce((acc, r) => acc + r.actions[h][i], 0) / top.length));
      let v = 0;
      for (const r of top) for (let h = 0; h < horizon; h++) for (let i = 0; i < dim; i++) v += (r.actions[h][i] - mean[h][i]) ** 2;
      std = Math.max(MIN_STD, Math.min(this.s.std, Math.sqrt(v / (top.length * horizon * dim))));
      for (const r of batch) if (shown.length < SHOWN || r === top[0]) shown.push(r);
    }

    this.mean = mean;
    this.plan = best!.actions.map((a) => a.slice());
    this.queue = this.plan.slice(0, repeat).map((a) => a.slice());
    this.stats.plans++;
    const ranked = [...new Set(shown)].sort((a, b) => a.cost - b.cost).slice(0, SHOWN);
    this.lastInfo = {
      imagined: { rollouts: ranked.map((r, k) => ({ points: r.points, cost: round(r.cost), elite: k < Math.min(elites, 3) })) },
      oracle: { bestCost: round(best!.cost), std: round(std), prior: this.prior !== null },
      intent: this.intent(best!, samples * iterations),
    };
  }

  /** The decision in a sentence: what the best of the simulated futures does. */
  private intent(best: Rollout, tried: number): string {
    const seconds = (this.s.horizon * this.task!.controlPeriod).toFixed(1);
    const subject = this.subject;
    const how = `tried ${tried} futures in the true physics (privileged access)`;
    if (best.success) return sentence(`${how}; following one that reaches the goal within ${seconds} s`);
    const d0 = this.start;
    if (best.endDistance < d0 - 0.01) return sentence(`${how}; following the best, which brings ${subject} from ${d0.toFixed(1)} m to ${best.endDistance.toFixed(1)} m of the goal in ${seconds} s`);
    return sentence(`${how}; none brings ${subject} closer to the goal in ${seconds} s, so it follows the cheapest (a way round, or into position)`);
  }

  /** Rolls a fixed action sequence out from `snap`. */
  private rollout(snap: EnvSnapshot, env: Environment, actions: Action[]): Rollout {
    env.restore(snap);
    const run = this.costOf();
    for (const a of actions) if (run.add(env.step(a))) break;
    this.count(run.steps);
    return { actions, cost: run.total(), points: run.points, endDistance: run.endDistance, success: run.success };
  }

  /** Rolls a copy of the scripted prior out from `snap`, recording its actions. */
  private rolloutPolicy(snap: EnvSnapshot, env: Environment, first: Action): Rollout {
    env.restore(snap);
    const policy = cloneState(this.prior!);
    const run = this.costOf();
    const actions: Action[] = [];
    let a = first;
    let ended = false;
    for (let h = 0; h < this.s.horizon; h++) {
      if (!ended) {
        const r = env.step(a);
        actions.push(a.map(clip));
        ended = run.add(r);
        if (!ended && h + 1 < this.s.horizon) a = policy.decide(r.obs).action;
      } else {
        actions.push(a.map(() => 0));
      }
    }
    this.count(run.steps);
    return { actions, cost: run.total(), points: run.points, endDistance: run.endDistance, success: run.success };
  }

  private costOf(): RolloutCost {
    const task = this.task!;
    return new RolloutCost(this.field ?? null, this.start, task.controlPeriod).startAt(this.liveSubject);
  }

  private count(steps: number): void {
    this.stats.rollouts++;
    this.stats.simSteps += steps;
  }

  episodeStats(): Record<string, number> {
    return { ...this.stats };
  }

  dispose(): void {}
}

/** Accumulates the cost of one rollout from its step results (exported for tests of the objective). */
export class RolloutCost {
  private reward = 0;
  private last: { obs: Observation; info: StepInfo } | null = null;
  /** Control steps at the end of the rollout with the subject inside the tolerance and settled. */
  private held = 0;
  private prevSubject: [number, number, number] | null = null;
  steps = 0;
  readonly points: [number, number, number][] = [];

  constructor(
    private readonly field: DistanceField | null,
    private readonly startDistance: number,
    private readonly dt: number,
  ) {}

  /** Adds one step; returns true when the rollout should stop (the task ended). */
  add(r: { obs: Observation; reward: number; terminated: boolean; info: StepInfo }): boolean {
    this.reward += r.reward;
    this.steps++;
    this.last = r;
    const p = r.obs.robot.ee ?? r.obs.robot.pose;
    this.points.push([round(p.x), round(p.y), round('z' in p ? p.z : 0)]);
    // The settle dwell as the environment counts it (sim/predicates.ts), from the step's subject.
    const goal = r.obs.goal;
    const subject = r.info.subject;
    const speed = this.prevSubject ? subjectSpeed(goal, this.prevSubject, subject, this.dt) : Infinity;
    this.held = nextSettleCount(this.held, goal, r.info.goalDistance, speed);
    this.prevSubject = subject;
    return r.terminated;
  }

  /** Seeds the settle tracking with where the task's subject is when the rollout starts. */
  startAt(subject: readonly [number, number, number]): this {
    this.prevSubject = [subject[0], subject[1], subject[2]];
    return this;
  }

  /** Where the rollout left the task's subject: its distance from the goal (as `StepInfo`). */
  get endDistance(): number {
    return this.last ? this.last.info.goalDistance : this.startDistance;
  }

  get success(): boolean {
    return this.last?.info.success === true;
  }

  total(): number {
    if (!this.last) return 0;
    const { obs, info } = this.last;
    // Time: every second until the goal holds costs, so the faster of two successes wins.
    const time = TIME_WEIGHT * this.steps * this.dt;
    const dwellLeft = info.success ? 0 : DWELL_WEIGHT * Math.max(0, dwellSteps(this.dt) - this.held) * this.dt;
    if (!this.field) {
      if (info.success) return -this.reward + time;
      return -this.reward + time + dwellLeft + TERMINAL_WEIGHT * info.goalDistance + this.approach(obs, null);
    }
    // The rewards' progress term telescopes to (d0 − dH) in straight-line distance; swap it for
    // the route distance-to-go.
    const rest = this.reward - (this.startDistance - info.goalDistance);
    if (info.success) return -rest + time;
    const pushed = pushedObject(obs);
    const subject = pushed ?? obs.robot.pose;
    return -rest + time + dwellLeft + TERMINAL_WEIGHT * this.field.at(subject.x, subject.y) + this.approach(obs, this.field);
  }

  /** Push tasks: distance of the pushing part from the staging point behind the object, on the
   * side away from where the object should go next. */
  private approach(obs: Observation, field: DistanceField | null): number {
    const goal = obs.goal;
    const o = pushedObject(obs);
    if (!o) return 0;
    let ux: number;
    let uy: number;
    if (field) {
      [ux, uy] = field.downhill(o.x, o.y);
    } else {
      const gx = goal.position[0] - o.x;
      const gy = goal.position[1] - o.y;
      const d = Math.sqrt(gx * gx + gy * gy) || 1;
      ux = gx / d;
      uy = gy / d;
    }
    const arm = obs.robot.ee;
    const r = arm ? 0.03 : robotRadius(obs);
    const back = extentAlong(o, ux, uy) + r + 0.02;
    const px = arm ? arm.x : obs.robot.pose.x;
    const py = arm ? arm.y : obs.robot.pose.y;
    const sx = o.x - ux * back - px;
    const sy = o.y - uy * back - py;
    return APPROACH_WEIGHT * Math.sqrt(sx * sx + sy * sy);
  }
}

/** Position of the task's subject: end effector (ee_reach), pushed object (push) or chassis. */
function subjectOf(obs: Observation): [number, number, number] {
  const goal = obs.goal;
  const pushed = pushedObject(obs);
  return subjectPosition(goal, obs.robot, pushed);
}

/** Straight-line distance of the task's subject from the goal, as `StepInfo.goalDistance`. */
function subjectDistance(obs: Observation): number {
  const g = obs.goal.position;
  if (obs.goal.type === 'ee_reach') {
    const ee = obs.robot.ee;
    if (!ee) return 0;
    return Math.sqrt((ee.x - g[0]) ** 2 + (ee.y - g[1]) ** 2 + (ee.z - g[2]) ** 2);
  }
  const p = pushedObject(obs) ?? obs.robot.pose;
  return Math.sqrt((p.x - g[0]) ** 2 + (p.y - g[1]) ** 2);
}

function clip(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export const factory: PlannerFactory = {
  name: 'oracle',
  description: 'sampling MPC on clones of the true physics (the 1 of normalised scores)',
  privileged: true,
  deterministic: true,
  observes: () => ({ reads: 'the whole observation, and the true simulator (privileged: TaskSpec.oracle)' }),
  async create(opts: PlannerOptions) {
    return new OraclePlanner(oracleSettings(opts.config));
  },
};
