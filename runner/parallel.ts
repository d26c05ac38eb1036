/**
 * Episodes spread over worker threads (`--workers N|auto`), with the same contract as
 * `executeRun`: each record is appended (and flushed) to `episodes.jsonl` by this thread the
 * moment its episode ends, hooks fire per episode, `shouldStop` ends the run after the
 * episodes in flight, and the records come back in plan order.
 *
 * Each worker (`worker.ts`) has its own planners and its own Rapier instance, and episodes are
 * functions of (scenario, planner, seed) only, so which worker runs an episode never changes its
 * result: deterministic planners give the same trajectory hashes with 1 or N workers.
 *
 * Isolation: an exception inside an episode is recorded by `runEpisode` itself. A worker that
 * dies (native crash, out of memory, `process.exit`) takes only its episode in flight down:
 * that episode is recorded with `failure: 'error'` and the message, a fresh worker takes its
 * place, and the run goes on.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EpisodeRecord } from '../results/types.ts';
import type { EpisodeOptions } from './episode.ts';
import type { ExecuteHooks } from './executeRun.ts';
import type { EpisodeSpec, RunPlan } from './plan.ts';
import type { RunDir } from './runDir.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker.ts';

const ENTRY = new URL('./workerEntry.mjs', import.meta.url);

/** A worker that dies this many times in a row before finishing any episode is a bug, not bad luck. */
const MAX_CONSECUTIVE_CRASHES = 3;

/** `--workers auto`: one per core the process may use, never more than the episodes. */
export function autoWorkers(episodes: number): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, episodes));
}

/** The record of an episode whose worker died under it. */
export function crashRecord(spec: EpisodeSpec, message: string, wallSeconds = 0): EpisodeRecord {
  return {
    scenario: spec.scenario,
    seed: spec.seed,
    planner: spec.planner,
    success: false,
    failure: 'error',
    steps: 0,
    simTime: 0,
    return: 0,
    pathLength: 0,
    collisions: 0,
    finalGoalDistance: Number.NaN,
    plannerMsP50: 0,
    plannerMsP95: 0,
    trajectoryHash: '',
    failureCategories: {},
    plannerStats: {},
    wallSeconds,
    error: message,
  };
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** The episode in flight: its index in `episodes` and when it started. */
  job: { index: number; started: number } | null;
  /** Set once the slot's worker has been told to stop or has died. */
  gone: boolean;
}

export interface ParallelOptions {
  workers: number;
  plannerConfig: Record<string, unknown>;
  /** Episode options; observers cannot cross threads and are ignored. */
  episode: EpisodeOptions;
}

export async function executeParallel(
  plan: RunPlan,
  episodes: readonly EpisodeSpec[],
  opts: ParallelOptions,
  runDir: RunDir,
  hooks: ExecuteHooks = {},
): Promise<EpisodeRecord[]> {
  const byIndex = new Map<number, EpisodeRecord>();
  if (episodes.length === 0) return [];
  const { observer: _ignored, ...episodeOptions } = opts.episode;
  const init: WorkerInit = {
    scenarios: plan.scenarios.filter((s) => episodes.some((e) => e.scenario === s.id)).map((s) => structuredClone(s)),
    plannerConfig: opts.plannerConfig,
    options: episodeOptions,
    runDir: runDir.path,
  };
  const count = Math.max(1, Math.min(opts.workers, episodes.length));
  let next = 0;
  let crashes = 0;

  return new Promise<EpisodeRecord[]>((resolve, reject) => {
    const slots = new Set<Slot>();
    let settled = false;

    const finishIfDone = () => {
      if (settled) return;
      const busy = [...slots].some((s) => s.job !== null);
      const exhausted = next >= episodes.length || hooks.shouldStop?.();
      if (busy || !exhausted) return;
      settled = true;
      for (const s of slots) stopSlot(s);
      resolve([...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!));
    };

    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      for (const s of slots) void s.worker.terminate();
      reject(e);
    };

    const stopSlot = (s: Slot) => {
      if (s.gone) return;
      s.gone = true;
      s.worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
      // A worker that does not stop within a few seconds (a planner stuck in dispose) is ended.
      setTimeout(() => void s.worker.terminate(), 5000).unref();
    };

    const finishEpisode = (s: Slot, record: EpisodeRecord) => {
      const index = s.job!.index;
      s.job = null;
      runDir.appendEpisode(record);
      byIndex.set(index, record);
      hooks.onEpisodeEnd?.(record, index);
    };

    const dispatch = (s: Slot) => {
      if (settled || s.gone || !s.ready || s.job) return;
      if (next >= episodes.length || hooks.shouldStop?.()) {
        stopSlot(s);
        finishIfDone();
        return;
      }
      const index = next++;
      s.job = { index, started: performance.now() };
      hooks.onEpisodeStart?.(episodes[index], index);
      s.worker.postMessage({ type: 'run', index, spec: episodes[index] } satisfies WorkerRequest);
    };

    const spawn = () => {
      const worker = new Worker(ENTRY, { workerData: init, stdout: false, stderr: false });
      const slot: Slot = { worker, ready: false, job: null, gone: false };
      slots.add(slot);
      worker.on('message', (msg: WorkerReply) => {
        try {
          if (msg.type === 'ready') {
            slot.ready = true;
          } else if (msg.type === 'done') {
            crashes = 0;
            finishEpisode(slot, msg.record);
          } else if (msg.type === 'failed') {
            const spec = episodes[msg.index];
            finishEpisode(slot, { ...crashRecord(spec, msg.message, (performance.now() - slot.job!.started) / 1000), failure: 'planner_error' });
          }
          dispatch(slot);
        } catch (e) {
          // Writing the record failed (disk full, directory removed): stop rather than lose results silently.
          fail(e instanceof Error ? e : new Error(String(e)));
        }
      });
      let lastError: Error | undefined;
      worker.on('error', (e) => {
        lastError = e;
      });
      worker.on('exit', (code) => {
        slots.delete(slot);
        const wasStopping = slot.gone;
        slot.gone = true;
        if (settled) return;
        if (slot.job) {
          const spec = episodes[slot.job.index];
          const why = lastError ? `${lastError.name}: ${lastError.message.split('\n')[0]}` : `exit code ${code}`;
          finishEpisode(slot, crashRecord(spec, `worker crashed: ${why}`, (performance.now() - slot.job.started) / 1000));
          if (++crashes > MAX_CONSECUTIVE_CRASHES) {
            fail(new Error(`episode workers crashed ${crashes} times in a row (last: ${why}); see the errors in ${runDir.display(runDir.episodesPath)}`));
            return;
          }
        } else if (!slot.ready && !wasStopping) {
          fail(new Error(`an episode worker failed to start: ${lastError?.message ?? `exit code ${code}`}`));
          return;
        }
        if (!wasStopping && next < episodes.length && !hooks.shouldStop?.()) spawn();
        finishIfDone();
      });
    };

    for (let i = 0; i < count; i++) spawn();
  });
}
