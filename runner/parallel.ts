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
import { RunAbort } from '../core/errors.ts';
import type { EpisodeRecord } from '../core/records.ts';
import { compiledRapier, loadRapier } from '../sim/physics.ts';
import type { EpisodeOptions } from './episode.ts';
import type { ExecuteHooks } from './executeRun.ts';
import type { EpisodeSpec, RunPlan } from './plan.ts';
import type { RunDir } from '../core/runStore.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker.ts';

const ENTRY = new URL('./workerEntry.mjs', import.meta.url);

/**
 * Episodes handed to a worker at once: the one it runs and the next, so that a worker never idles
 * while the coordinator (busy with a write, or waiting for a core) answers its `done`.
 */
const PIPELINE_DEPTH = 2;

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
  /** Episodes handed to the worker, in order: the first is running (since `started`), the rest wait. */
  jobs: { index: number; started: number }[];
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
  // Compiled here once and shared, so the workers do not each compile and optimise Rapier.
  const physics = opts.episode.physics;
  await loadRapier(physics);
  const init: WorkerInit = {
    scenarios: plan.scenarios.filter((s) => episodes.some((e) => e.scenario === s.id)).map((s) => structuredClone(s)),
    plannerConfig: opts.plannerConfig,
    options: episodeOptions,
    runDir: runDir.path,
    rapierModule: compiledRapier(physics),
  };
  const count = Math.max(1, Math.min(opts.workers, episodes.length));
  let next = 0;
  /** Episodes given back by a worker that died with them queued; handed out before `next`. */
  const returned: number[] = [];
  let crashes = 0;
  const remaining = () => returned.length > 0 || next < episodes.length;
  const take = () => (returned.length > 0 ? returned.shift()! : next++);

  return new Promise<EpisodeRecord[]>((resolve, reject) => {
    const slots = new Set<Slot>();
    let settled = false;

    const finishIfDone = () => {
      if (settled) return;
      const busy = [...slots].some((s) => s.jobs.length > 0);
      const exhausted = !remaining() || hooks.shouldStop?.();
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
      const index = s.jobs.shift()!.index;
      const queued = s.jobs[0];
      if (queued) queued.started = performance.now(); // the worker has moved on to it
      runDir.appendEpisode(record);
      byIndex.set(index, record);
      hooks.onEpisodeEnd?.(record, index);
      if (queued) hooks.onEpisodeStart?.(episodes[queued.index], queued.index);
    };

    const dispatch = (s: Slot) => {
      if (settled || s.gone || !s.ready) return;
      while (s.jobs.length < PIPELINE_DEPTH && remaining() && !hooks.shouldStop?.()) {
        const index = take();
        s.jobs.push({ index, started: performance.now() });
        if (s.jobs.length === 1) hooks.onEpisodeStart?.(episodes[index], index);
        s.worker.postMessage({ type: 'run', index, spec: episodes[index] } satisfies WorkerRequest);
      }
      if (s.jobs.length === 0) {
        stopSlot(s);
        finishIfDone();
      }
    };

    const spawn = () => {
      const worker = new Worker(ENTRY, { workerData: init, stdout: false, stderr: false });
      const slot: Slot = { worker, ready: false, jobs: [], gone: false };
      slots.add(slot);
      worker.on('message', (msg: WorkerReply) => {
        try {
          if (msg.type === 'ready') {
            slot.ready = true;
          } else if (msg.type === 'done') {
            crashes = 0;
            finishEpisode(slot, msg.record);
          } else if (msg.type === 'abort') {
            fail(new RunAbort(msg.code, msg.message));
            return;
          } else if (msg.type === 'failed') {
            const spec = episodes[msg.index];
            finishEpisode(slot, { ...crashRecord(spec, msg.message, (performance.now() - slot.jobs[0].started) / 1000), failure: 'planner_error' });
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
        if (slot.jobs.length > 0) {
          const [running, ...waiting] = slot.jobs;
          slot.jobs = [running];
          // Episodes that were only queued go back to the pool, ahead of the rest, in order.
          returned.unshift(...waiting.map((j) => j.index));
          const spec = episodes[running.index];
          const why = lastError ? `${lastError.name}: ${lastError.message.split('\n')[0]}` : `exit code ${code}`;
          finishEpisode(slot, crashRecord(spec, `worker crashed: ${why}`, (performance.now() - running.started) / 1000));
          if (++crashes > MAX_CONSECUTIVE_CRASHES) {
            fail(new Error(`episode workers crashed ${crashes} times in a row (last: ${why}); see the errors in ${runDir.display(runDir.episodesPath)}`));
            return;
          }
        } else if (!slot.ready && !wasStopping) {
          fail(new Error(`an episode worker failed to start: ${lastError?.message ?? `exit code ${code}`}`));
          return;
        }
        if (!wasStopping && remaining() && !hooks.shouldStop?.()) spawn();
        finishIfDone();
      });
    };

    for (let i = 0; i < count; i++) spawn();
  });
}
