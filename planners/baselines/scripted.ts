/**
 * Scripted baseline: the task solved by hand-written skill sequences, with no learning and no
 * language. It shows what the skill library can do when the right skill is chosen with the
 * right arguments, which is the ceiling the LLM planner (skills mode) is measured against.
 *
 * | task                 | robot             | script                              |
 * |----------------------|-------------------|-------------------------------------|
 * | reach                | diffdrive, pusher | move_to(goal)                       |
 * | push                 | pusher, diffdrive | push(object, goal)                  |
 * | ee_reach             | arm               | reach(goal)                         |
 * | push                 | arm               | arm_push(object, goal)              |
 *
 * Mobile tasks go by a global route: A* over the observed static footprints (`RoutePlanner`)
 * gives corner waypoints for the robot (reach) or the object (push), and the skill is called
 * once per waypoint, moving on when the robot or object comes within 0.3 m of an intermediate
 * one. When there is no grid route (e.g. the goal is up on a platform) the call goes straight
 * to the goal.
 *
 * A failed skill is retried (a fresh instance, a fresh route) up to
 * `--set scripted-retries=N` times (default 3), after a one-second pause; then the robot
 * stops. `info.skill` = `{ name, args, status, reason? }` every step; a failure also adds
 * `info.failures`; `info.intent` says in a sentence what it is doing and why.
 */
import type { Action, Observation, ResolvedGoal } from '../../sim/types.ts';
import type { ActResult, FailureCategory, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../Planner.ts';
import { zeroAction } from '../skills/drive.ts';
import { createSkill, SkillArgError, type Skill, type SkillContext } from '../skills/index.ts';
import { robotRadius } from '../skills/drive.ts';
import { footprintRadius, hypot2 } from '../skills/geometry.ts';
import { readSettings } from '../../core/settings.ts';
import { SCRIPTED_SETTINGS } from './settings.ts';
import { planRoute } from './RoutePlanner.ts';
import { describeCall, sentence } from '../skills/describe.ts';
import { pushedObject } from '../../sim/observation.ts';

const PAUSE_SECONDS = 1;
/** Distance (m) at which the robot or the object counts as past an intermediate waypoint. */
const WAYPOINT_REACHED = 0.3;

/** The skill call that solves a task, as the scripted planner (and tests) see it. */
export function scriptFor(goal: ResolvedGoal, robot: Observation['robot']['type']): { name: string; args: Record<string, unknown> } {
  const [x, y, z] = goal.position;
  switch (goal.type) {
    case 'reach':
      return { name: 'move_to', args: { x, y } };
    case 'ee_reach':
      return { name: 'reach', args: { x, y, z } };
    case 'push':
      return { name: robot === 'arm' ? 'arm_push' : 'push', args: { object_id: goal.object, x, y } };
  }
}

export class ScriptedPlanner implements Planner {
  readonly name = 'scripted';
  private ctx: SkillContext = {};
  private skill: Skill | null = null;
  private failuresLeft = 0;
  private pauseUntil = -1;
  private gaveUp: string | null = null;
  private stats = { skillCalls: 0, skillFailures: 0 };
  /** Remaining waypoints for mobile tasks (the last is the goal); null until planned. */
  private route: [number, number][] | null = null;

  constructor(private readonly retries: number) {}

  async reset(task: TaskSpec): Promise<void> {
    this.ctx = { arena: task.arena.size };
    this.skill = null;
    this.failuresLeft = this.retries + 1;
    this.pauseUntil = -1;
    this.gaveUp = null;
    this.stats = { skillCalls: 0, skillFailures: 0 };
    this.route = null;
  }

  async act(obs: Observation): Promise<ActResult> {
    return this.decide(obs);
  }

  /** The decision itself, synchronous, so the oracle can roll copies of this planner forward. */
  decide(obs: Observation): ActResult {
    if (this.gaveUp !== null) return this.idle(obs, { name: 'stop', args: {}, status: 'done', reason: this.gaveUp }, undefined, `gave up (${this.gaveUp}); holding still`);
    if (obs.t < this.pauseUntil) {
      const attempt = this.retries + 2 - this.failuresLeft;
      return this.idle(obs, { name: 'wait', args: { s: PAUSE_SECONDS }, status: 'running' }, undefined, `pausing ${PAUSE_SECONDS} s after a failed attempt, then trying again (attempt ${attempt} of ${this.retries + 1})`);
    }

    const call = scriptFor(obs.goal, obs.robot.type);
    if (obs.robot.type !== 'arm') this.followRoute(obs, call.args);
    if (!this.skill) {
      try {
        this.skill = createSkill(call.name, call.args, obs, this.ctx);
        this.stats.skillCalls++;
      } catch (e) {
        if (!(e instanceof SkillArgError)) throw e;
        // The task itself is impossible for this robot's skills: say so once and stay put.
        this.gaveUp = e.message;
        return this.idle(obs, { name: call.name, args: call.args, status: 'failed', reason: e.message }, e.kind, `cannot ${describeCall(call.name, call.args)}: ${e.message}; holding still`);
      }
    }
    const s = this.skill.step(obs);
    const skillInfo = { name: this.skill.name, args: this.skill.args, status: s.status, ...(s.reason ? { reason: s.reason } : {}) };
    const doing = describeCall(this.skill.name, this.skill.args);
    if (s.status === 'running') return { action: s.action, info: { skill: skillInfo, intent: sentence(`${doing}${this.routeNote(obs)}`) } };

    this.skill = null;
    if (s.status === 'done') return { action: s.action, info: { skill: skillInfo, intent: sentence(`done: ${doing}`) } };
    this.stats.skillFailures++;
    this.route = null;
    this.failuresLeft--;
    if (this.failuresLeft <= 0) this.gaveUp = `gave up after ${this.retries + 1} attempts; last: ${s.reason ?? 'failed'}`;
    else this.pauseUntil = obs.t + PAUSE_SECONDS;
    const next = this.failuresLeft <= 0 ? 'out of attempts, it stops' : `it pauses ${PAUSE_SECONDS} s and tries again on a fresh route`;
    return {
      action: zeroAction(obs),
      info: { skill: skillInfo, failures: [{ category: 'infeasible', detail: s.reason ?? `${skillInfo.name} failed` }], intent: sentence(`could not ${doing} (${s.reason ?? 'the skill failed'}); ${next}`) },
    };
  }

  /** Why the skill aims where it does: a waypoint of the route round obstacles, or the goal. */
  private routeNote(obs: Observation): string {
    if (obs.robot.type === 'arm' || !this.route) return '';
    const left = this.route.length - 1;
    return left > 0 ? `, a corner of its route round the obstacles (${left} more before the goal)` : ', the goal';
  }

  /** Points the call at the current waypoint, planning the route first if needed; drops the
   * running skill when its waypoint has been passed so the next call aims at the next one. */
  private followRoute(obs: Observation, args: Record<string, unknown>): void {
    const goal = obs.goal;
    const pushed = pushedObject(obs);
    const subject = pushed ?? obs.robot.pose;
    if (!this.route) {
      const arena = this.ctx.arena ?? [100, 100];
      const clearance = pushed ? footprintRadius(pushed.size) + 0.15 : robotRadius(obs) + 0.12;
      this.route = planRoute(obs, subject.x, subject.y, goal.position[0], goal.position[1], { arena, clearance, ignore: pushed ? [pushed.id] : [] }) ?? [[goal.position[0], goal.position[1]]];
    }
    while (this.route.length > 1 && hypot2(this.route[0][0] - subject.x, this.route[0][1] - subject.y) < WAYPOINT_REACHED) {
      this.route.shift();
      this.skill = null;
    }
    args.x = this.route[0][0];
    args.y = this.route[0][1];
  }

  private idle(obs: Observation, skill: Record<string, unknown>, category: FailureCategory | undefined, intent: string): ActResult {
    const action: Action = zeroAction(obs);
    const info: Record<string, unknown> = { skill, intent: sentence(intent) };
    if (category) info.failures = [{ category, detail: String(skill.reason) }];
    return { action, info };
  }

  episodeStats(): Record<string, number> {
    return { ...this.stats };
  }

  dispose(): void {}
}

export const factory: PlannerFactory = {
  name: 'scripted',
  description: 'hand-written controllers: go-to-goal with lidar avoidance, pushing, arm joint control',
  deterministic: true,
  observes: () => ({ reads: 'robot state, goal, objects (grid route around them), lidar' }),
  async create(opts: PlannerOptions) {
    return new ScriptedPlanner(readSettings(SCRIPTED_SETTINGS.settings, opts.config).scriptedRetries as number);
  },
};
