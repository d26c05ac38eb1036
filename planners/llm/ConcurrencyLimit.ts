/**
 * One limit on in-flight LLM calls per endpoint, shared by every planner instance in the process:
 * parallel episodes of a run create one planner each, but a rate-limited server sees them as one
 * client. (Worker processes each hold their own limit; see docs/llm.md.)
 */

export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private max: number) {}

  /** Raises or lowers the limit; waiting callers start as soon as a slot is free. */
  setMax(max: number): void {
    this.max = max;
    this.drain();
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.active--;
    this.drain();
  }

  private drain(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

const LIMITS = new Map<string, ConcurrencyLimit>();

/** The process-wide limit for `endpoint` (a URL or "gguf:<file>"), created on first use. When
 * planners ask for different limits, the latest one wins. */
export function sharedLimit(endpoint: string, max: number): ConcurrencyLimit {
  let limit = LIMITS.get(endpoint);
  if (!limit) {
    limit = new ConcurrencyLimit(max);
    LIMITS.set(endpoint, limit);
  } else {
    limit.setMax(max);
  }
  return limit;
}
