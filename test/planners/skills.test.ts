/**
 * Skills on real observations: argument checks with the right failure category, and real
 * closed-loop behaviour (arrive, turn, report why a push failed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSkill, SkillArgError, skillsFor } from '../../planners/skills/index.ts';
import type { Skill } from '../../planners/skills/Skill.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Environment, Observation } from '../../sim/types.ts';

const envs: Environment[] = [];
const obsOf: Record<string, Observation> = {};

beforeAll(async () => {
  for (const id of ['open-field', 'push-box', 'arm-push', 'push-around']) {
    const env = await createEnv(loadScenario(id));
    obsOf[id] = env.reset({ seed: 0 }).obs;
    envs.push(env);
  }
});
afterAll(() => envs.forEach((e) => e.dispose()));

function rejects(fn: () => unknown): SkillArgError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SkillArgError);
    return e as SkillArgError;
  }
  throw new Error('expected a SkillArgError');
}

/** Runs a skill in its own env until it ends or `maxSteps` pass. */
async function runSkill(scenario: string, seed: number, make: (obs: Observation) => Skill, maxSteps: number) {
  const env = await createEnv(loadScenario(scenario));
  try {
    let obs = env.reset({ seed }).obs;
    const skill = make(obs);
    for (let i = 0; i < maxSteps; i++) {
      const s = skill.step(obs);
      if (s.status !== 'running') return { ...s, obs, steps: i };
      obs = env.step(s.action).obs;
    }
    return { status: 'running' as const, reason: undefined, obs, steps: maxSteps };
  } finally {
    env.dispose();
  }
}

describe('skill library', () => {
  it('lists the skills each robot can run', () => {
    expect(skillsFor('diffdrive').map((s) => s.name)).toEqual(['move_to', 'turn_to', 'push', 'wait', 'stop']);
    expect(skillsFor('pusher').map((s) => s.name)).toEqual(['move_to', 'push', 'wait', 'stop']);
    expect(skillsFor('arm').map((s) => s.name)).toEqual(['reach', 'arm_push', 'wait', 'stop']);
    for (const s of skillsFor('arm')) expect(s.description.length).toBeGreaterThan(10);
  });
});

describe('argument checks', () => {
  it('an unknown object id is a hallucinated_object naming the real ones', () => {
    const e = rejects(() => createSkill('push', { object_id: 'red_ball', x: 1, y: 0 }, obsOf['push-box']));
    expect(e.kind).toBe('hallucinated_object');
    expect(e.message).toContain('red_ball');
    expect(e.message).toContain('crate');
    expect(rejects(() => createSkill('arm_push', { object_id: 'cube', x: 0.4, y: 0 }, obsOf['arm-push'])).kind).toBe('hallucinated_object');
  });

  it('out-of-range and malformed numbers are invalid_action naming the argument and range', () => {
    const ctx = { arena: [8, 8] as [number, number] };
    const e = rejects(() => createSkill('move_to', { x: 12, y: 0 }, obsOf['open-field'], ctx));
    expect(e.kind).toBe('invalid_action');
    expect(e.message).toMatch(/"x" = 12 .*\[-3\.9, 3\.9\]/);
    expect(rejects(() => createSkill('move_to', { x: 'left', y: 0 }, obsOf['open-field'])).kind).toBe('invalid_action');
    expect(rejects(() => createSkill('move_to', { x: 1 }, obsOf['open-field'])).kind).toBe('invalid_action');
    expect(rejects(() => createSkill('turn_to', { deg: 720 }, obsOf['open-field'])).kind).toBe('invalid_action');
    expect(rejects(() => createSkill('wait', { s: -1 }, obsOf['open-field'])).kind).toBe('invalid_action');
    // Quoted numbers from a language model are accepted.
    expect(createSkill('move_to', { x: '1.5', y: '0' }, obsOf['open-field']).name).toBe('move_to');
  });

  it('unknown skills, and skills of another robot, are invalid_action listing valid ones', () => {
    const e = rejects(() => createSkill('fly_to', { x: 0, y: 0 }, obsOf['open-field']));
    expect(e.kind).toBe('invalid_action');
    expect(e.message).toContain('move_to');
    expect(rejects(() => createSkill('reach', { x: 0, y: 0, z: 0.3 }, obsOf['open-field'])).kind).toBe('invalid_action');
  });

  it('impossible requests are infeasible with the reason', () => {
    const far = rejects(() => createSkill('reach', { x: 1.2, y: 0, z: 0.3 }, obsOf['arm-push']));
    expect(far.kind).toBe('infeasible');
    expect(far.message).toContain('beyond the arm');
    expect(rejects(() => createSkill('reach', { x: 0.4, y: 0, z: 0 }, obsOf['arm-push'])).kind).toBe('infeasible');
    expect(rejects(() => createSkill('arm_push', { object_id: 'block', x: 1.3, y: 0 }, obsOf['arm-push'])).kind).toBe('infeasible');
    // push-around: the wall occupies (0.6, 0); a crate cannot be pushed into it.
    expect(rejects(() => createSkill('push', { object_id: 'crate', x: 0.6, y: 0 }, obsOf['push-around'])).kind).toBe('infeasible');
    expect(rejects(() => createSkill('push', { object_id: 'wall', x: 2, y: 2 }, obsOf['push-around'])).kind).toBe('infeasible');
  });
});

describe('closed-loop behaviour', () => {
  it('move_to arrives within 0.1 m and turn_to faces the heading', async () => {
    const m = await runSkill('open-field', 1, (obs) => createSkill('move_to', { x: 0.5, y: 1 }, obs), 150);
    expect(m.status).toBe('done');
    expect(Math.hypot(m.obs.robot.pose.x - 0.5, m.obs.robot.pose.y - 1)).toBeLessThanOrEqual(0.1);
    const t = await runSkill('open-field', 1, (obs) => createSkill('turn_to', { deg: 135 }, obs), 60);
    expect(t.status).toBe('done');
    expect(Math.abs(t.obs.robot.pose.yaw - (135 * Math.PI) / 180)).toBeLessThan(0.06);
  });

  it('reach brings the end effector within 1.5 cm', async () => {
    const r = await runSkill('arm-push', 0, (obs) => createSkill('reach', { x: 0.3, y: 0.3, z: 0.2 }, obs), 60);
    expect(r.status).toBe('done');
    const ee = r.obs.robot.ee!;
    expect(Math.hypot(ee.x - 0.3, ee.y - 0.3, ee.z - 0.2)).toBeLessThanOrEqual(0.015);
  });

  it('push straight at a wall fails, naming what the crate is stuck against', async () => {
    // push-around: the wall stands between the crate and (2.6, 0): pushing straight pins the crate.
    const r = await runSkill('push-around', 0, (obs) => createSkill('push', { object_id: 'crate', x: 2.6, y: 0 }, obs), 400);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/^push failed: crate stuck against wall at \(/);
  });

  it('wait holds still for the time asked', async () => {
    const r = await runSkill('push-box', 0, (obs) => createSkill('wait', { s: 0.5 }, obs), 20);
    expect(r.status).toBe('done');
    expect(r.steps).toBe(5);
  });
});
