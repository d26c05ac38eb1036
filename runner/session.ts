/**
 * A whole run, as `planarena run` and `planarena demo` do it: resolve planners (skipping the
 * unavailable ones with their reason) and the plan, create the planners, the run directory and
 * its manifest, optionally the live viewer, run every episode, then write the summary.
 *
 * Everything that can be refused (unknown names, bad flags, an existing run directory, a planner
 * that cannot be created) is refused before the first episode starts.
 */
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';
import { getPlannerFactory } from '../planners/registry.ts';
import type { PlannerFactory, PlannerOptions } from '../planners/Planner.ts';
import { buildManifest } from '../core/manifest.ts';
import { summarize } from '../evaluation/summary.ts';
import type { EpisodeRecord, RunSummary } from '../core/records.ts';
import { loadScenario, loadSuite } from '../scenarios/load.ts';
import { executeRun, type PlannerHandle } from './executeRun.ts';
import { combineObservers } from './observers.ts';
import { expandPlan, type RunPlan, type ScenarioCatalog } from './plan.ts';
import { Progress } from './progress.ts';
import { defaultRunDir, RunDir } from '../core/runStore.ts';
import { DEFAULT_PORT, episodeOptionsOf, runConfig, type RunSettings } from './settings.ts';
import type { EpisodeObserver } from './types.ts';

export interface LiveHandle {
  url: string;
  observer: EpisodeObserver;
  close(): Promise<void>;
}

export interface SessionIo {
  /** Human messages: skipped planners, the viewer URL, progress. */
  log(line: string): void;
  progressStream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

export interface SessionResult {
  runDir: RunDir;
  plan: RunPlan;
  records: EpisodeRecord[];
  summary: RunSummary;
  skipped: { planner: string; reason: string }[];
  /** True when Ctrl-C stopped the run before every episode ran. */
  interrupted: boolean;
  /** The live server, still serving (the caller closes it). */
  live?: LiveHandle;
}

export interface SessionOptions {
  /** The command line, for the manifest. */
  command: string[];
  catalog?: ScenarioCatalog;
  /** Name used for the default run directory when there is no suite. */
  label?: string;
  /** Extra observer (tests). */
  observer?: EpisodeObserver;
  /** Return true to stop after the running episode. */
  shouldStop?: () => boolean;
}

/** Looks up factories; drops (and reports) those that say they are unavailable. */
export async function resolvePlanners(
  names: readonly string[],
  opts: PlannerOptions,
): Promise<{ factories: PlannerFactory[]; skipped: { planner: string; reason: string }[] }> {
  const factories: PlannerFactory[] = [];
  const skipped: { planner: string; reason: string }[] = [];
  for (const name of names) {
    const factory = await getPlannerFactory(name, opts.config);
    const reason = factory.unavailable?.(opts) ?? null;
    if (reason) skipped.push({ planner: name, reason });
    else factories.push(factory);
  }
  return { factories, skipped };
}

export async function runSession(settings: Readonly<RunSettings>, io: SessionIo, opts: SessionOptions): Promise<SessionResult> {
  // Frozen: every factory sees the same settings, and none can change them for the others.
  const plannerOptions: PlannerOptions = Object.freeze({ config: Object.freeze({ ...settings.plannerConfig }) });
  const catalog = opts.catalog ?? { loadScenario, loadSuite };

  // Resolve names before anything is created or written.
  if (settings.planners.length === 0) throw new UserError('E_BAD_FLAG', 'no planners: pass --planners a,b (see `planarena list planners`).');
  const { factories, skipped } = await resolvePlanners(settings.planners, plannerOptions);
  for (const s of skipped) io.log(`skipping planner ${s.planner}: ${s.reason}`);
  if (factories.length === 0) {
    throw new UserError('E_NO_PLANNERS', `none of the planners ${settings.planners.join(', ')} can run here (reasons above).`);
  }
  const plan = expandPlan({ suite: settings.suite, scenarios: settings.scenarios, planners: factories.map((f) => f.name), seeds: settings.seeds }, catalog);

  // The directory is checked (and created empty) first: refusing to overwrite is instant, while
  // creating planners may load models. A run that fails before its manifest leaves it empty.
  const runDir = RunDir.create(settings.out ?? defaultRunDir(plan.suite ?? opts.label ?? 'run'), { force: settings.force });
  const planners = new Map<string, PlannerHandle>();
  let live: LiveHandle | undefined;
  try {
    for (const f of factories) planners.set(f.name, { planner: await f.create(plannerOptions), privileged: f.privileged === true });

    if (settings.live) {
      // Loaded only here: the viewer (and its client build) costs nothing to runs without --live.
      const { startLiveServer } = await import('../viewer/server/LiveServer.ts');
      const start = (port: number) => startLiveServer({ port, host: settings.host, runsDir: join(runDir.path, '..') });
      try {
        live = await start(settings.port);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        // The default port being taken (another planarena, say) should not stop a demo.
        if (settings.port !== DEFAULT_PORT) throw new UserError('E_PORT_IN_USE', `--port ${settings.port}: ${settings.host}:${settings.port} is in use; pass another --port (0 picks a free one).`);
        io.log(`port ${DEFAULT_PORT} is in use; the viewer takes a free port instead`);
        live = await start(0);
      }
      io.log(`live viewer: ${live.url}`);
    }

    runDir.writeManifest(buildManifest(runConfig(settings, plan, skipped), opts.command));

    const progress = new Progress(plan.episodes.length, io.progressStream ?? process.stderr);
    const records = await executeRun(
      plan,
      plan.episodes,
      planners,
      { ...episodeOptionsOf(settings), observer: combineObservers(live?.observer, progress.observer(), opts.observer) },
      runDir,
      {
        onEpisodeStart: (spec) => progress.episodeStart(spec),
        onEpisodeEnd: (record) => progress.episodeEnd(record),
        shouldStop: opts.shouldStop,
      },
    );
    progress.finish();
    const summary = summarize(records, plan.suite);
    runDir.writeSummary(summary);
    return { runDir, plan, records, summary, skipped, interrupted: records.length < plan.episodes.length, live };
  } catch (e) {
    await live?.close();
    throw e;
  } finally {
    for (const { planner } of planners.values()) {
      try {
        await planner.dispose();
      } catch (e) {
        // The results are written; a planner that fails to clean up is worth a line, not a crash.
        io.log(`planner ${planner.name}: dispose failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
