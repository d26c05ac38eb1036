/**
 * `arm_push(object_id, x, y)`: slide an object on the floor with the arm's end effector until
 * its centre is within 4 cm of (x, y).
 *
 * Phases, re-decided every step: **lift** the end effector clear of the object, **hover** above
 * a staging point behind the object on the line from the target through it, **descend** to the
 * object's mid-height, then **push** along the line with a lateral correction that keeps the
 * end effector centred behind the object. Pushing is Cartesian velocity control: each step the
 * inverse kinematics of a point slightly ahead of the end effector becomes the joint target.
 * When the object slips sideways off the end effector the arm lifts and re-approaches.
 */
import { EE_RADIUS } from '../../sim/robots/arm.ts';
import type { Observation, SceneObject } from '../../sim/types.ts';
import { movableArg, pointArgs, requireRobot, type SkillContext } from './args.ts';
import { eeOf, inverse, jointAction, type Vec3 } from './armKinematics.ts';
import { boxDistance, clamp, fmt, hypot2 } from './geometry.ts';
import { extentAlong } from './push.ts';
import { SkillArgError, type Skill, type SkillSpec, type SkillStep } from './Skill.ts';

const TOLERANCE = 0.04;
const PUSH_SPEED = 0.25;
const NO_PROGRESS_SECONDS = 8;
/** Joint gain used by `jointAction`: a point v/GAIN ahead yields joint speeds ≈ J⁻¹·v. */
const GAIN = 4;

type Phase = 'lift' | 'hover' | 'descend' | 'push';

class ArmPush implements Skill {
  readonly name = 'arm_push';
  private phase: Phase = 'lift';
  private best = Infinity;
  private bestAt = 0;

  constructor(
    readonly args: Record<string, unknown>,
    private readonly id: string,
    private readonly gx: number,
    private readonly gy: number,
  ) {}

  step(obs: Observation): SkillStep {
    const o = obs.objects.find((x) => x.id === this.id);
    if (!o) return { action: [0, 0, 0], status: 'failed', reason: `arm_push failed: ${this.id} is no longer in the scene` };
    const dist = hypot2(this.gx - o.x, this.gy - o.y);
    if (dist <= TOLERANCE) return { action: [0, 0, 0], status: 'done', reason: `${o.id} at (${fmt(o.x)}, ${fmt(o.y)}), ${fmt(dist)} m from the target` };
    if (dist < this.best - 0.02 || this.best === Infinity) {
      this.best = Math.min(this.best, dist);
      this.bestAt = obs.t;
    }
    if (obs.t - this.bestAt > NO_PROGRESS_SECONDS) {
      return { action: [0, 0, 0], status: 'failed', reason: `arm_push failed: ${o.id} made no progress for ${NO_PROGRESS_SECONDS} s; it is at (${fmt(o.x)}, ${fmt(o.y)}), ${fmt(dist)} m from the target` };
    }

    const ee = eeOf(obs);
    const ux = (this.gx - o.x) / dist;
    const uy = (this.gy - o.y) / dist;
    const ext = extentAlong(o, ux, uy);
    const halfWidth = extentAlong(o, -uy, ux);
    const top = o.z + o.size[2] / 2;
    const contactZ = clamp(o.z, EE_RADIUS + 0.008, top - 0.01);
    const hoverZ = top + EE_RADIUS + 0.06;
    const stage: Vec3 = [o.x - ux * (ext + EE_RADIUS + 0.03), o.y - uy * (ext + EE_RADIUS + 0.03), contactZ];
    const rx = ee[0] - o.x;
    const ry = ee[1] - o.y;
    const back = -(rx * ux + ry * uy);
    const lat = -rx * uy + ry * ux;

    if (this.phase === 'push') {
      const lost = Math.abs(lat) > Math.max(0.03, halfWidth * 0.6) || back < ext || back > ext + EE_RADIUS + 0.08;
      if (lost) this.phase = 'lift';
    }
    if (this.phase === 'lift') {
      if (ee[2] >= hoverZ - 0.02) this.phase = 'hover';
      else return this.goto(obs, [ee[0], ee[1], hoverZ], 'lift');
    }
    if (this.phase === 'hover') {
      if (hypot2(ee[0] - stage[0], ee[1] - stage[1]) < 0.02) this.phase = 'descend';
      else return this.goto(obs, [stage[0], stage[1], hoverZ], 'hover');
    }
    if (this.phase === 'descend') {
      if (Math.abs(ee[2] - contactZ) < 0.015) this.phase = 'push';
      else return this.goto(obs, stage, 'descend');
    }

    // Push: a Cartesian velocity along the line, corrected back onto it and to contact height.
    const speed = clamp(dist, 0.08, PUSH_SPEED);
    const k = 2;
    const v: Vec3 = [speed * ux + k * lat * uy, speed * uy - k * lat * ux, 2 * (contactZ - ee[2])];
    return this.goto(obs, [ee[0] + v[0] / GAIN, ee[1] + v[1] / GAIN, ee[2] + v[2] / GAIN], 'push');
  }

  private goto(obs: Observation, p: Vec3, phase: Phase): SkillStep {
    const ik = inverse(obs, p);
    if (!ik.ok) return { action: [0, 0, 0], status: 'failed', reason: `arm_push failed while ${phaseVerb[phase]}: (${p.map(fmt).join(', ')}) is out of reach: ${ik.reason}` };
    return { action: jointAction(obs, ik.q, GAIN), status: 'running' };
  }
}

const phaseVerb: Record<Phase, string> = { lift: 'lifting', hover: 'moving behind the object', descend: 'lowering', push: 'pushing' };

/** "against box_1 at (0.40, 0.10, 0.05)" naming the object nearest the end effector, if close. */
export function stuckAgainst3(obs: Observation, ee: Vec3): string {
  let best: SceneObject | null = null;
  let bd = Infinity;
  for (const o of obs.objects) {
    const d = boxDistance(ee[0], ee[1], o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2);
    if (d < bd && ee[2] < o.z + o.size[2] / 2 + 0.1) {
      bd = d;
      best = o;
    }
  }
  const at = `(${ee.map(fmt).join(', ')})`;
  return best && bd < 0.1 ? `against ${best.id} at ${at}` : `at ${at}`;
}

export function armPushSpec(ctx: SkillContext): SkillSpec {
  return {
    name: 'arm_push',
    description: "slide an object on the floor with the arm's end effector until its centre is within 4 cm of (x, y)",
    params: [
      { name: 'object_id', type: 'string', description: 'id of a movable object within reach' },
      { name: 'x', type: 'number', description: 'target x of the object centre in metres' },
      { name: 'y', type: 'number', description: 'target y of the object centre in metres' },
    ],
    robots: ['arm'],
    create(args, obs) {
      requireRobot('arm_push', obs, this.robots);
      const obj = movableArg('arm_push', args, 'object_id', obs);
      const [x, y] = pointArgs('arm_push', args, ctx);
      const z = Math.max(obj.z, EE_RADIUS + 0.01);
      for (const [px, py, what] of [[obj.x, obj.y, `${obj.id} at (${fmt(obj.x)}, ${fmt(obj.y)})`], [x, y, `the target (${fmt(x)}, ${fmt(y)})`]] as const) {
        const ik = inverse(obs, [px, py, z]);
        if (!ik.ok) throw new SkillArgError('infeasible', `arm_push: ${what} is out of the arm's reach: ${ik.reason}`);
      }
      return new ArmPush(args, obj.id, x, y);
    },
  };
}
