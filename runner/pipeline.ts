/**
 * The run pipeline — the one path every run takes, whether `planarena run`, `demo`, `ci`,
 * `baseline update`, `run --from` or `run --resume` started it:
 *
 *     request or manifest ─▶ RunConfig ─▶ plan ─▶ shard / resume filter ─▶ executor ─▶ summary
 *
 * - The **config** comes from the request (flags) or from a manifest (`--from`, `--resume`),
 *   through `core/runConfig.ts` only; planner settings are validated against their declarations.
 * - The **plan** expands (scenarios × seeds × planners); `--shard K/N` keeps one slice of its
 *   (scenario, seed) units; `--resume` drops the episodes the run directory already holds.
 * - The **executor** runs the episodes in this process, one after another or as races (`--race`:
 *   the planners of each scenario and seed in lockstep of simulated time), or on worker threads
 *   (`--workers N`); each writes every record (and its recording, first) to the run directory
 *   as it ends.
 * - **Observers** — the live viewer, the progress line, tests — watch episodes in this process.
 *   They cannot cross threads, so `--live` with more than one worker is refused.
 *
 * Everything that can be refused (unknown names, bad settings, an existing run directory, a
 * planner that cannot be created) is refused before the first episode starts.
 */
import { join, resolve } from 'node:path';
import { UserError } from '../core/errors.ts';
import { buildManifest, gitState, hashInputs, scenarioHash } from '../core/manifest.ts';
import type { EpisodeRecord, RunSummary } from '../core/records.ts';
import { manifestConfig, usablePlannerConfig, type Clock, type LidarMethod, type ObservationTier, type PhysicsFlavor, type RunConfig, type Shard } from '../core/runConfig.ts';
import { dedupeRecords, defaultRunDir, episodeKey, loadRun, RunDir, type LoadedRun } from '../core/runStore.ts';
import { redactSettings, validateSettings, type SettingValue } from '../core/settings.ts';
import { summarize } from '../core/summary.ts';
import { shippedAnchors } from '../scenarios/anchors.ts';
import { getPlannerFactory, PLANNER_SETTINGS } from '../planners/registry.ts';
import type { PlannerFactory, PlannerOptions } from '../planners/Planner.ts';
import { loadScenario, loadSuite } from '../scenarios/load.ts';
import type { EpisodeOptions } from './episode.ts';
import { executeRun, type PlannerHandle } from './executeRun.ts';
import { combineObservers } from './observers.ts';
import { autoWorkers, executeParallel } from './parallel.ts';
import { expandPlan, type EpisodeSpec, type RunPlan, type ScenarioCatalog } from './plan.ts';
import { formatDuration, Progress } from './progress.ts';
import { executeRace, pacedSeconds, raceGroups } from './race.ts';
import type { EpisodeObserver } from './types.ts';

/** The live viewer's default port; when it is taken, a free one is used instead. */
export const DEFAULT_PORT = 8765;
export const DEFAULT_HOST = '127.0.0.1';

/** What to run, as the user asked for it. */
export interface RunRequest {
  suite?: string;
  /** Scenario ids or paths; exclusive with `suite`. */
  scenarios?: readonly string[];
  planners: readonly string[];
  /** The seeds; absent: the suite's default count (seeds 0..n-1). */
  seeds?: readonly number[];
  physics: PhysicsFlavor;
  lidar: LidarMethod;
  observation: ObservationTier;
  clock: Clock;
  record: boolean;
  /** Planner settings by key (`llmUrl`, `wmSamples`); validated against their declarations. */
  plannerConfig: Readonly<Record<string, unknown>>;
}

/** Where the request comes from: given now, or the manifest of an earlier run. */
export type RunSource =
  | { kind: 'request'; request: RunRequest }
  /** Finish a stopped run in its own directory; `plannerConfig` adds settings the manifest could
   * not keep (secrets) or overrides them. */
  | { kind: 'resume'; dir: string; plannerConfig?: Readonly<Record<string, unknown>> }
  /** Run again exactly what a manifest describes, into a new directory. */
  | { kind: 'from'; manifest: string; plannerConfig?: Readonly<Record<string, unknown>> };

/** How to run it: none of this changes an episode's result. */
export interface ExecutionOptions {
  out?: string;
  force?: boolean;
  /** Worker threads; 1 runs in this process. */
  workers?: number | 'auto';
  shard?: Shard;
  /** Stream episodes to the live viewer. */
  live?: { port: number; host: string; token?: string };
  /** Simulated seconds per wall second (1 = real time); 0 = as fast as possible. */
  pace?: number;
  /** Race mode: the planners of each scenario and seed run at the same time, in lockstep of
   * simulated time (`runner/race.ts`); in this process only. Results are the same either way. */
  race?: boolean;
  /** Run `--from`/`--resume` even when scenarios, planner inputs, settings or code changed since
   * the recorded run (the differences are logged). */
  allowDrift?: boolean;
}

export interface LiveHandle {
  url: string;
  observer: EpisodeObserver;
  close(): Promise<void>;
}

export interface RunIo {
  /** Human messages: skipped planners, the viewer URL, resume state. */
  log(line: string): void;
  progressStream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

export interface RunOptions {
  /** The command line, for the manifest. */
  command: string[];
  catalog?: ScenarioCatalog;
  /** Name used for the default run directory when there is no suite. */
  label?: string;
  /** Extra observer (tests); in-process runs only. */
  observer?: EpisodeObserver;
  /** Return true to stop after the running episodes (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface RunResult {
  runDir: RunDir;
  config: RunConfig;
  plan: RunPlan;
  /** Every episode of the run directory in plan order (a resumed run: the earlier ones too). */
  records: EpisodeRecord[];
  summary: RunSummary;
  skipped: { planner: string; reason: string }[];
  /** True when Ctrl-C stopped the run before every planned episode ran. */
  interrupted: boolean;
  /** The live server, still serving (the caller closes it). */
  live?: LiveHandle;
}

/** The request a recorded configuration stands for, with `plannerConfig` layered over its settings. */
export function requestOf(config: RunConfig, plannerConfig: Readonly<Record<string, unknown>> = {}): RunRequest {
  return {
    // Scenarios by id (or the file they came from), not by suite: a suite edited since the run
    // cannot change what is repeated.
    scenarios: config.scenarios.map((id) => config.scenarioFiles?.[id] ?? id),
    planners: [...config.planners],
    seeds: [...config.seeds],
    physics: config.physics,
    lidar: config.lidar,
    observation: config.observation,
    clock: config.clock,
    record: config.record,
    plannerConfig: { ...usablePlannerConfig(config.plannerConfig), ...plannerConfig },
  };
}

/**
 * Looks up factories; drops (and reports) those that say they are unavailable. A name may resolve
 * to a labelled one (`remote` + --remote-name ppo → `remote:ppo`); two names that resolve to the
 * same planner are refused, since each episode would run twice under one name.
 */
export async function resolvePlanners(names: readonly string[], opts: PlannerOptions): Promise<{ factories: PlannerFactory[]; skipped: { planner: string; reason: string }[] }> {
  const factories: PlannerFactory[] = [];
  const skipped: { planner: string; reason: string }[] = [];
  const given = new Map<string, string>();
  for (const name of names) {
    const factory = await getPlannerFactory(name, opts.config);
    const twin = given.get(factory.name);
    if (twin !== undefined) throw new UserError('E_BAD_FLAG', `--planners: "${twin}" and "${name}" are both the planner ${factory.name}; list each planner once.`);
    given.set(factory.name, name);
    const reason = factory.unavailable?.(opts) ?? null;
    if (reason) skipped.push({ planner: factory.name, reason });
    else factories.push(factory);
  }
  return { factories, skipped };
}

export async function runPipeline(source: RunSource, exec: ExecutionOptions, io: RunIo, opts: RunOptions): Promise<RunResult> {
  const catalog = opts.catalog ?? { loadScenario, loadSuite };

  // Config: the request, or the recorded run's.
  let request: RunRequest;
  let recordedSuite: string | null | undefined;
  let shard = exec.shard;
  let resumeDir: RunDir | undefined;
  let done: EpisodeRecord[] = [];
  let recorded: LoadedRun | undefined;
  if (source.kind === 'request') {
    request = source.request;
  } else {
    const run = (recorded = loadRun(source.kind === 'resume' ? source.dir : source.manifest, source.kind === 'resume' ? '--resume' : '--from'));
    request = requestOf(run.config, source.plannerConfig);
    recordedSuite = run.config.suite;
    if (source.kind === 'resume') {
      if (exec.shard) throw new UserError('E_BAD_FLAG', '--resume keeps the shard of the run it resumes; drop --shard.');
      shard = run.config.shard;
      resumeDir = run.dir;
      for (const note of run.dir.repairEpisodes()) io.log(note);
      done = dedupeRecords(run.dir.readEpisodes());
    } else {
      shard ??= run.config.shard;
    }
  }

  const workersAsked = exec.workers ?? 1;
  if (exec.live && workersAsked !== 1) {
    throw new UserError('E_BAD_FLAG', `--live shows episodes as they run in this process; it cannot watch worker threads. Drop --workers ${workersAsked} (or pass --workers 1).`);
  }
  if (exec.race && workersAsked !== 1) {
    throw new UserError('E_BAD_FLAG', `--race runs the planners of each scenario and seed side by side in this process; it cannot spread them over worker threads. Drop --workers ${workersAsked}, or pass --no-race.`);
  }

  // Planner settings: typed by their declarations; a typo is an error, not a silent default.
  const plannerConfig: Record<string, SettingValue> = Object.freeze(validateSettings(PLANNER_SETTINGS, request.plannerConfig));
  const plannerOptions: PlannerOptions = Object.freeze({ config: plannerConfig });

  // Plan, before anything is created or written.
  if (request.planners.length === 0) throw new UserError('E_BAD_FLAG', 'no planners: pass --planners a,b (see `planarena list planners`).');
  const { factories, skipped } = await resolvePlanners(request.planners, plannerOptions);
  for (const s of skipped) io.log(`skipping planner ${s.planner}: ${s.reason}`);
  if (factories.length === 0) throw new UserError('E_NO_PLANNERS', `none of the planners ${request.planners.join(', ')} can run here (reasons above).`);
  const full = expandPlan({ suite: request.suite, scenarios: request.scenarios ? [...request.scenarios] : undefined, planners: factories.map((f) => f.name), seeds: request.seeds }, catalog);
  const suite = recordedSuite !== undefined ? recordedSuite : full.suite;
  const planned = shardEpisodes(full.episodes, shard);
  const have = new Set(done.map(episodeKey));
  const todo = planned.filter((e) => !have.has(episodeKey(e)));
  const plan: RunPlan = Object.freeze({ ...full, suite, episodes: Object.freeze(planned) });
  const robots = [...new Set(plan.scenarios.map((s) => s.robot.type))];
  const inputHashes: Record<string, string> = {};
  for (const f of factories) {
    for (const [label, paths] of Object.entries(f.inputs?.(plannerOptions, robots) ?? {})) inputHashes[`${f.name}:${label}`] = hashInputs(paths);
  }
  const config: RunConfig = Object.freeze(
    manifestConfig({
      suite,
      scenarios: plan.scenarios.map((s) => s.id),
      scenarioFiles: scenarioFilesOf(request, plan),
      planners: [...plan.planners],
      seeds: [...plan.seeds],
      physics: request.physics,
      lidar: request.lidar,
      observation: request.observation,
      record: request.record,
      clock: request.clock,
      plannerConfig: redactSettings(PLANNER_SETTINGS, plannerConfig) as RunConfig['plannerConfig'],
      ...(shard && shard.count > 1 ? { shard } : {}),
      scenarioHashes: Object.fromEntries(plan.scenarios.map((s) => [s.id, scenarioHash(s)])),
      inputHashes,
      ...(skipped.length > 0 ? { skippedPlanners: Object.fromEntries(skipped.map((s) => [s.planner, s.reason])) } : {}),
      observationSpecs: Object.fromEntries(
        factories.map((f) => [f.name, { tier: request.observation, ...(f.observes?.(plannerOptions, robots) ?? { reads: 'the whole observation' }) }]),
      ),
    }),
  );

  if (recorded) {
    const drift = driftOf(recorded, config, source.kind === 'resume');
    if (drift.length > 0) {
      const what = `${source.kind === 'resume' ? '--resume' : '--from'} ${recorded.dir.display()}`;
      if (!exec.allowDrift) {
        throw new UserError('E_DRIFT', `${what}: ${drift.join('; ')}. The results would not be comparable: run it afresh, or pass --allow-drift to go on knowingly (the differences are then logged).`);
      }
      io.log(`${what}: going on despite drift (--allow-drift): ${drift.join('; ')}`);
    }
  }
  // Artefacts are checked before anything is written: a broken checkpoint fails the run here.
  for (const f of factories) await f.preflight?.(plannerOptions, robots);

  // The directory is checked (and created empty) first: refusing to overwrite is instant, while
  // creating planners may load models. A run that fails before its manifest leaves it empty.
  let runDir: RunDir;
  if (resumeDir) {
    runDir = resumeDir;
    io.log(`resuming ${runDir.display()}: ${planned.length - todo.length} of ${planned.length} episodes already done`);
  } else {
    const label = `${suite ?? opts.label ?? 'run'}${shard && shard.count > 1 ? `-shard${shard.index}of${shard.count}` : ''}`;
    runDir = RunDir.create(exec.out ?? defaultRunDir(label), { force: exec.force });
  }

  const workers = workersAsked === 'auto' ? autoWorkers(todo.length) : Math.min(workersAsked, Math.max(1, todo.length));
  const handles = new Map<string, PlannerHandle>();
  let live: LiveHandle | undefined;
  try {
    // In this process every planner is created before the first episode (a model that fails to
    // load stops the run here); workers create their own on first use.
    if (workers <= 1) {
      for (const f of factories) {
        if (todo.some((e) => e.planner === f.name)) handles.set(f.name, { planner: await f.create(plannerOptions), privileged: f.privileged === true });
      }
    }
    if (exec.live) live = await startLive(exec.live, runDir, io);
    if (!resumeDir) runDir.writeManifest(buildManifest(config, opts.command));

    const progress = new Progress(todo.length, io.progressStream ?? process.stderr);
    const pace = exec.pace ?? (exec.live ? 1 : 0);
    if (pace > 0 && todo.length > 0) {
      const races = exec.race ? raceGroups(todo).length : 0;
      const what = exec.race ? `${races} race${races === 1 ? '' : 's'} of up to ${plan.planners.length} planners side by side` : `${todo.length} episode${todo.length === 1 ? '' : 's'} one after another`;
      io.log(`${what} at ${pace === 1 ? 'real time' : `${pace}× real time`}: at most ${formatDuration(pacedSeconds(plan, todo, exec.race === true, pace))}${exec.race ? ' (a race ends when its last planner does)' : ''}, longer only if a planner computes slower than that; --pace sets the speed.`);
    }
    const episode: EpisodeOptions = {
      physics: request.physics,
      lidar: request.lidar,
      observation: request.observation,
      clock: request.clock,
      record: request.record,
      pace,
      observer: combineObservers(live?.observer, progress.observer(), opts.observer),
    };
    const hooks = {
      onRaceStart: (specs: readonly EpisodeSpec[]) => progress.raceStart(specs),
      onEpisodeStart: (spec: EpisodeSpec) => progress.episodeStart(spec),
      onEpisodeEnd: (record: EpisodeRecord) => progress.episodeEnd(record),
      shouldStop: opts.shouldStop,
    };
    if (workers > 1) {
      io.log(`${todo.length} episodes on ${workers} workers`);
      await executeParallel(plan, todo, { workers, plannerConfig, episode }, runDir, hooks);
    } else if (exec.race) {
      await executeRace(plan, todo, handles, episode, runDir, hooks);
    } else {
      await executeRun(plan, todo, handles, episode, runDir, hooks);
    }
    progress.finish();

    // The summary covers every planned episode in the directory: resumed ones and new ones.
    const order = new Map(planned.map((e, i) => [episodeKey(e), i]));
    const records = dedupeRecords(runDir.readEpisodes())
      .filter((r) => order.has(episodeKey(r)))
      .sort((a, b) => order.get(episodeKey(a))! - order.get(episodeKey(b))!);
    const summary = summarize(records, suite, undefined, { anchors: shippedAnchors(), scenarioHashes: config.scenarioHashes });
    runDir.writeSummary(summary);
    return { runDir, config, plan, records, summary, skipped, interrupted: records.length < planned.length, live };
  } catch (e) {
    await live?.close();
    throw e;
  } finally {
    for (const { planner } of handles.values()) {
      try {
        await planner.dispose();
      } catch (e) {
        // The results are written; a planner that fails to clean up is worth a line, not a crash.
        io.log(`planner ${planner.name}: dispose failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

async function startLive(opts: { port: number; host: string; token?: string }, runDir: RunDir, io: RunIo): Promise<LiveHandle> {
  // Loaded only here: the viewer (and its client build) costs nothing to runs without --live.
  const { startLiveServer } = await import('../viewer/server/LiveServer.ts');
  const start = (port: number) => startLiveServer({ port, host: opts.host, runsDir: join(runDir.path, '..'), ...(opts.token ? { token: opts.token } : {}) });
  let live: LiveHandle;
  try {
    live = await start(opts.port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    // The default port being taken (another planarena, say) should not stop a demo.
    if (opts.port !== DEFAULT_PORT) throw new UserError('E_PORT_IN_USE', `--port ${opts.port}: ${opts.host}:${opts.port} is in use; pass another --port (0 picks a free one).`);
    io.log(`port ${DEFAULT_PORT} is in use; the viewer takes a free port instead`);
    live = await start(0);
  }
  io.log(`live viewer: ${live.url}`);
  return live;
}

/**
 * The episodes of shard `shard`: the plan's (scenario, seed) units, in plan order, dealt
 * round-robin — unit j goes to shard j mod N — and every planner of a unit stays in its shard, so
 * head-to-head pairs are never split and shards differ by at most one unit. K is 0-based
 * (0..N-1), like `$SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)` and Kubernetes'
 * `$JOB_COMPLETION_INDEX`.
 */
export function shardEpisodes(episodes: readonly EpisodeSpec[], shard: Shard | undefined): EpisodeSpec[] {
  if (!shard || shard.count === 1) return [...episodes];
  const units: string[] = [];
  for (const e of episodes) {
    const u = `${e.scenario}\u0000${e.seed}`;
    if (units[units.length - 1] !== u && !units.includes(u)) units.push(u);
  }
  const mine = new Set(units.filter((_, j) => j % shard.count === shard.index));
  return episodes.filter((e) => mine.has(`${e.scenario}\u0000${e.seed}`));
}

/** Absolute paths of the scenarios the request named by file rather than by id. */
function scenarioFilesOf(request: RunRequest, plan: RunPlan): Record<string, string> {
  const out: Record<string, string> = {};
  (request.scenarios ?? []).forEach((typed, i) => {
    const id = plan.scenarios[i]?.id;
    if (id !== undefined && typed !== id) out[id] = resolve(typed);
  });
  return out;
}

/**
 * What differs between a recorded run and the same configuration now: scenario files, planner
 * inputs (checkpoints, prompts, cassettes), planner settings given again with other values, and —
 * for a resume, whose episodes join the recorded ones — the code's commit. One phrase each.
 */
export function driftOf(recorded: LoadedRun, now: RunConfig, resume: boolean): string[] {
  const was = recorded.config;
  const out: string[] = [];
  const short = (h: string | undefined) => (h ? h.slice(0, 12) : 'none');
  for (const [id, h] of Object.entries(was.scenarioHashes)) {
    if (now.scenarioHashes[id] !== undefined && now.scenarioHashes[id] !== h) out.push(`scenario ${id} changed (hash ${short(h)} → ${short(now.scenarioHashes[id])})`);
  }
  for (const key of new Set([...Object.keys(was.inputHashes), ...Object.keys(now.inputHashes)])) {
    if (was.inputHashes[key] !== now.inputHashes[key]) out.push(`${key} changed (hash ${short(was.inputHashes[key])} → ${short(now.inputHashes[key])})`);
  }
  for (const [key, v] of Object.entries(now.plannerConfig)) {
    const before = was.plannerConfig[key];
    if (before !== '***' && before !== v) out.push(`setting ${key} is ${JSON.stringify(v)}, was ${before === undefined ? 'unset' : JSON.stringify(before)}`);
  }
  const commit = gitState().commit;
  if (resume && recorded.manifest.git.commit && commit && recorded.manifest.git.commit !== commit) {
    out.push(`the code is at commit ${commit.slice(0, 12)}, the run was made at ${recorded.manifest.git.commit.slice(0, 12)}`);
  }
  return out;
}
