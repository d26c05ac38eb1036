/**
 * `planarena run` at scale: `--workers N|auto` (worker threads), `--resume DIR` (run only what a
 * stopped run is missing), `--from DIR/manifest.json` (repeat a run exactly) and `--shard K/N`
 * (one slice of the plan, for Slurm job arrays, Kubernetes indexed Jobs or CI matrices; join
 * the slices with `planarena merge`). Without any of these flags `run` uses the plain session.
 *
 * Shards: the plan's (scenario, seed) units, in plan order, are dealt round-robin — unit j goes
 * to shard j mod N — and every planner of a unit stays in its shard, so head-to-head pairs are
 * never split and shards differ by at most one unit. K is 0-based (0..N-1), like
 * `$SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)` and Kubernetes' `$JOB_COMPLETION_INDEX`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../core/errors.ts';
import { getPlannerFactory } from '../planners/registry.ts';
import type { PlannerOptions } from '../planners/Planner.ts';
import { buildManifest } from '../core/manifest.ts';
import { dedupeRecords, episodeKey, loadRun } from '../core/runStore.ts';
import { summarize } from '../evaluation/summary.ts';
import type { EpisodeRecord, RunManifest } from '../core/records.ts';
import { loadScenario, loadSuite } from '../scenarios/load.ts';
import { executeRun, type PlannerHandle } from './executeRun.ts';
import { combineObservers } from './observers.ts';
import { autoWorkers, executeParallel } from './parallel.ts';
import { expandPlan, type EpisodeSpec, type RunPlan } from './plan.ts';
import { Progress } from './progress.ts';
import { defaultRunDir, RunDir } from '../core/runStore.ts';
import { resolvePlanners, type SessionIo, type SessionOptions, type SessionResult } from './session.ts';
import { episodeOptionsOf, runConfig, type RunSettings } from './settings.ts';

export const SCALE_FLAGS = {
  workers: { type: 'string' },
  resume: { type: 'string' },
  from: { type: 'string' },
  shard: { type: 'string' },
} as const;

export const SCALE_USAGE = `scale, resume and shards:
  --workers N|auto       episodes on N worker threads, each with its own Rapier (auto: one per core)
  --resume DIR           finish a stopped run: run only the episodes DIR/episodes.jsonl lacks
  --from DIR/manifest.json  run again exactly what that manifest describes (new --out DIR)
  --shard K/N            run only shard K of N (K = 0..N-1); join shards with planarena merge`;

export interface Shard {
  index: number;
  count: number;
}

export interface ScaleSettings {
  workers: number | 'auto';
  resume?: string;
  from?: string;
  shard?: Shard;
}

/** Null when no scale flag was given (the plain session runs). */
export function resolveScale(values: { workers?: string; resume?: string; from?: string; shard?: string }): ScaleSettings | null {
  if (values.workers === undefined && values.resume === undefined && values.from === undefined && values.shard === undefined) return null;
  if (values.resume !== undefined && values.from !== undefined) throw new UserError('E_BAD_FLAG', 'pass either --resume DIR or --from MANIFEST, not both.');
  if (values.resume !== undefined && values.shard !== undefined) throw new UserError('E_BAD_FLAG', '--resume keeps the shard of the run it resumes; drop --shard.');
  return {
    workers: parseWorkers(values.workers),
    resume: values.resume,
    from: values.from,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
  };
}

export function parseWorkers(value: string | undefined): number | 'auto' {
  if (value === undefined) return 1;
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError('E_BAD_FLAG', `--workers must be "auto" or an integer from 1 to 256, got "${value}".`);
  return n;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count) {
    throw new UserError('E_BAD_FLAG', `--shard "${value}": expected K/N with 0 <= K < N, e.g. --shard 0/4 … --shard 3/4 (K is 0-based, like $SLURM_ARRAY_TASK_ID).`);
  }
  return { index, count };
}

/** The episodes of shard `shard`: (scenario, seed) units dealt round-robin in plan order. */
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

/**
 * A run killed mid-write can leave a torn last line in episodes.jsonl; appending after it would
 * make it a corrupt middle line. Drops it before a resume appends (nothing finished is lost: a
 * torn line is by definition an episode whose record was never complete).
 */
export function dropTornTail(runDir: RunDir): void {
  let text: string;
  try {
    text = readFileSync(runDir.episodesPath, 'utf8');
  } catch {
    return; // No episodes yet: nothing to repair.
  }
  if (text === '' || text.endsWith('\n')) return;
  const cut = text.lastIndexOf('\n');
  writeFileSync(runDir.episodesPath, cut < 0 ? '' : text.slice(0, cut + 1));
}

/** Settings of a recorded run, with planner flags given now layered over the recorded (redacted) ones. */
function settingsFromManifest(manifest: RunManifest, now: Readonly<RunSettings>): RunSettings {
  const c = manifest.config;
  const recorded = Object.fromEntries(Object.entries(c.plannerConfig).filter(([, v]) => v !== '***'));
  return {
    ...now,
    suite: undefined,
    scenarios: [...c.scenarios],
    planners: [...c.planners],
    seeds: c.seeds.join(','),
    physics: c.physics,
    lidar: c.lidar ?? 'analytic',
    clock: c.clock,
    record: c.record,
    plannerConfig: { ...recorded, ...now.plannerConfig },
  };
}

export async function runScaledSession(given: Readonly<RunSettings>, scale: ScaleSettings, io: SessionIo, opts: SessionOptions): Promise<SessionResult> {
  if (given.live) throw new UserError('E_BAD_FLAG', '--live streams one episode at a time; run it without --workers, --resume, --from or --shard.');

  // Settings: as given, or those of the run being resumed or repeated.
  let settings: RunSettings = { ...given };
  let shard = scale.shard;
  let suite: string | null = null;
  let resumeDir: RunDir | undefined;
  let done: EpisodeRecord[] = [];
  if (scale.resume !== undefined) {
    const run = loadRun(scale.resume, '--resume');
    settings = settingsFromManifest(run.manifest, given);
    shard = run.manifest.config.shard;
    suite = run.manifest.config.suite;
    resumeDir = run.dir;
    dropTornTail(run.dir);
    done = dedupeRecords(run.dir.readEpisodes());
  } else if (scale.from !== undefined) {
    const run = loadRun(scale.from, '--from');
    settings = settingsFromManifest(run.manifest, given);
    shard ??= run.manifest.config.shard;
    suite = run.manifest.config.suite;
  }

  // Plan, before anything is created or written.
  const plannerOptions: PlannerOptions = { config: { ...settings.plannerConfig } };
  const { factories, skipped } = await resolvePlanners(settings.planners, plannerOptions);
  for (const s of skipped) io.log(`skipping planner ${s.planner}: ${s.reason}`);
  if (factories.length === 0) throw new UserError('E_NO_PLANNERS', `none of the planners ${settings.planners.join(', ')} is available (reasons above).`);
  const full = expandPlan({ suite: settings.suite, scenarios: settings.scenarios, planners: factories.map((f) => f.name), seeds: settings.seeds }, opts.catalog ?? { loadScenario, loadSuite });
  suite ??= full.suite;
  const planned = shardEpisodes(full.episodes, shard);
  const have = new Set(done.map(episodeKey));
  const todo = planned.filter((e) => !have.has(episodeKey(e)));
  const plan: RunPlan = Object.freeze({ ...full, suite, episodes: Object.freeze(planned) });

  // Run directory and manifest (a resumed run keeps its own).
  let runDir: RunDir;
  if (resumeDir) {
    runDir = resumeDir;
    io.log(`resuming ${runDir.display()}: ${planned.length - todo.length} of ${planned.length} episodes already done`);
  } else {
    const label = `${suite ?? opts.label ?? 'run'}${shard && shard.count > 1 ? `-shard${shard.index}of${shard.count}` : ''}`;
    runDir = RunDir.create(settings.out ?? defaultRunDir(label), { force: settings.force });
    runDir.writeManifest(buildManifest(runConfig(settings, { ...full, suite }, skipped, shard), opts.command));
  }

  const workers = scale.workers === 'auto' ? autoWorkers(todo.length) : Math.min(scale.workers, Math.max(1, todo.length));
  const progress = new Progress(todo.length, io.progressStream ?? process.stderr);
  const episodeOptions = episodeOptionsOf(settings);
  const hooks = {
    onEpisodeStart: (spec: EpisodeSpec) => progress.episodeStart(spec),
    onEpisodeEnd: (record: EpisodeRecord) => progress.episodeEnd(record),
    shouldStop: opts.shouldStop,
  };
  if (workers > 1) {
    io.log(`${todo.length} episodes on ${workers} workers`);
    await executeParallel(plan, todo, { workers, plannerConfig: plannerOptions.config, episode: episodeOptions }, runDir, hooks);
  } else {
    await runInProcess(plan, todo, factories.map((f) => f.name), plannerOptions, { ...episodeOptions, observer: combineObservers(progress.observer(), opts.observer) }, runDir, hooks, io);
  }
  progress.finish();

  // The summary covers every episode in the directory: the resumed ones and the new ones.
  const all = dedupeRecords(runDir.readEpisodes());
  const order = new Map(planned.map((e, i) => [episodeKey(e), i]));
  const records = all.filter((r) => order.has(episodeKey(r))).sort((a, b) => order.get(episodeKey(a))! - order.get(episodeKey(b))!);
  const summary = summarize(records, suite);
  runDir.writeSummary(summary);
  return { runDir, plan, records, summary, skipped, interrupted: records.length < planned.length };
}

async function runInProcess(
  plan: RunPlan,
  todo: readonly EpisodeSpec[],
  names: readonly string[],
  plannerOptions: PlannerOptions,
  episode: Parameters<typeof executeRun>[3],
  runDir: RunDir,
  hooks: Parameters<typeof executeRun>[5],
  io: SessionIo,
): Promise<void> {
  const handles = new Map<string, PlannerHandle>();
  try {
    for (const name of names) {
      if (!todo.some((e) => e.planner === name)) continue;
      const f = await getPlannerFactory(name);
      handles.set(name, { planner: await f.create(plannerOptions), privileged: f.privileged === true });
    }
    await executeRun(plan, todo, handles, episode, runDir, hooks);
  } finally {
    for (const { planner } of handles.values()) {
      try {
        await planner.dispose();
      } catch (e) {
        io.log(`planner ${planner.name}: dispose failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
