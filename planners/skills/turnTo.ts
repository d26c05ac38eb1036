/**
 * `turn_to(deg)`: turn the differential-drive robot in place to a world heading (degrees,
 * counter-clockwise from +x). Ends `done` within 3° once the spin has settled; `failed` when the
 * robot is blocked and does not turn.
 */
import type { Observation } from '../../sim/types.ts';
import { numberArg, requireRobot } from './args.ts';
import { wheels } from './drive.ts';
import { clamp, wrapAngle } from './geometry.ts';
import type { Skill, SkillSpec, SkillStep } from './Skill.ts';

const DEG = Math.PI / 180;
const TOLERANCE = 3 * DEG;
const BLOCKED_SECONDS = 3;

class TurnTo implements Skill {
  readonly name = 'turn_to';
  private best = Infinity;
  private bestAt = -1;

  constructor(
    readonly args: Record<string, unknown>,
    private readonly yaw: number,
  ) {}

  step(obs: Observation): SkillStep {
    const e = wrapAngle(this.yaw - obs.robot.pose.yaw);
    const ae = Math.abs(e);
    if (ae <= TOLERANCE && Math.abs(obs.robot.vel.wz) < 0.3) return { action: [0, 0], status: 'done', reason: `heading ${(obs.robot.pose.yaw / DEG).toFixed(0)}°` };
    if (ae < this.best - 2 * DEG || this.bestAt < 0) {
      this.best = Math.min(this.best, ae);
      this.bestAt = obs.t;
    }
    if (obs.t - this.bestAt > BLOCKED_SECONDS) {
      return { action: [0, 0], status: 'failed', reason: `turn_to failed: the robot is blocked; still ${(ae / DEG).toFixed(0)}° from ${(this.yaw / DEG).toFixed(0)}°` };
    }
    // Proportional yaw rate with a floor so the last degrees do not crawl.
    const w = clamp(3 * e, -2.5, 2.5);
    const wMin = 0.4 * Math.sign(e);
    return { action: wheels(0, Math.abs(w) < Math.abs(wMin) ? wMin : w), status: 'running' };
  }
}

export const turnToSpec: SkillSpec = {
  name: 'turn_to',
  description: 'turn in place to face a world heading in degrees (0 = +x, 90 = +y)',
  params: [{ name: 'deg', type: 'number', description: 'heading in degrees, -360 to 360' }],
  robots: ['diffdrive'],
  create(args, obs) {
    requireRobot('turn_to', obs, this.robots);
    const deg = numberArg('turn_to', args, 'deg', -360, 360, 'degrees');
    return new TurnTo(args, wrapAngle(deg * DEG));
  },
};
