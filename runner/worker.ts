/**
 * One episode worker (a worker thread, see `parallel.ts`). It owns its planners and, through
 * `runEpisode`, its own Rapier instance: WebAssembly modules are per isolate, so workers share
 * no physics state and every episode is exactly what it would be in the main thread.
 *
 * Protocol (`WorkerRequest` in, `WorkerReply` out): `init` once, then `run` per episode, each
 * answered by `done` with the record (the recording, if any, is written here, so that only a
 * path crosses the thread boundary); `stop` disposes the planners and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isRunAbort } from '../core/errors.ts';
import type { Planner } from '../planners/Planner.ts';
import { getPlannerFactory } from '../planners/registry.ts';
import type { EpisodeRecord } from '../core/records.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { adoptCompiledRapier, loadRapier } from '../sim/physics.ts';
import { runEpisode, type EpisodeOptions } from './episode.ts';
import { saveRecording } from './executeRun.ts';
import type { EpisodeSpec } from './plan.ts';
import { RunDir } from '../core/runStore.ts';

export interface WorkerInit {
  scenarios: Scenario[];
  plannerConfig: Record<string, unknown>;
  options: Omit<EpisodeOptions, 'observer'>;
  /** Absolute path of the run directory (recordings are written under it). */
  runDir: string;
  /** The coordinator's compiled Rapier module for `options.physics`, shared by every worker. */
  rapierModule?: WebAssembly.Module;
}

export type WorkerRequest = { type: 'run'; index: number; spec: EpisodeSpec } | { type: 'stop' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; index: number; record: EpisodeRecord }
  /** The episode could not even start (e.g. its planner failed to be created). */
  | { type: 'failed'; index: number; message: string }
  /** The episode hit a `RunAbort`: the whole run must stop with this message. */
  | { type: 'abort'; index: number; code: string; message: string }
  | { type: 'stopped' };

/**
 * Fault injection for the crash-isolation tests: `PLANARENA_WORKER_FAULT=exit:<scenario>:<planner>:<seed>`
 * kills the worker thread when it picks up that episode, as a native crash or OOM would.
 */
function injectedFault(spec: EpisodeSpec): void {
  const fault = process.env.PLANARENA_WORKER_FAULT;
  if (fault && fault === `exit:${spec.scenario}:${spec.planner}:${spec.seed}`) process.exit(70);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runner/worker.ts must run in a worker thread (see runner/parallel.ts)');
  const init = workerData as WorkerInit;
  const scenarios = new Map(init.scenarios.map((s) => [s.id, s]));
  const runDir = RunDir.open(init.runDir);
  const planners = new Map<string, Promise<{ planner: Planner; privileged: boolean }>>();

  // Planners are created on first use: a worker that never meets the world model never loads tfjs.
  const plannerFor = (name: string) => {
    let p = planners.get(name);
    if (!p) {
      p = getPlannerFactory(name).then(async (f) => ({ planner: await f.create({ config: { ...init.plannerConfig } }), privileged: f.privileged === true }));
      planners.set(name, p);
    }
    return p;
  };

  const send = (reply: WorkerReply) => port.postMessage(reply);

  // Requests are handled one at a time, in arrival order: the coordinator sends the next episode
  // while this one runs (so no worker waits on a round trip), and a planner serves one episode at once.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: WorkerRequest) => {
    queue = queue
      .then(() => handle(msg))
      .catch((e: unknown) => {
        // As an unhandled error it ends the thread; the coordinator records the episode in flight.
        setImmediate(() => {
          throw e;
        });
      });
  });

  const handle = async (msg: WorkerRequest): Promise<void> => {
    if (msg.type === 'stop') {
      for (const p of planners.values()) {
        try {
          await (await p).planner.dispose();
        } catch {
          // A planner that cannot be created or disposed has already been reported per episode.
        }
      }
      send({ type: 'stopped' });
      port.close();
      return;
    }
    const { index, spec } = msg;
    injectedFault(spec);
    let entry: { planner: Planner; privileged: boolean };
    const scenario = scenarios.get(spec.scenario);
    try {
      if (!scenario) throw new Error(`scenario ${spec.scenario} was not sent to the worker`);
      entry = await plannerFor(spec.planner);
    } catch (e) {
      planners.delete(spec.planner);
      send({ type: 'failed', index, message: `planner ${spec.planner}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    let result;
    try {
      result = await runEpisode(spec, { ...init.options, scenario, planner: entry.planner, privileged: entry.privileged });
    } catch (e) {
      if (!isRunAbort(e)) throw e;
      send({ type: 'abort', index, code: e.code, message: e.message });
      return;
    }
    // The recording is on disk before the coordinator appends the line that points at it; a
    // failed write ends the thread like any other worker fault (the episode is recorded as an error).
    const record = await saveRecording(runDir, result);
    send({ type: 'done', index, record });
  };
  // Compile Rapier's WebAssembly before saying ready, so the first episode is not charged for it.
  if (init.rapierModule) adoptCompiledRapier(init.options.physics, init.rapierModule);
  await loadRapier(init.options.physics);
  send({ type: 'ready' });
}

await main();
