/**
 * `move_to(x, y)`: drive the robot's centre to a point on the ground plane, avoiding obstacles
 * with the lidar (see `Navigator`). Ends `done` within 0.1 m, `failed` when stuck or when the
 * distance stops shrinking.
 */
import type { Observation } from '../../sim/types.ts';
import { pointArgs, requireRobot, type SkillContext } from './args.ts';
import { zeroAction } from './drive.ts';
import { boxDistance, fmt, hypot2 } from './geometry.ts';
import { Navigator } from './Navigator.ts';
import { SkillArgError, type Skill, type SkillSpec, type SkillStep } from './Skill.ts';

const TOLERANCE = 0.1;

class MoveTo implements Skill {
  readonly name = 'move_to';
  private readonly nav = new Navigator();

  constructor(
    readonly args: Record<string, unknown>,
    private readonly x: number,
    private readonly y: number,
  ) {}

  step(obs: Observation): SkillStep {
    const { pose } = obs.robot;
    if (hypot2(this.x - pose.x, this.y - pose.y) <= TOLERANCE) {
      return { action: zeroAction(obs), status: 'done', reason: `arrived at (${fmt(pose.x)}, ${fmt(pose.y)})` };
    }
    const s = this.nav.step(obs, this.x, this.y);
    if (s.failure) return { action: s.action, status: 'failed', reason: `move_to failed: ${s.failure}` };
    return { action: s.action, status: 'running' };
  }
}

export function moveToSpec(ctx: SkillContext): SkillSpec {
  return {
    name: 'move_to',
    description: 'drive the robot centre to (x, y), steering around obstacles it sees; ends within 0.1 m of the point',
    params: [
      { name: 'x', type: 'number', description: 'target x in metres (world frame)' },
      { name: 'y', type: 'number', description: 'target y in metres (world frame)' },
    ],
    robots: ['diffdrive', 'pusher'],
    create(args, obs) {
      requireRobot('move_to', obs, this.robots);
      const [x, y] = pointArgs('move_to', args, ctx);
      // Static obstacles only: movable and moving things may be gone by the time the robot arrives.
      const inside = obs.objects.find(
        (o) => (o.kind === 'obstacle' || o.kind === 'wall') && boxDistance(x, y, o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2) < 0,
      );
      if (inside) throw new SkillArgError('infeasible', `move_to: (${fmt(x)}, ${fmt(y)}) is inside ${inside.id}; pick a free point`);
      return new MoveTo(args, x, y);
    },
  };
}
