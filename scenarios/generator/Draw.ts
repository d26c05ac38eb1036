/**
 * Seeded draws for the level generator. One `Draw` per (family, split, level, attempt), from
 * `Rng.fromKey` (sfc32 seeded by SHA-256, integer arithmetic only), so a level is the same on
 * every machine. Every number that ends up in a scenario goes through `mm` or `deg`: rounded to
 * millimetres or tenths of a degree, so files stay readable and the generator never depends on
 * the last bits of a floating-point operation.
 */
import { Rng } from '../../sim/rng.ts';
import type { Split } from '../schema.ts';

export class Draw {
  constructor(private readonly rng: Rng) {}

  /** The stream of one generation attempt of one level. */
  static forLevel(family: string, split: Split, level: number, attempt: number): Draw {
    return new Draw(Rng.fromKey(`planarena-open\u0000${family}\u0000${split}\u0000${level}\u0000${attempt}`));
  }

  /** Uniform in [lo, hi] (lo when the range is a point). */
  real(range: readonly [number, number]): number {
    const [lo, hi] = range;
    return hi > lo ? lo + (hi - lo) * this.rng.next() : lo;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(range: readonly [number, number]): number {
    const [lo, hi] = range;
    return hi > lo ? lo + this.rng.int(hi - lo + 1) : lo;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.rng.int(items.length)];
  }

  chance(p: number): boolean {
    return this.rng.next() < p;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Metres rounded to millimetres (never -0). */
export function mm(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return r === 0 ? 0 : r;
}

/** Degrees rounded to a tenth (never -0). */
export function deg(x: number): number {
  const r = Math.round(x * 10) / 10;
  return r === 0 ? 0 : r;
}

/** Rounds a factor value for the scenario's record of what was drawn. */
export function factorValue(x: number | string): number | string {
  return typeof x === 'number' ? mm(x) : x;
}
