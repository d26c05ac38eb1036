/**
 * Small ground-plane helpers shared by the builders, with deterministic trig only.
 */
import { dcos, dsin } from '../../sim/detmath.ts';

export type Pt = [number, number];

const DEG = Math.PI / 180;

export function dist(a: readonly number[], b: readonly number[]): number {
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  return Math.sqrt(dx * dx + dy * dy);
}

/** The point at `r` metres from `from` in direction `deg` degrees. */
export function polar(from: readonly number[], r: number, deg: number): Pt {
  return [from[0] + r * dcos(deg * DEG), from[1] + r * dsin(deg * DEG)];
}

/** Distance from p to the segment a-b. */
export function segmentDistance(p: readonly number[], a: readonly number[], b: readonly number[]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return dist(p, [a[0] + t * dx, a[1] + t * dy]);
}

/** Whether (x, y) lies at least `margin` inside the centred w × h floor. */
export function inside(p: readonly number[], w: number, h: number, margin: number): boolean {
  return Math.abs(p[0]) <= w / 2 - margin && Math.abs(p[1]) <= h / 2 - margin;
}

/** A uniformly drawn point at least `margin` inside the centred w × h floor. */
export function pointIn(real: (r: readonly [number, number]) => number, w: number, h: number, margin: number): Pt {
  return [real([-w / 2 + margin, w / 2 - margin]), real([-h / 2 + margin, h / 2 - margin])];
}
