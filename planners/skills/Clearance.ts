/**
 * Free space around a mobile robot, from its lidar. The skills steer by asking how far the
 * robot's footprint could travel along a heading before it touches something.
 *
 * Each lidar return becomes a point in the world frame; returns that fall inside ignored objects
 * (the box being pushed) are dropped, so pushing does not "avoid" its own box.
 */
import type { Observation, SceneObject } from '../../sim/types.ts';
import { atan2, boxDistance, cos, hypot2, sin } from './geometry.ts';

export class Clearance {
  /** World-frame hit points, relative to the robot centre. */
  private readonly px: number[] = [];
  private readonly py: number[] = [];

  /**
   * @param radius the robot's footprint radius plus a safety margin (m).
   * @param ignore objects whose lidar returns are ignored (inflated by `ignoreMargin`).
   */
  constructor(
    obs: Observation,
    readonly radius: number,
    ignore: readonly SceneObject[] = [],
    ignoreMargin = 0.08,
  ) {
    const { pose } = obs.robot;
    const { angles, ranges, maxRange } = obs.lidar;
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      if (!(r < maxRange * 0.999)) continue;
      const a = pose.yaw + angles[i];
      const dx = r * cos(a);
      const dy = r * sin(a);
      const wx = pose.x + dx;
      const wy = pose.y + dy;
      if (ignore.some((o) => boxDistance(wx, wy, o.x, o.y, o.yaw, o.size[0] / 2 + ignoreMargin, o.size[1] / 2 + ignoreMargin) < 0)) continue;
      this.px.push(dx);
      this.py.push(dy);
    }
  }

  /** Distance the footprint can travel along world heading `psi` before touching a return,
   * capped at `cap`. Zero when something is already inside the footprint ahead. */
  along(psi: number, cap: number): number {
    const ux = cos(psi);
    const uy = sin(psi);
    const r2 = this.radius * this.radius;
    let free = cap;
    for (let i = 0; i < this.px.length; i++) {
      const fwd = this.px[i] * ux + this.py[i] * uy;
      if (fwd <= 0) continue;
      const lat = this.px[i] * uy - this.py[i] * ux;
      const l2 = lat * lat;
      if (l2 >= r2) continue;
      const d = fwd - Math.sqrt(r2 - l2);
      if (d < free) free = d < 0 ? 0 : d;
    }
    return free;
  }

  /** Distance to the nearest return in any direction (m), or Infinity. */
  nearest(): number {
    let best = Infinity;
    for (let i = 0; i < this.px.length; i++) best = Math.min(best, hypot2(this.px[i], this.py[i]));
    return best;
  }

  /** World heading of the nearest return, or null when nothing is in range. */
  nearestHeading(): number | null {
    let best = Infinity;
    let h: number | null = null;
    for (let i = 0; i < this.px.length; i++) {
      const d = hypot2(this.px[i], this.py[i]);
      if (d < best) {
        best = d;
        h = atan2(this.py[i], this.px[i]);
      }
    }
    return h;
  }
}
