/**
 * Small planar geometry shared by the skills. Angles in radians, counter-clockwise from +x.
 *
 * Trigonometry comes from `sim/detmath.ts`, not `Math`: skills turn observations into actions,
 * and libm's last bits differ between platforms, which would make the same seed give different
 * trajectories (and trajectory hashes) on different machines.
 */
import { datan2, dcos, dsin } from '../../sim/detmath.ts';

export const sin = dsin;
export const cos = dcos;
export const atan2 = datan2;

/** Wraps an angle to (-π, π]. */
export function wrapAngle(a: number): number {
  let r = a % (2 * Math.PI);
  if (r <= -Math.PI) r += 2 * Math.PI;
  else if (r > Math.PI) r -= 2 * Math.PI;
  return r;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function hypot2(dx: number, dy: number): number {
  return Math.sqrt(dx * dx + dy * dy);
}

/** Formats a number for feedback text: two decimals, no "-0.00". */
export function fmt(v: number): string {
  const s = v.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

/** Half the footprint diagonal of an object: a conservative radius on the ground plane. */
export function footprintRadius(size: readonly number[]): number {
  return 0.5 * hypot2(size[0], size[1]);
}

/**
 * Distance from point (px, py) to the boundary of an axis-aligned box of half-extents (hx, hy)
 * centred at (cx, cy) and rotated by yaw; negative inside.
 */
export function boxDistance(px: number, py: number, cx: number, cy: number, yaw: number, hx: number, hy: number): number {
  const c = dcos(yaw);
  const s = dsin(yaw);
  const dx = px - cx;
  const dy = py - cy;
  const lx = Math.abs(c * dx + s * dy) - hx;
  const ly = Math.abs(-s * dx + c * dy) - hy;
  const outside = hypot2(Math.max(lx, 0), Math.max(ly, 0));
  return outside > 0 ? outside : Math.max(lx, ly);
}
