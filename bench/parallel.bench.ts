/**
 * Parallel speed-up: steady-state episodes/s with 2 worker threads divided by 1 worker (target
 * >= 1.8 on a 2-core machine). Both sides run in worker threads through `executeParallel`, so
 * the ratio measures the scaling and not the thread overhead. The clock starts once every worker
 * has finished one episode (booting a worker and compiling Rapier's WebAssembly is a one-off
 * cost, amortised over the thousands of episodes a real evaluation runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../results/manifest.ts';
import { executeParallel } from '../runner/parallel.ts';
import { expandPlan } from '../runner/plan.ts';
import { RunDir } from '../runner/runDir.ts';
import { loadScenario, loadSuite } from '../scenarios/load.ts';
import type { Bench, BenchLine } from './types.ts';

/** Random actions run every episode to its time limit: a steady, CPU-bound physics load. */
const WORKLOAD = { suite: 'smoke', planners: ['random'], seeds: '24' };

async function episodesPerSecond(workers: number): Promise<number> {
  const plan = expandPlan(WORKLOAD, { loadScenario, loadSuite });
  const dir = mkdtempSync(join(tmpdir(), 'planarena-bench-'));
  try {
    const runDir = RunDir.create(dir);
    runDir.writeManifest(buildManifest({ suite: plan.suite, scenarios: plan.scenarios.map((s) => s.id), planners: [...plan.planners], seeds: [...plan.seeds], physics: 'deterministic', record: false, clock: 'turn', plannerConfig: {} }, ['bench']));
    const ends: number[] = [];
    await executeParallel(
      plan,
      plan.episodes,
      { workers, plannerConfig: {}, episode: { physics: 'deterministic', clock: 'turn', record: false, pace: 0 } },
      runDir,
      { onEpisodeEnd: () => ends.push(performance.now()) },
    );
    const warm = ends[workers - 1];
    const steady = ends.slice(workers);
    return (steady.length * 1000) / (steady[steady.length - 1] - warm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function speedup(): Promise<BenchLine[]> {
  const one = await episodesPerSecond(1);
  const two = await episodesPerSecond(2);
  return [
    { figure: `episodes/s, 1 worker (${WORKLOAD.suite}, ${WORKLOAD.planners.join(',')})`, value: one, unit: 'episodes/s' },
    { figure: `episodes/s, 2 workers (${WORKLOAD.suite}, ${WORKLOAD.planners.join(',')})`, value: two, unit: 'episodes/s', baseline: { name: '1 worker', value: one }, ratio: two / one, target: 1.8 },
  ];
}

export const benches: Bench[] = [{ name: 'parallel-workers', run: speedup }];
