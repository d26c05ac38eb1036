import { describe, expect, it } from 'vitest';
import { box, circle, containsPoint, outside, overlaps, segment, separation } from '../../scenarios/geometry.ts';

const deg = (d: number) => (d * Math.PI) / 180;

describe('footprint geometry', () => {
  it('separates axis-aligned boxes by the gap between them and measures overlap depth', () => {
    expect(separation(box(0, 0, 1, 1, 0), box(2, 0, 1, 1, 0))).toBeCloseTo(1, 12);
    expect(separation(box(0, 0, 1, 1, 0), box(0.8, 0, 1, 1, 0))).toBeCloseTo(-0.2, 12);
  });

  it('respects yaw: a thin rotated box misses points its bounding box would hit', () => {
    const bar = box(0, 0, 2, 0.2, deg(45));
    expect(containsPoint(bar, 0.5, 0.5)).toBe(true);
    expect(containsPoint(bar, 0.5, -0.5)).toBe(false);
    // The rotated square's corner reaches 0.707 m; a box 1 m away along x clears it by 0.793 m.
    expect(separation(box(0, 0, 1, 1, deg(45)), box(2, 0, 1, 1, 0))).toBeCloseTo(1.5 - Math.SQRT1_2, 12);
  });

  it('handles discs, and touching is not overlapping', () => {
    expect(overlaps(circle(0, 0, 1), circle(1.9, 0, 1))).toBe(true);
    expect(overlaps(circle(0, 0, 1), circle(2, 0, 1))).toBe(false);
    expect(separation(circle(0, 0, 0.5), box(1, 0, 1, 1, 0))).toBeCloseTo(0, 12);
    expect(overlaps(circle(0, 0, 0.5), box(1, 0, 1, 1, 0))).toBe(false);
    // Diagonal to a box corner: the true distance, not the bounding-box one.
    expect(separation(circle(2, 2, 0.1), box(0, 0, 2, 2, 0))).toBeCloseTo(Math.SQRT2 - 0.1, 12);
  });

  it('a swept segment covers its whole length', () => {
    const sweep = segment([0, -5], [0, 5], 0.3);
    expect(overlaps(sweep, circle(0.4, 4.9, 0.2))).toBe(true);
    expect(separation(sweep, circle(1, 0, 0.2))).toBeCloseTo(0.5, 12);
    expect(overlaps(sweep, circle(0, 5.6, 0.2))).toBe(false);
  });

  it('measures how far a footprint sticks out of the arena', () => {
    expect(outside(box(4.8, 0, 0.5, 0.4, deg(90)), 10, 10)).toBeCloseTo(0, 12);
    expect(outside(circle(4.9, 0, 0.2), 10, 10)).toBeCloseTo(0.1, 12);
    expect(outside(box(0, 4.9, 1, 1, deg(45)), 10, 10)).toBeCloseTo(4.9 + Math.SQRT1_2 - 5, 12);
  });
});
