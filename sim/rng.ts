/**
 * Seeded random streams. Every random draw in planarena comes from an `Rng` derived from
 * (scenario id, seed, concern), one stream per concern ("layout", "perturbation",
 * "planner:<name>", ...), so adding a draw to one concern never shifts another.
 * No `Math.random` anywhere in the simulation or the planners.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's small fast counter), 128-bit state, seeded from a
 * SHA-256 of the stream key. Integer arithmetic only, so streams are identical on every platform.
 */
import { createHash } from 'node:crypto';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(words: Uint32Array) {
    this.a = words[0] | 0;
    this.b = words[1] | 0;
    this.c = words[2] | 0;
    this.d = words[3] | 0;
    // Discard the first outputs: sfc32 mixes its state over its first few rounds.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A stream for `concern` of episode (`scenarioId`, `seed`). */
  static stream(scenarioId: string, seed: number, concern: string): Rng {
    return Rng.fromKey(`${scenarioId}\u0000${seed}\u0000${concern}`);
  }

  static fromKey(key: string): Rng {
    const digest = createHash('sha256').update(key).digest();
    return new Rng(new Uint32Array(digest.buffer, digest.byteOffset, 4).slice());
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal via Box-Muller. Uses Math.log/sqrt/cos, which are correctly rounded or
   * identical across V8 builds in practice; keep it out of physics initial conditions. */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Internal state, to save and restore a stream. */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  setState(s: readonly [number, number, number, number]): void {
    [this.a, this.b, this.c, this.d] = s;
  }
}
