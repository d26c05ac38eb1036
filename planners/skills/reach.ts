/**
 * `reach(x, y, z)`: move the arm's end effector to a point, by joint-space control towards the
 * closed-form inverse-kinematics solution (see `armKinematics.ts`). Ends `done` within 1.5 cm;
 * `infeasible` at creation when the point is outside the workspace or the joint limits;
 * `failed` when something blocks the arm (no progress for 3 s).
 */
import type { Observation } from '../../sim/types.ts';
import { numberArg, pointArgs, requireRobot, type SkillContext } from './args.ts';
import { eeOf, inverse, jointAction, type Joints, type Vec3 } from './armKinematics.ts';
import { fmt } from './geometry.ts';
import { stuckAgainst3 } from './armPush.ts';
import { SkillArgError, type Skill, type SkillSpec, type SkillStep } from './Skill.ts';

const TOLERANCE = 0.015;
const NO_PROGRESS_SECONDS = 3;

class Reach implements Skill {
  readonly name = 'reach';
  private best = Infinity;
  private bestAt = 0;

  constructor(
    readonly args: Record<string, unknown>,
    private readonly p: Vec3,
    private readonly q: Joints,
  ) {}

  step(obs: Observation): SkillStep {
    const ee = eeOf(obs);
    const d = dist3(ee, this.p);
    if (d <= TOLERANCE) return { action: [0, 0, 0], status: 'done', reason: `end effector at (${ee.map(fmt).join(', ')})` };
    if (d < this.best - 0.01 || this.best === Infinity) {
      this.best = Math.min(this.best, d);
      this.bestAt = obs.t;
    }
    if (obs.t - this.bestAt > NO_PROGRESS_SECONDS) {
      return { action: [0, 0, 0], status: 'failed', reason: `reach failed: the arm is blocked ${stuckAgainst3(obs, ee)}, ${fmt(d)} m from the target` };
    }
    return { action: jointAction(obs, this.q), status: 'running' };
  }
}

export function dist3(a: readonly number[], b: readonly number[]): number {
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  const dz = a[2] - b[2];
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

export function reachSpec(ctx: SkillContext): SkillSpec {
  return {
    name: 'reach',
    description: "move the arm's end effector to (x, y, z); the arm reaches about 0.75 m from its shoulder, 0.2 m above its base",
    params: [
      { name: 'x', type: 'number', description: 'target x in metres (world frame)' },
      { name: 'y', type: 'number', description: 'target y in metres (world frame)' },
      { name: 'z', type: 'number', description: 'target height in metres above the floor, 0.03 to 1.2' },
    ],
    robots: ['arm'],
    create(args, obs) {
      requireRobot('reach', obs, this.robots);
      const [x, y] = pointArgs('reach', args, ctx);
      const z = numberArg('reach', args, 'z', 0, 1.2, 'm');
      // The end effector is a 3 cm ball: its centre cannot go lower.
      if (z < 0.03) throw new SkillArgError('infeasible', `reach: z = ${z} m would put the end effector into the floor; use z >= 0.03`);
      const ik = inverse(obs, [x, y, z]);
      if (!ik.ok) throw new SkillArgError('infeasible', `reach: (${fmt(x)}, ${fmt(y)}, ${fmt(z)}) is out of reach: ${ik.reason}`);
      return new Reach(args, [x, y, z], ik.q);
    },
  };
}
