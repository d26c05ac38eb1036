/**
 * `push(object_id, x, y)`: push a movable object until its centre is within 0.12 m of (x, y).
 *
 * Point pushing in three phases, re-decided every step from the observation:
 * - **approach**: navigate (with lidar avoidance, the object counting as an obstacle) to a
 *   staging point behind the object on the line from the target through the object;
 * - **push**: drive along that line; a lateral correction keeps the robot centred behind the
 *   object, so as the object yaws or drifts the push line (recomputed from the object's current
 *   position) turns with it;
 * - **re-approach**: when the robot slips off the back of the object (the object drifted
 *   sideways more than a third of its width), go back to approach.
 *
 * Fails with a reason when the object stops getting closer to the target for 8 s (naming the
 * wall or obstacle it is stuck against, when there is one) or when the staging point cannot
 * be reached.
 */
import type { Observation, SceneObject } from '../../sim/types.ts';
import { movableArg, pointArgs, requireRobot, type SkillContext } from './args.ts';
import { driveVelocity, robotRadius, zeroAction } from './drive.ts';
import { boxDistance, clamp, cos, fmt, hypot2, sin } from './geometry.ts';
import { Navigator } from './Navigator.ts';
import { SkillArgError, type Skill, type SkillSpec, type SkillStep } from './Skill.ts';

const TOLERANCE = 0.12;
const STAGING_GAP = 0.15;
const PUSH_SPEED = 0.5;
const NO_PROGRESS_SECONDS = 8;

/** Half-length of a box footprint along world direction (ux, uy). */
export function extentAlong(o: SceneObject, ux: number, uy: number): number {
  const c = cos(o.yaw);
  const s = sin(o.yaw);
  return Math.abs(c * ux + s * uy) * (o.size[0] / 2) + Math.abs(-s * ux + c * uy) * (o.size[1] / 2);
}

class Push implements Skill {
  readonly name = 'push';
  private phase: 'approach' | 'push' = 'approach';
  private nav: Navigator;
  private best = Infinity;
  private bestAt = 0;
  private current: SceneObject;

  constructor(
    readonly args: Record<string, unknown>,
    obj: SceneObject,
    private readonly gx: number,
    private readonly gy: number,
  ) {
    this.current = obj;
    this.nav = this.newNavigator();
  }

  private newNavigator(): Navigator {
    return new Navigator({ speed: 0.7, noProgressSeconds: 12, ignore: () => [] });
  }

  step(obs: Observation): SkillStep {
    const o = obs.objects.find((x) => x.id === this.current.id);
    if (!o) return { action: zeroAction(obs), status: 'failed', reason: `push failed: ${this.current.id} is no longer in the scene` };
    this.current = o;
    const dist = hypot2(this.gx - o.x, this.gy - o.y);
    if (dist <= TOLERANCE) return { action: zeroAction(obs), status: 'done', reason: `${o.id} at (${fmt(o.x)}, ${fmt(o.y)}), ${fmt(dist)} m from the target` };

    // Progress is the object's distance to the target, whatever phase we are in.
    if (dist < this.best - 0.03) {
      this.best = dist;
      this.bestAt = obs.t;
    }
    if (this.best === Infinity) this.best = dist;
    if (obs.t - this.bestAt > NO_PROGRESS_SECONDS) {
      return { action: zeroAction(obs), status: 'failed', reason: `push failed: ${this.explainStall(obs, o, dist)}` };
    }

    const ux = (this.gx - o.x) / dist;
    const uy = (this.gy - o.y) / dist;
    const { pose } = obs.robot;
    const r = robotRadius(obs);
    const ext = extentAlong(o, ux, uy);
    // Robot position in the push frame: `back` behind the object's centre, `lat` to its left.
    const rx = pose.x - o.x;
    const ry = pose.y - o.y;
    const back = -(rx * ux + ry * uy);
    const lat = -rx * uy + ry * ux;
    const halfWidth = extentAlong(o, -uy, ux);

    if (this.phase === 'push') {
      const offLine = Math.abs(lat) > Math.max(0.06, halfWidth * 0.6);
      const lostContact = back < ext + r * 0.5 || back > ext + r + 0.35;
      if (offLine || lostContact) {
        this.phase = 'approach';
        this.nav = this.newNavigator();
      }
    }

    if (this.phase === 'approach') {
      const sx = o.x - ux * (ext + r + STAGING_GAP);
      const sy = o.y - uy * (ext + r + STAGING_GAP);
      if (hypot2(sx - pose.x, sy - pose.y) < 0.08 && Math.abs(lat) < Math.max(0.05, halfWidth * 0.4)) {
        this.phase = 'push';
      } else {
        const s = this.nav.step(obs, sx, sy);
        if (s.failure) return { action: s.action, status: 'failed', reason: `push failed: cannot get behind ${o.id}: ${s.failure}` };
        return { action: s.action, status: 'running' };
      }
    }

    // Push: along the line, with a lateral correction back onto it; slower at the end.
    const speed = clamp(dist * 1.2, 0.15, PUSH_SPEED);
    const k = 2.0;
    const vx = speed * ux + k * lat * uy;
    const vy = speed * uy - k * lat * ux;
    return { action: driveVelocity(obs, vx, vy), status: 'running' };
  }

  /** Why the object stopped making progress: pinned against something, or simply stuck. */
  private explainStall(obs: Observation, o: SceneObject, dist: number): string {
    let blocker: SceneObject | null = null;
    let bd = Infinity;
    for (const b of obs.objects) {
      if (b.id === o.id || b.kind === 'slope') continue;
      // Distance between footprints, approximated from the object's centre.
      const d = boxDistance(o.x, o.y, b.x, b.y, b.yaw, b.size[0] / 2, b.size[1] / 2) - Math.min(o.size[0], o.size[1]) / 2;
      if (d < bd) {
        bd = d;
        blocker = b;
      }
    }
    if (blocker && bd < 0.1) return `${o.id} stuck against ${blocker.id} at (${fmt(o.x)}, ${fmt(o.y)}), ${fmt(dist)} m from the target`;
    return `${o.id} made no progress towards (${fmt(this.gx)}, ${fmt(this.gy)}) for ${NO_PROGRESS_SECONDS} s; it is at (${fmt(o.x)}, ${fmt(o.y)}), ${fmt(dist)} m from the target`;
  }
}

export function pushSpec(ctx: SkillContext): SkillSpec {
  return {
    name: 'push',
    description: 'push a movable object until its centre is within 0.12 m of (x, y); the robot gets behind it and pushes along the line',
    params: [
      { name: 'object_id', type: 'string', description: 'id of a movable object' },
      { name: 'x', type: 'number', description: 'target x of the object centre in metres' },
      { name: 'y', type: 'number', description: 'target y of the object centre in metres' },
    ],
    robots: ['pusher', 'diffdrive'],
    create(args, obs) {
      requireRobot('push', obs, this.robots);
      const obj = movableArg('push', args, 'object_id', obs);
      const [x, y] = pointArgs('push', args, ctx);
      const blocked = obs.objects.find(
        (o) => (o.kind === 'obstacle' || o.kind === 'wall') && boxDistance(x, y, o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2) < Math.min(obj.size[0], obj.size[1]) / 2,
      );
      if (blocked) throw new SkillArgError('infeasible', `push: ${obj.id} cannot fit at (${fmt(x)}, ${fmt(y)}): ${blocked.id} is there; pick a free point`);
      return new Push(args, obj, x, y);
    },
  };
}
