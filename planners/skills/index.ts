/**
 * The skill library: which skills each robot can run. The scripted baseline and the LLM
 * planner (skills mode) both build their skills from here.
 *
 * | skill      | robots            | args                       | ends done when                      |
 * |------------|-------------------|----------------------------|-------------------------------------|
 * | move_to    | diffdrive, pusher | x, y (m)                   | robot centre within 0.1 m           |
 * | turn_to    | diffdrive         | deg                        | heading within 3°                   |
 * | push       | pusher, diffdrive | object_id, x, y (m)        | object centre within 0.12 m         |
 * | reach      | arm               | x, y, z (m)                | end effector within 1.5 cm          |
 * | arm_push   | arm               | object_id, x, y (m)        | object centre within 4 cm           |
 * | wait       | all               | s (seconds)                | the time has passed                 |
 * | stop       | all               | —                          | the robot is at rest                |
 */
import type { RobotType } from '../../scenarios/schema.ts';
import type { Observation } from '../../sim/types.ts';
import type { SkillContext } from './args.ts';
import { armPushSpec } from './armPush.ts';
import { moveToSpec } from './moveTo.ts';
import { pushSpec } from './push.ts';
import { reachSpec } from './reach.ts';
import { SkillArgError, type Skill, type SkillSpec } from './Skill.ts';
import { turnToSpec } from './turnTo.ts';
import { stopSpec, waitSpec } from './wait.ts';

export type { SkillContext } from './args.ts';
export { SkillArgError } from './Skill.ts';
export type { Skill, SkillSpec, SkillStatus, SkillStep } from './Skill.ts';

/** Every skill, in the order shown to planners. */
export function allSkills(ctx: SkillContext = {}): SkillSpec[] {
  return [moveToSpec(ctx), turnToSpec, pushSpec(ctx), reachSpec(ctx), armPushSpec(ctx), waitSpec, stopSpec];
}

/**
 * The skills a robot can run. Pass the arena size (`{ arena: scenario.arena.size }`) so target
 * points outside the arena are rejected as `invalid_action` with the valid range in the message.
 */
export function skillsFor(robot: RobotType, ctx: SkillContext = {}): SkillSpec[] {
  return allSkills(ctx).filter((s) => s.robots.includes(robot));
}

/**
 * Builds a skill by name for the observation's robot. An unknown name, or a skill this robot
 * cannot run, is an `invalid_action` naming the skills it can run.
 */
export function createSkill(name: string, args: Record<string, unknown>, obs: Observation, ctx: SkillContext = {}): Skill {
  const specs = skillsFor(obs.robot.type, ctx);
  const spec = specs.find((s) => s.name === name);
  if (!spec) {
    const known = allSkills(ctx).some((s) => s.name === name);
    const why = known ? `a ${obs.robot.type} robot cannot run "${name}"` : `there is no skill "${name}"`;
    throw new SkillArgError('invalid_action', `${why}; skills for this robot: ${specs.map((s) => s.name).join(', ')}`);
  }
  return spec.create(args, obs);
}
