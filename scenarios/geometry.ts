/**
 * Footprint geometry for the semantic checks. Every footprint on the ground plane is a
 * *rounded rectangle*: an oriented rectangle (centre, half extents, yaw) grown by a radius.
 * That one shape covers everything the checks need, exactly:
 * - a box obstacle is a rectangle with radius 0 (yaw respected, no circle approximation);
 * - a cylinder or sphere is a zero-size rectangle with its radius;
 * - "anywhere this thing may be across seeds" is the rectangle of randomised centre offsets
 *   grown by the thing's radius (and by a jitter radius, since jitter is a disc);
 * - the sweep of a moving obstacle along one path segment is a zero-width rectangle along
 *   the segment grown by the obstacle's bounding radius.
 * The distance between two rounded rectangles is the distance between their rectangles minus
 * both radii, so overlap tests are exact for these shapes.
 */

export interface RoundedRect {
  cx: number;
  cy: number;
  /** Half extents along the rectangle's own axes (may be 0). */
  hx: number;
  hy: number;
  /** Radians, counter-clockwise from +x. */
  yaw: number;
  /** Radius added all round (Minkowski sum with a disc). */
  r: number;
}

type Pt = [number, number];

/** Touching is allowed; overlaps smaller than this (metres) are rounding noise in hand-written files. */
export const OVERLAP_EPS = 1e-6;

export function circle(cx: number, cy: number, r: number): RoundedRect {
  return { cx, cy, hx: 0, hy: 0, yaw: 0, r };
}

export function box(cx: number, cy: number, sx: number, sy: number, yaw: number, r = 0): RoundedRect {
  return { cx, cy, hx: sx / 2, hy: sy / 2, yaw, r };
}

/** The rounded rectangle covering a disc of radius `r` moving along the segment a→b. */
export function segment(a: Pt, b: Pt, r: number): RoundedRect {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return { cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2, hx: Math.hypot(dx, dy) / 2, hy: 0, yaw: Math.atan2(dy, dx), r };
}

/** Grows a footprint by `by` metres all round. */
export function grow(f: RoundedRect, by: number): RoundedRect {
  return { ...f, r: f.r + by };
}

function corners(f: RoundedRect): Pt[] {
  const c = Math.cos(f.yaw);
  const s = Math.sin(f.yaw);
  const ux: Pt = [c * f.hx, s * f.hx];
  const uy: Pt = [-s * f.hy, c * f.hy];
  return [
    [f.cx + ux[0] + uy[0], f.cy + ux[1] + uy[1]],
    [f.cx - ux[0] + uy[0], f.cy - ux[1] + uy[1]],
    [f.cx - ux[0] - uy[0], f.cy - ux[1] - uy[1]],
    [f.cx + ux[0] - uy[0], f.cy + ux[1] - uy[1]],
  ];
}

function axes(f: RoundedRect): Pt[] {
  const c = Math.cos(f.yaw);
  const s = Math.sin(f.yaw);
  return [
    [c, s],
    [-s, c],
  ];
}

/** Separating-axis test on the two rectangles (radii ignored): the penetration depth (the least
 * overlap over the four axes) when they intersect, or -1 when some axis separates them.
 * Degenerate rectangles work: a rectangle's own axes are used even when an extent is zero. */
function penetration(a: RoundedRect, b: RoundedRect): number {
  const ca = corners(a);
  const cb = corners(b);
  let depth = Infinity;
  for (const axis of [...axes(a), ...axes(b)]) {
    const pa = ca.map((p) => p[0] * axis[0] + p[1] * axis[1]);
    const pb = cb.map((p) => p[0] * axis[0] + p[1] * axis[1]);
    const overlap = Math.min(Math.max(...pa) - Math.min(...pb), Math.max(...pb) - Math.min(...pa));
    if (overlap < 0) return -1;
    depth = Math.min(depth, overlap);
  }
  return depth;
}

function pointSegmentDistance(p: Pt, a: Pt, b: Pt): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Signed distance between the two rectangles' cores: negative by the penetration depth when
 * they intersect. For disjoint convex polygons the minimum is reached between a vertex of one
 * and an edge of the other. */
function rectDistance(a: RoundedRect, b: RoundedRect): number {
  const depth = penetration(a, b);
  if (depth >= 0) return -depth;
  const ca = corners(a);
  const cb = corners(b);
  let best = Infinity;
  for (const [from, to] of [
    [ca, cb],
    [cb, ca],
  ]) {
    for (const p of from) {
      for (let k = 0; k < 4; k++) best = Math.min(best, pointSegmentDistance(p, to[k], to[(k + 1) % 4]));
    }
  }
  return best;
}

/** Clearance between two footprints: positive when apart, negative when they overlap. */
export function separation(a: RoundedRect, b: RoundedRect): number {
  return rectDistance(a, b) - a.r - b.r;
}

export function overlaps(a: RoundedRect, b: RoundedRect): boolean {
  return separation(a, b) < -OVERLAP_EPS;
}

/** Axis-aligned half extents of a footprint's bounding box. */
export function halfExtents(f: RoundedRect): Pt {
  const c = Math.abs(Math.cos(f.yaw));
  const s = Math.abs(Math.sin(f.yaw));
  return [c * f.hx + s * f.hy + f.r, s * f.hx + c * f.hy + f.r];
}

/** How far the footprint sticks out of the centred rectangle [-w/2, w/2] × [-h/2, h/2] (0 if inside). */
export function outside(f: RoundedRect, w: number, h: number): number {
  const [ex, ey] = halfExtents(f);
  return Math.max(0, Math.abs(f.cx) + ex - w / 2, Math.abs(f.cy) + ey - h / 2);
}

/** Whether the point lies inside the footprint (boundary counts as outside). */
export function containsPoint(f: RoundedRect, x: number, y: number): boolean {
  return overlaps(f, circle(x, y, 0));
}
