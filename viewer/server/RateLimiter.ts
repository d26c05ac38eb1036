/**
 * A token bucket: up to `burst` actions at once, refilled at `perSecond`. The viewer's server
 * keeps two per client (every message, and teaching-mode interventions), so one client cannot
 * flood the simulation with shoves and dropped obstacles or the server with pings, and the
 * other clients never notice it.
 *
 * Wall-clock time is fine here: it paces what people send, never the simulation.
 */
import { performance } from 'node:perf_hooks';

export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly burst: number,
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
