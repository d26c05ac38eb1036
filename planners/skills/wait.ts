/**
 * `wait(s)` holds still (zero action) for a number of simulated seconds; `stop()` brakes until
 * the robot is (nearly) at rest. Both end `done`.
 */
import type { Observation } from '../../sim/types.ts';
import { numberArg } from './args.ts';
import { hypot2 } from './geometry.ts';
import { zeroAction } from './drive.ts';
import type { Skill, SkillSpec, SkillStep } from './Skill.ts';

class Wait implements Skill {
  readonly name = 'wait';
  private until = -1;

  constructor(
    readonly args: Record<string, unknown>,
    private readonly seconds: number,
  ) {}

  step(obs: Observation): SkillStep {
    if (this.until < 0) this.until = obs.t + this.seconds;
    // Float slack so a wait of k control periods takes exactly k steps.
    const done = obs.t >= this.until - 1e-6;
    return { action: zeroAction(obs), status: done ? 'done' : 'running' };
  }
}

export const waitSpec: SkillSpec = {
  name: 'wait',
  description: 'hold still for a number of seconds (lets things settle or a moving obstacle pass)',
  params: [{ name: 's', type: 'number', description: 'seconds to wait, 0 to 60' }],
  robots: ['diffdrive', 'pusher', 'arm'],
  create(args) {
    return new Wait(args, numberArg('wait', args, 's', 0, 60, 's'));
  },
};

const AT_REST = 0.05;
const MAX_BRAKE_SECONDS = 2;

class Stop implements Skill {
  readonly name = 'stop';
  readonly args: Record<string, unknown> = {};
  private started = -1;

  step(obs: Observation): SkillStep {
    if (this.started < 0) this.started = obs.t;
    const { vx, vy, wz } = obs.robot.vel;
    const jointSpeed = obs.robot.joints.vel.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const moving = obs.robot.type === 'arm' ? jointSpeed > AT_REST : hypot2(vx, vy) > AT_REST || Math.abs(wz) > AT_REST * 4;
    const done = !moving || obs.t - this.started >= MAX_BRAKE_SECONDS;
    return { action: zeroAction(obs), status: done ? 'done' : 'running' };
  }
}

export const stopSpec: SkillSpec = {
  name: 'stop',
  description: 'stop moving and wait until the robot is at rest',
  params: [],
  robots: ['diffdrive', 'pusher', 'arm'],
  create() {
    return new Stop();
  },
};
