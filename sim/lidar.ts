/**
 * Lidar: N horizontal rays around the robot, cast analytically in JavaScript against the exact
 * primitives Rapier simulates (boxes, upright-in-body-frame cylinders, spheres, at their current
 * poses).
 *
 * Why not Rapier's `castRay`: every call crosses the WASM boundary, allocates a hit object and
 * (for cylinders) runs an iterative GJK, costing 1-4 µs a ray — a 16-ray scan then costs as much
 * as a physics step and the environment falls far behind raw Rapier. The closed-form tests here
 * take well under a microsecond per ray and object, use only + − × ÷ and sqrt (bit-identical
 * everywhere), and need no broad-phase refresh after a reset. `test/sim/lidar.test.ts` checks
 * them against Rapier's own `castRay` on every scenario.
 *
 * Rays ignore the robot and the floor by construction: only scene objects are targets.
 *
 * `--lidar rapier` (EnvOptions.lidar) computes the same scan with Rapier's own ray casts instead:
 * `Collider.castRay` on every scene collider, which is exact Rapier geometry and also right at
 * reset (`World.castRay` goes through the broad phase, which is empty until the first step).
 */
import type { Collider, Ray } from '@dimforge/rapier3d-deterministic-compat';
import { dcos, dsin } from './detmath.ts';

/** A ray target: shape in its body frame (centred on the body origin) and the body's pose. */
export interface LidarTarget {
  shape: 'box' | 'cylinder' | 'sphere';
  /** box: half extents; cylinder: [radius, halfHeight, 0] along body z; sphere: [radius, 0, 0]. */
  half: [number, number, number];
  /** Current pose [x, y, z, qx, qy, qz, qw], refreshed by the environment for moving bodies. */
  pose: Float64Array;
}

export const DEFAULT_LIDAR_RAYS = 16;
export const LIDAR_MAX_RANGE = 5;

export class LidarSensor {
  /** Ray angles relative to the heading, in (-π, π]. */
  readonly angles: number[] = [];
  private readonly ca: Float64Array;
  private readonly sa: Float64Array;
  /** Scratch: world ray directions of the scan in progress. */
  private readonly wx: Float64Array;
  private readonly wy: Float64Array;

  constructor(
    readonly rays: number = DEFAULT_LIDAR_RAYS,
    readonly maxRange: number = LIDAR_MAX_RANGE,
  ) {
    this.ca = new Float64Array(rays);
    this.sa = new Float64Array(rays);
    this.wx = new Float64Array(rays);
    this.wy = new Float64Array(rays);
    for (let i = 0; i < rays; i++) {
      const a = (2 * Math.PI * i) / rays;
      this.angles.push(a > Math.PI ? a - 2 * Math.PI : a);
      this.ca[i] = dcos(a);
      this.sa[i] = dsin(a);
    }
  }

  /** Ranges from (x, y, z) with heading (c, s) = (cos yaw, sin yaw), clamped to maxRange.
   * Allocation-free apart from the result: this runs every control step. */
  scan(x: number, y: number, z: number, c: number, s: number, targets: readonly LidarTarget[]): number[] {
    const n = this.rays;
    const out: number[] = new Array(n);
    // World directions of the rays (horizontal), once per scan rather than once per target.
    const wxs = this.wx;
    const wys = this.wy;
    for (let i = 0; i < n; i++) {
      out[i] = this.maxRange;
      wxs[i] = c * this.ca[i] - s * this.sa[i];
      wys[i] = s * this.ca[i] + c * this.sa[i];
    }
    for (let k = 0; k < targets.length; k++) {
      const t = targets[k];
      const p = t.pose;
      const h = t.half;
      // Inverse rotation (conjugate quaternion) takes world vectors into the target's frame.
      const qx = -p[3], qy = -p[4], qz = -p[5], qw = p[6];
      const vx = x - p[0], vy = y - p[1], vz = z - p[2];
      let tx = 2 * (qy * vz - qz * vy);
      let ty = 2 * (qz * vx - qx * vz);
      let tz = 2 * (qx * vy - qy * vx);
      const ox = vx + qw * tx + (qy * tz - qz * ty);
      const oy = vy + qw * ty + (qz * tx - qx * tz);
      const oz = vz + qw * tz + (qx * ty - qy * tx);
      // Bounding sphere farther than maxRange: no ray can hit it.
      const br = t.shape === 'box' ? Math.sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2]) : t.shape === 'cylinder' ? Math.sqrt(h[0] * h[0] + h[1] * h[1]) : h[0];
      if (Math.sqrt(ox * ox + oy * oy + oz * oz) - br > this.maxRange) continue;
      // Unrotated targets (walls, most obstacles): the rotation below is the identity.
      const unrotated = qx === 0 && qy === 0 && qz === 0;
      for (let i = 0; i < n; i++) {
        const wx = wxs[i];
        const wy = wys[i];
        let dx = wx;
        let dy = wy;
        let dz = 0;
        if (!unrotated) {
          tx = -2 * qz * wy;
          ty = 2 * qz * wx;
          tz = 2 * (qx * wy - qy * wx);
          dx = wx + qw * tx + (qy * tz - qz * ty);
          dy = wy + qw * ty + (qz * tx - qx * tz);
          dz = qw * tz + (qx * ty - qy * tx);
        }
        const toi = t.shape === 'box' ? rayBox(ox, oy, oz, dx, dy, dz, h) : t.shape === 'cylinder' ? rayCylinder(ox, oy, oz, dx, dy, dz, h[0], h[1]) : raySphere(ox, oy, oz, dx, dy, dz, h[0]);
        if (toi >= 0 && toi < out[i]) out[i] = toi;
      }
    }
    return out;
  }

  /** The same scan by Rapier ray casts against `colliders` (scene colliders: no robot, no floor).
   * `ray` is a reusable Rapier ray; its origin and direction are overwritten. */
  scanRapier(x: number, y: number, z: number, c: number, s: number, colliders: readonly Collider[], ray: Ray): number[] {
    const n = this.rays;
    const out: number[] = new Array(n);
    ray.origin.x = x;
    ray.origin.y = y;
    ray.origin.z = z;
    ray.dir.z = 0;
    for (let i = 0; i < n; i++) {
      ray.dir.x = c * this.ca[i] - s * this.sa[i];
      ray.dir.y = s * this.ca[i] + c * this.sa[i];
      let best = this.maxRange;
      for (let k = 0; k < colliders.length; k++) {
        const toi = colliders[k].castRay(ray, best, true);
        if (toi >= 0 && toi < best) best = toi;
      }
      out[i] = best;
    }
    return out;
  }
}

/** Slab test against an axis-aligned box centred at the origin; 0 when the origin is inside; −1 on a miss. */
export function rayBox(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, h: readonly number[]): number {
  let tmin = 0;
  let tmax = Infinity;
  for (let k = 0; k < 3; k++) {
    const o = k === 0 ? ox : k === 1 ? oy : oz;
    const d = k === 0 ? dx : k === 1 ? dy : dz;
    const e = h[k];
    if (d > -1e-12 && d < 1e-12) {
      if (o < -e || o > e) return -1;
      continue;
    }
    const inv = 1 / d;
    let t1 = (-e - o) * inv;
    let t2 = (e - o) * inv;
    if (t1 > t2) {
      const tmp = t1;
      t1 = t2;
      t2 = tmp;
    }
    if (t1 > tmin) tmin = t1;
    if (t2 < tmax) tmax = t2;
    if (tmin > tmax) return -1;
  }
  return tmin;
}

/** Cylinder of radius r along z, half height hh, centred at the origin (side and caps). */
export function rayCylinder(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, hh: number): number {
  const inside = ox * ox + oy * oy <= r * r && Math.abs(oz) <= hh;
  if (inside) return 0;
  let best = -1;
  const a = dx * dx + dy * dy;
  if (a > 1e-18) {
    const b = ox * dx + oy * dy;
    const cc = ox * ox + oy * oy - r * r;
    const disc = b * b - a * cc;
    if (disc >= 0) {
      const t = (-b - Math.sqrt(disc)) / a;
      if (t >= 0 && Math.abs(oz + t * dz) <= hh) best = t;
    }
  }
  if (Math.abs(dz) > 1e-12) {
    for (let side = -1; side <= 1; side += 2) {
      const t = (side * hh - oz) / dz;
      if (t >= 0 && (best < 0 || t < best)) {
        const px = ox + t * dx;
        const py = oy + t * dy;
        if (px * px + py * py <= r * r) best = t;
      }
    }
  }
  return best;
}

export function raySphere(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number): number {
  const cc = ox * ox + oy * oy + oz * oz - r * r;
  if (cc <= 0) return 0;
  const a = dx * dx + dy * dy + dz * dz;
  const b = ox * dx + oy * dy + oz * dz;
  const disc = b * b - a * cc;
  if (disc < 0 || b > 0) return -1;
  return (-b - Math.sqrt(disc)) / a;
}
