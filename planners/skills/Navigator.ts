/**
 * Go-to-goal with reactive lidar obstacle avoidance, for the mobile robots. Used by `move_to`
 * and by `push` (to get behind the object).
 *
 * Two modes, a small Bug-style state machine over a clearance test along candidate headings:
 * - **direct**: head for the target; when the straight line is blocked within the look-ahead,
 *   take the smallest detour angle (up to ±75°) whose corridor is free — smooth avoidance of
 *   isolated obstacles, with hysteresis so the robot does not dither between sides.
 * - **follow**: when no small detour exists (a wall across the way, the inside of a U), follow
 *   the obstacle boundary on one side (scan from "towards the wall" round to the first free
 *   heading) until the target direction is free again *and* the robot is closer to the target
 *   than where it started following (Bug2's leave condition, which gets it out of U traps).
 *   If following makes no headway for a while it switches sides.
 *
 * Stuck detection: when the robot barely moves for 1.5 s while commanded to, it backs off the
 * nearest return for 0.8 s; the third time, the navigator gives up with a reason that names the
 * object it is stuck against. It also gives up when the distance to the target has not improved
 * for `noProgressSeconds`.
 */
import type { Action, Observation, SceneObject } from '../../sim/types.ts';
import { Clearance } from './Clearance.ts';
import { driveHeading, driveVelocity, robotRadius, zeroAction } from './drive.ts';
import { atan2, boxDistance, cos, fmt, hypot2, sin, wrapAngle } from './geometry.ts';

const DEG = Math.PI / 180;
const LOOKAHEAD = 1.0;
const FOLLOW_LOOKAHEAD = 0.45;
const MAX_DETOUR = 75 * DEG;
const SCAN_STEP = 5 * DEG;
const MARGIN = 0.08;
const STUCK_WINDOW = 1.5;
const STUCK_DISTANCE = 0.04;
const BACKOFF_SECONDS = 0.8;
const MAX_STUCK = 3;
const FOLLOW_SWITCH_SECONDS = 12;

export interface NavigatorOptions {
  /** Cruise speed (m/s, ≤ 1). */
  speed?: number;
  /** Give up when the distance to the target has not improved by 5 cm for this long (s). */
  noProgressSeconds?: number;
  /** Objects whose lidar returns are ignored (the box being pushed). */
  ignore?: () => readonly SceneObject[];
}

export interface NavStep {
  action: Action;
  /** Set when the navigator gave up: why, as feedback text. */
  failure?: string;
}

export class Navigator {
  private mode: 'direct' | 'follow' = 'direct';
  private side = 1;
  private lastDetour = 0;
  private heading: number | null = null;
  private hitDist = Infinity;
  private followSince = 0;
  private followBest = Infinity;
  private bestDist = Infinity;
  private bestAt = 0;
  private anchor: { x: number; y: number; t: number } | null = null;
  private backoffUntil = -1;
  private backoffHeading = 0;
  private stuckCount = 0;
  private readonly speed: number;
  private readonly noProgress: number;

  constructor(private readonly opts: NavigatorOptions = {}) {
    this.speed = opts.speed ?? 0.8;
    this.noProgress = opts.noProgressSeconds ?? 15;
  }

  /** One control step towards (tx, ty). The target may move between calls. */
  step(obs: Observation, tx: number, ty: number): NavStep {
    const { pose } = obs.robot;
    const t = obs.t;
    const d = hypot2(tx - pose.x, ty - pose.y);
    if (d < this.bestDist - 0.05) {
      this.bestDist = d;
      this.bestAt = t;
    } else if (this.bestDist === Infinity) {
      this.bestDist = d;
      this.bestAt = t;
    }
    // Following a boundary legitimately leads away from the target for a while (round the arm of
    // a U): allow a longer spell without progress then.
    const allowed = this.mode === 'follow' ? Math.max(this.noProgress, t - this.followSince + this.noProgress / 2) : this.noProgress;
    if (t - this.bestAt > Math.min(allowed, this.noProgress * 3)) {
      return { action: zeroAction(obs), failure: `no progress towards (${fmt(tx)}, ${fmt(ty)}) for ${fmt(t - this.bestAt)} s; closest approach ${fmt(this.bestDist)} m, now at (${fmt(pose.x)}, ${fmt(pose.y)})` };
    }

    const clear = new Clearance(obs, robotRadius(obs) + MARGIN, this.opts.ignore?.() ?? []);

    // Recovery: back away from whatever we are pressed against.
    if (t < this.backoffUntil) return { action: driveVelocity(obs, 0.4 * cos(this.backoffHeading), 0.4 * sin(this.backoffHeading)) };
    const stuck = this.checkStuck(obs);
    if (stuck) {
      this.stuckCount++;
      if (this.stuckCount >= MAX_STUCK) return { action: zeroAction(obs), failure: `stuck ${stuckAgainst(obs)}` };
      const nh = clear.nearestHeading();
      this.backoffHeading = nh === null ? pose.yaw + Math.PI : nh + Math.PI;
      this.backoffUntil = t + BACKOFF_SECONDS;
      // Switch the following side: the way we were going led into the trap.
      this.side = -this.side;
      if (obs.robot.type === 'diffdrive') return { action: reverse(obs) };
      return { action: driveVelocity(obs, 0.4 * cos(this.backoffHeading), 0.4 * sin(this.backoffHeading)) };
    }

    const goalDir = atan2(ty - pose.y, tx - pose.x);
    const look = Math.min(d, LOOKAHEAD);
    const goalFree = clear.along(goalDir, look) >= look - 1e-6;
    let heading = goalDir;

    if (this.mode === 'follow') {
      const closer = d < this.hitDist - 0.05;
      if (goalFree && closer) {
        this.mode = 'direct';
      } else {
        if (d < this.followBest - 0.05) this.followBest = d;
        if (t - this.followSince > FOLLOW_SWITCH_SECONDS && this.followBest >= this.hitDist - 0.05) {
          this.side = -this.side;
          this.followSince = t;
        }
        heading = this.followHeading(clear, this.heading ?? goalDir);
      }
    }
    if (this.mode === 'direct' && !goalFree) {
      const detour = this.smallestDetour(clear, goalDir, look);
      if (detour !== null) {
        heading = goalDir + detour;
        this.lastDetour = detour;
      } else if (this.blockedOnlyByMovers(obs, goalDir, look)) {
        // A mover is crossing: following its outline would chase it. Let it pass.
        return { action: zeroAction(obs) };
      } else {
        this.mode = 'follow';
        this.hitDist = d;
        this.followSince = t;
        this.followBest = d;
        this.side = this.lastDetour !== 0 ? Math.sign(this.lastDetour) : this.preferredSide(clear, goalDir);
        heading = this.followHeading(clear, goalDir);
      }
    } else if (this.mode === 'direct') {
      this.lastDetour = 0;
    }
    this.heading = heading;

    // Slow down near the target (for precision) and near obstacles.
    const gap = clear.nearest() - robotRadius(obs);
    const speed = Math.min(this.speed, Math.max(0.15, d * 1.2), 0.3 + 1.5 * Math.max(0, gap));
    return { action: driveHeading(obs, heading, speed) };
  }

  /** True when the way to the target is free of everything but moving obstacles. */
  private blockedOnlyByMovers(obs: Observation, goalDir: number, look: number): boolean {
    const movers = obs.objects.filter((o) => o.kind === 'moving');
    if (movers.length === 0) return false;
    const still = new Clearance(obs, robotRadius(obs) + MARGIN, [...(this.opts.ignore?.() ?? []), ...movers], 0.3);
    return still.along(goalDir, look) >= look - 1e-6;
  }

  /** The smallest signed detour from `goalDir` whose corridor is free for `look` metres, or null. */
  private smallestDetour(clear: Clearance, goalDir: number, look: number): number | null {
    // Prefer the side we detoured to last time, unless the other side is much (> 15°) better.
    const pref = this.lastDetour !== 0 ? Math.sign(this.lastDetour) : 0;
    let best: number | null = null;
    for (let k = 1; k * SCAN_STEP <= MAX_DETOUR; k++) {
      const a = k * SCAN_STEP;
      const plus = clear.along(goalDir + a, look) >= look - 1e-6;
      const minus = clear.along(goalDir - a, look) >= look - 1e-6;
      if (plus || minus) {
        if (plus && minus) best = pref < 0 ? -a : a;
        else best = plus ? a : -a;
        if (pref !== 0 && Math.sign(best) !== pref) {
          // Is the preferred side free within 15° more?
          for (let j = 1; j <= 3 && (k + j) * SCAN_STEP <= MAX_DETOUR; j++) {
            const b = (k + j) * SCAN_STEP * pref;
            if (clear.along(goalDir + b, look) >= look - 1e-6) return b;
          }
        }
        return best;
      }
    }
    return best;
  }

  /** Wall following: from "towards the wall" (90° to the following side), rotate away from the
   * wall to the first heading with a free corridor. */
  private followHeading(clear: Clearance, current: number): number {
    const start = current - this.side * 90 * DEG;
    for (let k = 0; k < 72; k++) {
      const h = start + this.side * k * SCAN_STEP;
      if (clear.along(h, FOLLOW_LOOKAHEAD) >= FOLLOW_LOOKAHEAD - 1e-6) return wrapAngle(h);
    }
    // Boxed in: turn away from the nearest return.
    const nh = clear.nearestHeading();
    return nh === null ? current : wrapAngle(nh + Math.PI);
  }

  /** Side whose free heading is closer to the goal direction. */
  private preferredSide(clear: Clearance, goalDir: number): number {
    for (let k = 1; k <= 36; k++) {
      const a = k * SCAN_STEP;
      if (clear.along(goalDir + a, FOLLOW_LOOKAHEAD) >= FOLLOW_LOOKAHEAD - 1e-6) return 1;
      if (clear.along(goalDir - a, FOLLOW_LOOKAHEAD) >= FOLLOW_LOOKAHEAD - 1e-6) return -1;
    }
    return 1;
  }

  private checkStuck(obs: Observation): boolean {
    const { x, y } = obs.robot.pose;
    if (!this.anchor) {
      this.anchor = { x, y, t: obs.t };
      return false;
    }
    if (hypot2(x - this.anchor.x, y - this.anchor.y) > STUCK_DISTANCE) {
      this.anchor = { x, y, t: obs.t };
      return false;
    }
    // A diffdrive turning in place is not stuck: count only when it is not rotating.
    if (Math.abs(obs.robot.vel.wz) > 0.3) {
      this.anchor.t = obs.t;
      return false;
    }
    if (obs.t - this.anchor.t >= STUCK_WINDOW) {
      this.anchor = { x, y, t: obs.t };
      return true;
    }
    return false;
  }
}

/** Reverse straight back (diffdrive). */
function reverse(obs: Observation): Action {
  return obs.robot.type === 'diffdrive' ? [-0.4, -0.4] : zeroAction(obs);
}

/** "against box_2 at (2.10, 0.40)": the object nearest the robot, or just the robot's position. */
export function stuckAgainst(obs: Observation): string {
  const { x, y } = obs.robot.pose;
  let best: SceneObject | null = null;
  let bestD = Infinity;
  for (const o of obs.objects) {
    const d = boxDistance(x, y, o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  if (best && bestD < 0.45) return `against ${best.id} at (${fmt(x)}, ${fmt(y)})`;
  return `at (${fmt(x)}, ${fmt(y)})`;
}
