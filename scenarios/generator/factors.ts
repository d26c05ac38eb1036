/**
 * Factor types of family files: the knobs a family draws a level from, one value set per split.
 * A factor is a numeric range `[lo, hi]` (integers or reals, drawn uniformly) or a list of
 * choices (drawn uniformly). Bounds say what the builder can honour; each message says why.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

function bounded(base: z.ZodNumber, min: number, max: number, why: string) {
  return base.min(min, `must be at least ${min} (${why})`).max(max, `must be at most ${max} (${why})`);
}

/** A range of reals [lo, hi] within [min, max]. */
export function realRange(min: number, max: number, why: string) {
  const n = bounded(z.number(), min, max, why).pipe(finite);
  return z.tuple([n, n]).refine(([lo, hi]) => lo <= hi, { message: 'range [lo, hi] needs lo <= hi' });
}

/** A range of integers [lo, hi] within [min, max]. */
export function intRange(min: number, max: number, why: string) {
  const n = bounded(z.number().int('must be a whole number'), min, max, why);
  return z.tuple([n, n]).refine(([lo, hi]) => lo <= hi, { message: 'range [lo, hi] needs lo <= hi' });
}

/** A non-empty list of distinct choices among `values`. */
export function choices<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .array(z.enum(values))
    .min(1, `list at least one of: ${values.join(', ')}`)
    .refine((xs) => new Set(xs).size === xs.length, { message: 'list each choice once' });
}

export type Range = readonly [number, number];

/** Whether a factor value is a numeric range (else a list of choices). */
export function isRange(v: unknown): v is Range {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

/** Whether two factor values share nothing: disjoint ranges, or choice lists with no common entry. */
export function disjoint(a: unknown, b: unknown): boolean {
  if (isRange(a) && isRange(b)) return a[1] < b[0] || b[1] < a[0];
  if (Array.isArray(a) && Array.isArray(b)) return !a.some((x) => b.includes(x));
  return false;
}
