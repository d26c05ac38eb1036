/**
 * Free space around a mobile robot, from its lidar and the objects it observes. The skills
 * steer by asking how far the robot's footprint could travel along a heading before it touches
 * something.
 *
 * Each lidar return becomes a point in the world frame; so do points every 5 cm along the
 * outline of every observed object nearby (the default lidar has only 16 rays, 22.5° apart,
 * which can miss a post between two rays). Points of ignored objects (the box being pushed) are
 * dropped, so pushing does not "avoid" its own box. Slopes are driveable and add no points;
 * lidar returns from ramps and platform sides are dropped (a horizontal lidar sees a ramp's
 * surface as a wall), and a platform's outline only counts while the robot is on the ground.
 */
import type { Observation, SceneObject } from '../../sim/types.ts';
import { atan2, boxDistance, cos, hypot2, sin } from './geometry.ts';

/** Outline points farther than this from the robot (m) cannot matter to a 1 m look-ahead. */
const OUTLINE_RANGE = 2.5;
const SPACING = 0.05;
/** Look-ahead times (s) at which a moving obstacle's footprint is added. */
const PREDICT = [0.5, 1.0];

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
    const terrain = obs.objects.filter((o) => o.kind === 'slope' || o.kind === 'step');
    // On a ramp or a platform, the platform's outline is the way on, not an obstacle.
    const elevated = terrain.some((o) => boxDistance(pose.x, pose.y, o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2) < 0);
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      if (!(r < maxRange * 0.999)) continue;
      const a = pose.yaw + angles[i];
      const dx = r * cos(a);
      const dy = r * sin(a);
      const wx = pose.x + dx;
      const wy = pose.y + dy;
      if (ignore.some((o) => boxDistance(wx, wy, o.x, o.y, o.yaw, o.size[0] / 2 + ignoreMargin, o.size[1] / 2 + ignoreMargin) < 0)) continue;
      // Returns from a ramp's surface or a platform's side: terrain, handled by the outlines
      // (and the route planner's height map), not by a horizontal lidar.
      if (terrain.some((o) => boxDistance(wx, wy, o.x, o.y, o.yaw, o.size[0] / 2 + 0.05, o.size[1] / 2 + 0.05) < 0)) continue;
      this.px.push(dx);
      this.py.push(dy);
    }
    const ignored = new Set(ignore.map((o) => o.id));
    for (const o of obs.objects) {
      if (ignored.has(o.id) || o.kind === 'slope' || (o.kind === 'step' && elevated)) continue;
      this.addOutline(o, pose.x, pose.y);
      // Moving obstacles also block where they will be over the next second, so the robot
      // does not step into a mover's way.
      if (o.kind === 'moving' && (o.vx !== 0 || o.vy !== 0)) {
        for (const dt of PREDICT) this.addOutline({ ...o, x: o.x + o.vx * dt, y: o.y + o.vy * dt }, pose.x, pose.y);
      }
    }
  }

  /** Points along an object's footprint outline within OUTLINE_RANGE of the robot. */
  private addOutline(o: SceneObject, rx: number, ry: number): void {
    const push = (wx: number, wy: number) => {
      const dx = wx - rx;
      const dy = wy - ry;
      if (dx * dx + dy * dy > OUTLINE_RANGE * OUTLINE_RANGE) return;
      this.px.push(dx);
      this.py.push(dy);
    };
    if (o.shape !== 'box') {
      const rad = o.size[0] / 2;
      const n = Math.max(8, Math.ceil((2 * Math.PI * rad) / SPACING));
      for (let i = 0; i < n; i++) {
        const a = (2 * Math.PI * i) / n;
        push(o.x + rad * cos(a), o.y + rad * sin(a));
      }
      return;
    }
    const c = cos(o.yaw);
    const s = sin(o.yaw);
    const hx = o.size[0] / 2;
    const hy = o.size[1] / 2;
    // Quick reject: the whole box is out of range.
    if (hypot2(o.x - rx, o.y - ry) - hypot2(hx, hy) > OUTLINE_RANGE) return;
    const edge = (x0: number, y0: number, x1: number, y1: number) => {
      const n = Math.max(1, Math.ceil(hypot2(x1 - x0, y1 - y0) / SPACING));
      for (let i = 0; i < n; i++) {
        const lx = x0 + ((x1 - x0) * i) / n;
        const ly = y0 + ((y1 - y0) * i) / n;
        push(o.x + c * lx - s * ly, o.y + s * lx + c * ly);
      }
    };
    edge(-hx, -hy, hx, -hy);
    edge(hx, -hy, hx, hy);
    edge(hx, hy, -hx, hy);
    edge(-hx, hy, -hx, -hy);
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
