/**
 * Data collection: runs one episode of any planner in the simulator, through the same episode
 * loop as the runner (`runner/episodeLoop.ts`), and keeps what training needs as replay data
 * (observation vectors, actions, rewards, goal distances, failures, probe targets, teacher
 * labels) instead of recordings, hashes and timing.
 */
import { clearance, modelInput } from '../io/sceneFeatures.ts';
import { obstaclesOf } from '../planning/Imagination.ts';
import { taskSpec, type ActResult, type Planner, type TaskSpec } from '../../Planner.ts';
import { episodeLoop } from '../../../runner/episodeLoop.ts';
import { LEAVE_MARGIN } from '../../../sim/predicates.ts';
import type { Scenario } from '../../../scenarios/schema.ts';
import { createEnv } from '../../../sim/Env.ts';
import type { Observation, PhysicsFlavor, SceneObject, StepInfo } from '../../../sim/types.ts';
import type { Rng } from '../../../sim/rng.ts';
import type { DataSource, EpisodeData } from './ReplayBuffer.ts';
import { pushedObject } from '../../../sim/observation.ts';

export interface CollectOptions {
  /** Labels every visited state with this planner's action (`EpisodeData.expert`), whoever acts
   * (DAgger). It may be the acting planner itself (with `explore`). */
  teacher?: Planner;
  /** Exploration bursts (DART-style): with probability `prob` per step, the next `hold` steps
   * execute uniform random actions instead of the planner's; the teacher keeps labelling. */
  explore?: { prob: number; hold: number; rng: Rng };
  /** Decoy goals: the acting planner is shown a random point of the arena as the goal
   * (`obs.goal`, what the scripted controller reads; `obs.flat` keeps the true goal) instead of
   * the task's (a push task's crate is then pushed there, from whatever side that needs), drawn
   * anew every `every` steps or once the subject is within `reached` metres of it, its plan
   * reset each time. What is stored is the true observation, reward and (with `teacher`) the
   * teacher's label for the true goal: interaction data whose actions do not follow from the
   * state the way the task's own controller makes them (issue 11: the crate's imagined motion
   * hardly depended on the push). With `dwell`, a reached decoy is kept that many more steps
   * before the next is drawn: the controller stops and stays there (ground robots: real stops
   * at arbitrary points, so that the model learns braking, not only driving on). With `clear`,
   * a decoy is drawn only where it is at least that far (m) from every obstacle the observation
   * lists (slopes and steps are driven over), so that none lies inside or against a box. */
  decoy?: { every: number; reached: number; margin: number; dwell?: number; clear?: number; rng: Rng };
  /** Store the world model's input with the object set (io/sceneFeatures.ts), not just `obs.flat`. */
  objects?: boolean;
}

/** Skills that mean the teacher has nothing to teach (pausing after a failure, given up). */
const NO_LABEL = new Set(['wait', 'stop']);

export interface CollectedEpisode {
  data: EpisodeData;
  success: boolean;
  failure: string | null;
  return: number;
  finalGoalDistance: number;
}

/** A point relative to the goal, world frame. The probe's targets: the robot's working point
 * (`info.robotPoint`: chassis; the arm's end effector) and the task subject (`info.subject`: the
 * pushed object on push tasks, else the robot point). */
export function offsetFrom(p: readonly number[], goal: readonly number[]): [number, number, number] {
  return [p[0] - goal[0], p[1] - goal[1], p[2] - (goal[2] ?? 0)];
}

/** The subject's probe target: its offset from the goal, or NaN once it has fallen off the
 * floor (a block knocked off a wall-less arena falls for ever, hundreds of metres: a target that
 * would swamp the probe's loss, and nothing a plan could use). */
function subjectTarget(p: readonly number[], goal: readonly number[]): [number, number, number] {
  return p[2] < -LEAVE_MARGIN ? [Number.NaN, Number.NaN, Number.NaN] : offsetFrom(p, goal);
}

/**
 * The planner as collection runs it: labels every state with the teacher's action (DAgger), and
 * during exploration bursts (DART) acts uniformly at random instead of the planner.
 */
class CollectingPlanner implements Planner {
  readonly name: string;
  readonly expert: number[] = [];
  private burst = 0;
  private task: TaskSpec | null = null;
  private seed = 0;
  private decoy: [number, number] | null = null;
  private decoyAge = 0;
  /** Steps since the current decoy was first reached (null: not yet reached). */
  private decoyHeld: number | null = null;

  constructor(
    private readonly inner: Planner,
    private readonly A: number,
    private readonly opts: CollectOptions,
  ) {
    this.name = inner.name;
  }

  async reset(task: TaskSpec, seed: number): Promise<void> {
    this.task = task;
    this.seed = seed;
    this.decoy = null;
    this.decoyAge = 0;
    this.decoyHeld = null;
    await this.inner.reset(task, seed);
    if (this.opts.teacher && this.opts.teacher !== this.inner) await this.opts.teacher.reset(task, seed);
  }

  async act(obs: Observation, last?: StepInfo): Promise<ActResult> {
    const { teacher, explore } = this.opts;
    const acted = await this.inner.act(this.opts.decoy ? await this.decoyed(obs) : obs, last);
    let action = clip(acted.action, this.A);
    if (teacher) {
      const taught = teacher === this.inner ? acted : await teacher.act(obs, last);
      const skill = (taught.info as { skill?: { name?: string } } | undefined)?.skill?.name;
      this.expert.push(...(skill && NO_LABEL.has(skill) ? new Array<number>(this.A).fill(Number.NaN) : clip(taught.action, this.A)));
    }
    if (explore) {
      if (this.burst === 0 && explore.rng.uniform(0, 1) < explore.prob) this.burst = explore.hold;
      if (this.burst > 0) {
        action = Array.from({ length: this.A }, () => explore.rng.uniform(-1, 1));
        this.burst--;
      }
    }
    return { action, info: acted.info };
  }

  /** The observation with the current decoy goal in place of the task's (drawing a new decoy,
   * and resetting the acting planner's plan, when it is due). */
  private async decoyed(obs: Observation): Promise<Observation> {
    const d = this.opts.decoy!;
    const g = obs.goal;
    const at = pushedObject(obs) ?? obs.robot.pose;
    if (this.decoy !== null && this.decoyHeld === null && Math.hypot(at.x - this.decoy[0], at.y - this.decoy[1]) < d.reached) this.decoyHeld = 0;
    const held = this.decoyHeld !== null && this.decoyHeld++ >= (d.dwell ?? 0);
    if (this.decoy === null || held || this.decoyAge >= d.every) {
      const [w, h] = this.task!.arena.size;
      const hw = Math.max(w / 2 - d.margin, 0);
      const hh = Math.max(h / 2 - d.margin, 0);
      this.decoy = drawDecoy(hw, hh, d.clear ? obstaclesOf(obs.objects, obs.goal.object) : [], d.clear ?? 0, d.rng);
      this.decoyAge = 0;
      this.decoyHeld = null;
      await this.inner.reset(this.task!, this.seed);
    }
    this.decoyAge++;
    const position = [this.decoy[0], this.decoy[1], ...g.position.slice(2)];
    return { ...obs, goal: { ...g, position } };
  }

  dispose(): void {
    // The caller owns the wrapped planners.
  }
}

/** Tries before a decoy is placed regardless of clearance (a crowded arena). */
const DECOY_TRIES = 50;

/** A point uniform in [−hw, hw] × [−hh, hh], at least `clear` from every listed obstacle when
 * one such is found in `DECOY_TRIES` draws (else the last draw). */
export function drawDecoy(hw: number, hh: number, obstacles: readonly SceneObject[], clear: number, rng: Rng): [number, number] {
  let p: [number, number] = [0, 0];
  for (let k = 0; k < DECOY_TRIES; k++) {
    p = [rng.uniform(-hw, hw), rng.uniform(-hh, hh)];
    if (obstacles.every((o) => clearance(o, p[0], p[1]) >= clear)) return p;
  }
  return p;
}

/**
 * Runs one episode and returns its data. With `signal.stop` set (Ctrl-C) the episode ends early
 * and what was collected so far is still returned (its last transition is not terminal).
 */
export async function collectEpisode(
  scenario: Scenario,
  planner: Planner,
  seed: number,
  source: DataSource,
  physics: PhysicsFlavor = 'deterministic',
  signal?: { stop: boolean },
  opts: CollectOptions = {},
): Promise<CollectedEpisode> {
  const env = await createEnv(scenario, { physics });
  try {
    const task = taskSpec(scenario, env.actionSpace);
    const first = env.reset({ seed });
    const input = (o: Observation) => modelInput(o, task.robot, opts.objects ?? false);
    const D = input(first.obs).length;
    const A = env.actionSpace.dim;
    const actor = new CollectingPlanner(planner, A, opts);
    const goal = first.obs.goal.position;
    const obs: number[] = Array.from(input(first.obs));
    const dist: number[] = [first.info.goalDistance];
    const pos: number[] = offsetFrom(first.info.robotPoint, goal);
    const subject: number[] = subjectTarget(first.info.subject, goal);
    const actions: number[] = [];
    const rewards: number[] = [];
    const failure: number[] = [];
    const terminal: number[] = [];
    let ret = 0;
    let success = false;
    let failed: string | null = null;
    for await (const { action, result: r } of episodeLoop(env, actor, task, seed, first.obs, { clock: 'turn', maxSteps: task.maxSteps })) {
      actions.push(...action);
      rewards.push(r.reward);
      failure.push(r.info.failure ? 1 : 0);
      terminal.push(r.terminated ? 1 : 0);
      obs.push(...input(r.obs));
      dist.push(r.info.goalDistance);
      pos.push(...offsetFrom(r.info.robotPoint, goal));
      subject.push(...subjectTarget(r.info.subject, goal));
      ret += r.reward;
      success = r.info.success;
      failed = r.info.failure;
      if (r.terminated || r.truncated) break;
      // Let a Ctrl-C handler run: planner promises alone never turn the event loop.
      if (signal) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.stop) break;
      }
    }
    const length = rewards.length;
    if (obs.length !== (length + 1) * D) throw new Error(`observation length changed during an episode of ${scenario.id}`);
    return {
      data: {
        scenario: scenario.id,
        seed,
        source,
        length,
        obs: Float32Array.from(obs),
        actions: Float32Array.from(actions),
        rewards: Float32Array.from(rewards),
        goalDistance: Float32Array.from(dist),
        failure: Float32Array.from(failure),
        terminal: Float32Array.from(terminal),
        position: Float32Array.from(pos),
        subject: Float32Array.from(subject),
        ...(opts.teacher ? { expert: Float32Array.from(actor.expert) } : {}),
      },
      success,
      failure: failed,
      return: ret,
      finalGoalDistance: dist[dist.length - 1],
    };
  } finally {
    env.dispose();
  }
}

function clip(action: readonly number[], A: number): number[] {
  return Array.from({ length: A }, (_, i) => (Number.isFinite(action[i]) ? Math.max(-1, Math.min(1, action[i])) : 0));
}
