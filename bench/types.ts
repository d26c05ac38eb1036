/**
 * Benchmark modules: every `bench/*.bench.ts` exports `benches`, and `planarena bench` (what
 * `npm run bench` runs) runs them all and prints one line per figure. A figure is compared with
 * a baseline measured in the same run on the same machine, so the ratio means something even
 * when the absolute numbers depend on the machine.
 */
export interface BenchLine {
  /** What was measured, e.g. "env steps/s (deterministic, nav-basic)". */
  figure: string;
  value: number;
  /** e.g. "steps/s", "ms", "MB". */
  unit: string;
  /** The reference measured in the same run, e.g. raw Rapier steps/s on the same scene. */
  baseline?: { name: string; value: number };
  /** value / baseline.value, or a target-relative ratio the bench defines. */
  ratio?: number;
  /** What the ratio should be at least (or at most, with `targetBelow`), for the ✓/✗ mark. */
  target?: number;
  targetBelow?: boolean;
}

export interface Bench {
  name: string;
  run(): Promise<BenchLine[]>;
}

/**
 * Milliseconds of CPU time used by this process (user + system). Benchmarks of single-threaded
 * work time themselves with it rather than with the wall clock: on a shared machine other
 * processes steal wall time, not CPU time, so ratios stay meaningful under load. On an idle
 * machine the two agree for single-threaded code.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Calls `fn` repeatedly for at least `minMs` of CPU time (after a warm-up); returns calls per CPU second. */
export function rate(fn: () => void, minMs = 1000, warmup = 20): number {
  for (let i = 0; i < warmup; i++) fn();
  let calls = 0;
  const start = cpuMs();
  let elapsed = 0;
  let batch = 1;
  while (elapsed < minMs) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = cpuMs() - start;
    if (elapsed < minMs / 10) batch *= 2;
  }
  return (calls * 1000) / elapsed;
}

/**
 * Total milliseconds of a set of stretches, each taken at its fastest over several runs
 * (`runs[r][s]`: stretch s in run r). Other work on the machine can only slow a stretch down,
 * so its fastest run is the steadiest estimate of what the code itself costs.
 */
export function fastestTotal(runs: readonly (readonly number[])[]): number {
  let total = 0;
  for (let s = 0; s < runs[0].length; s++) total += Math.min(...runs.map((r) => r[s]));
  return total;
}

/** Sum of the numbers. */
export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
