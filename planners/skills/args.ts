/**
 * Argument checks for skills. Every skill validates its arguments when it is created, so a bad
 * call from a planner (an LLM, usually) is rejected with a category and a message that says what
 * was wrong and what would be right: the message is fed back to the planner verbatim.
 */
import type { Observation, SceneObject } from '../../sim/types.ts';
import { SkillArgError } from './Skill.ts';

/** Reads a required finite number argument within [lo, hi]. Numeric strings ("1.5") are accepted
 * because language models often quote numbers. */
export function numberArg(skill: string, args: Record<string, unknown>, name: string, lo: number, hi: number, unit: string): number {
  const raw = args[name];
  if (raw === undefined || raw === null) {
    throw new SkillArgError('invalid_action', `${skill}: missing argument "${name}" (${unit}, ${lo} to ${hi})`);
  }
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new SkillArgError('invalid_action', `${skill}: argument "${name}" must be a number (${unit}), got ${JSON.stringify(raw)}`);
  }
  if (v < lo || v > hi) {
    throw new SkillArgError('invalid_action', `${skill}: argument "${name}" = ${v} is out of range; it must be within [${lo}, ${hi}] ${unit}`);
  }
  return v;
}

/** Reads a required object id argument; it must name a movable object in the observation. */
export function movableArg(skill: string, args: Record<string, unknown>, name: string, obs: Observation): SceneObject {
  const raw = args[name];
  if (typeof raw !== 'string' || raw === '') {
    throw new SkillArgError('invalid_action', `${skill}: argument "${name}" must be an object id string, got ${JSON.stringify(raw)}`);
  }
  const movables = obs.objects.filter((o) => o.kind === 'movable');
  const obj = obs.objects.find((o) => o.id === raw);
  const known = movables.length > 0 ? movables.map((o) => o.id).join(', ') : 'none';
  if (!obj) {
    throw new SkillArgError('hallucinated_object', `${skill}: there is no object "${raw}" in the scene; movable objects: ${known}`);
  }
  if (obj.kind !== 'movable') {
    throw new SkillArgError('infeasible', `${skill}: "${raw}" is a ${obj.kind} and cannot be moved; movable objects: ${known}`);
  }
  return obj;
}

/** What a skill may know besides the observation: fixed facts of the task. */
export interface SkillContext {
  /** Full extents [x, y] of the arena floor (centred on the origin), when known. */
  arena?: readonly [number, number];
}

/** Bound on target coordinates when the arena size is unknown: far beyond any sensible arena. */
const FAR = 100;

/** Reads a target point (x, y) on the ground plane; it must lie inside the arena (0.1 m margin). */
export function pointArgs(skill: string, args: Record<string, unknown>, ctx: SkillContext, names: [string, string] = ['x', 'y']): [number, number] {
  const hx = ctx.arena ? ctx.arena[0] / 2 - 0.1 : FAR;
  const hy = ctx.arena ? ctx.arena[1] / 2 - 0.1 : FAR;
  return [numberArg(skill, args, names[0], -round2(hx), round2(hx), 'm'), numberArg(skill, args, names[1], -round2(hy), round2(hy), 'm')];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Throws `infeasible` when a skill needs a robot type the observation's robot is not. */
export function requireRobot(skill: string, obs: Observation, types: readonly string[]): void {
  if (!types.includes(obs.robot.type)) {
    throw new SkillArgError('infeasible', `${skill}: a ${obs.robot.type} robot cannot run it (only ${types.join(', ')})`);
  }
}
