/**
 * The configurator's staging subgoal for push tasks on ground robots (LeCun's configurator sets
 * subgoals; this one is hard-wired, as the route cost is). A crate only goes where it is pushed
 * from: the robot must first stand behind it, on the side away from its route to the goal. The
 * imagined crate's motion is too loose for a cost on where to stand relative to it to draw the
 * robot round (tried: results/world-model/README.md), and within a 1.2 s horizon going round the
 * crate gains nothing on the push costs. So the planner's task switches, from what the
 * observation lists (the crate's observed pose, the route field every planner could draw):
 *
 * - **stage**: reach the staging point behind the crate, `STAGING_GAP` beyond contact on the
 *   line back from the crate's route direction; the plan's route cost then reads the imagined
 *   *robot* against a route field to that point with the crate as an obstacle (so the way
 *   round it is not through it);
 * - **push**: the plan's own push costs (route on the imagined crate, approach), unchanged.
 *
 * It enters push near the staging point and centred behind the crate, and leaves it when the
 * robot slips off the crate's back or loses contact, with hysteresis, as the scripted push skill
 * does (planners/skills/push.ts). Which phase holds is in every decision's info.
 */
import type { SceneObject } from '../../../sim/types.ts';
import { extentAlong } from '../../skills/push.ts';
import { ROUTE_INFLATE, RouteField, type RouteShape } from './routeCost.ts';
import type { GoalDistance } from './Imagination.ts';

/** Gap (m) between the robot's footprint and the crate at the staging point. */
export const STAGING_GAP = 0.15;
/** Distance (m) from the crate at which its route direction is read. */
const DIRECTION_REACH = 0.3;
/** Readings round the crate for its route direction. */
const DIRECTIONS = 32;
/** Route length (m) a half turn of the push direction must gain (`pushDirection`). */
const TURN_COST = 0.1;

export type PushPhase = 'stage' | 'push';

/** The push frame of a robot and a crate: the crate's route direction (ux, uy), how far the
 * robot stands behind the crate's centre along it (`back`) and to its left (`lat`). */
export interface PushFrame {
  ux: number;
  uy: number;
  back: number;
  lat: number;
  /** The crate's half-extent along the direction and across it (m). */
  ext: number;
  halfWidth: number;
  /** The staging point (x, y). */
  staging: [number, number];
}

/** The direction the crate should move in: down its route field (`route`: route length to the
 * goal from a point, the crate excepted from the obstacles), read `DIRECTION_REACH` round it;
 * the straight line to the goal where the goal is that near. With `previous` (the last
 * decision's), a direction costs `TURN_COST` × (1 − cos of its turn from it) more, so a crate
 * about as well routed round either end of a wall does not switch ends with every step. */
export function pushDirection(crate: Pick<SceneObject, 'x' | 'y'>, goal: readonly number[], route: GoalDistance | undefined, previous?: readonly [number, number]): [number, number] {
  const dx = goal[0] - crate.x;
  const dy = goal[1] - crate.y;
  const d = Math.hypot(dx, dy);
  if (d < 1e-6) return [1, 0];
  if (!route || d <= 2 * DIRECTION_REACH) return [dx / d, dy / d];
  let best = Infinity;
  let dir: [number, number] = [dx / d, dy / d];
  for (let k = 0; k < DIRECTIONS; k++) {
    const a = (2 * Math.PI * k) / DIRECTIONS;
    const c = Math.cos(a);
    const s = Math.sin(a);
    const turn = previous ? TURN_COST * (1 - (c * previous[0] + s * previous[1])) : 0;
    const v = route.distance(crate.x + DIRECTION_REACH * c, crate.y + DIRECTION_REACH * s, 0) + turn;
    if (v < best - 1e-9) {
      best = v;
      dir = [c, s];
    }
  }
  return dir;
}

/** The robot's push frame against `crate` along direction (ux, uy), with the staging point for
 * a robot of footprint radius `radius`. */
export function pushFrame(robot: readonly number[], crate: SceneObject, [ux, uy]: readonly [number, number], radius: number): PushFrame {
  const ext = extentAlong(crate, ux, uy);
  const halfWidth = extentAlong(crate, -uy, ux);
  const rx = robot[0] - crate.x;
  const ry = robot[1] - crate.y;
  const reach = ext + radius + STAGING_GAP;
  return { ux, uy, back: -(rx * ux + ry * uy), lat: -rx * uy + ry * ux, ext, halfWidth, staging: [crate.x - ux * reach, crate.y - uy * reach] };
}

/** The phase after `phase`, for a robot of footprint radius `radius` in `frame` (hysteresis:
 * it enters push only near the staging point and centred, and leaves only well off). */
export function nextPhase(phase: PushPhase, frame: PushFrame, robot: readonly number[], radius: number): PushPhase {
  const { back, lat, ext, halfWidth, staging } = frame;
  if (phase === 'push') {
    const offLine = Math.abs(lat) > Math.max(0.08, halfWidth * 0.75);
    const lostContact = back < ext + radius * 0.5 || back > ext + radius + 0.4;
    return offLine || lostContact ? 'stage' : 'push';
  }
  const near = Math.hypot(staging[0] - robot[0], staging[1] - robot[1]) < 0.15;
  return near && Math.abs(lat) < Math.max(0.05, halfWidth * 0.5) ? 'push' : 'stage';
}

/** The route field to the staging point, the crate blocking, kept the robots' clearance
 * (`ROUTE_INFLATE`) from obstacles whatever the crate's route keeps; rebuilt only when the staging
 * point or the crate moves (5 cm). */
export class StagingFieldCache {
  private key = '';
  private field: RouteField | null = null;

  get(arena: readonly [number, number], staging: readonly [number, number], objects: readonly SceneObject[], crateId: string, shape: Readonly<RouteShape>): RouteField {
    const crate = objects.find((o) => o.id === crateId);
    const q = (v: number) => Math.round(v / 0.05);
    const key = [q(staging[0]), q(staging[1]), crate ? [q(crate.x), q(crate.y), Math.round(crate.yaw * 20)].join(':') : '', shape.inflate, shape.marginCost].join('|');
    if (!this.field || key !== this.key) {
      // The crate blocks the way to its own back: it counts as an obstacle here.
      const blocking = objects.map((o) => (o.id === crateId ? { ...o, kind: 'obstacle' as const } : o));
      this.field = new RouteField(arena, staging, blocking, { ...shape, inflate: ROUTE_INFLATE, slack: 0 });
      this.key = key;
    }
    return this.field;
  }

  clear(): void {
    this.key = '';
    this.field = null;
  }
}
