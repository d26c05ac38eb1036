/**
 * Runs a plan's episodes one after another in this process, writing each record (and
 * recording) to the run directory as soon as it ends. `runner/parallel.ts` offers the same
 * contract over worker threads, `runner/race.ts` with the planners of each scenario and seed
 * stepped in lockstep.
 */
import type { Planner } from '../planners/Planner.ts';
import type { EpisodeRecord } from '../core/records.ts';
import { writeRecording } from '../sim/recording.ts';
import { runEpisode, type EpisodeOptions, type EpisodeResult } from './episode.ts';
import type { EpisodeSpec, RunPlan } from './plan.ts';
import type { RunDir } from '../core/runStore.ts';

export interface PlannerHandle {
  planner: Planner;
  privileged: boolean;
}

export interface ExecuteHooks {
  /** Race mode: the episodes of one race are about to start together (`runner/race.ts`). */
  onRaceStart?(specs: readonly EpisodeSpec[]): void;
  onEpisodeStart?(spec: EpisodeSpec, index: number): void;
  onEpisodeEnd?(record: EpisodeRecord, index: number): void;
  /** Checked between episodes: true stops the run early (Ctrl-C), keeping what finished. */
  shouldStop?(): boolean;
}

/**
 * Writes an episode's recording, when there is one, and returns the record pointing at it. Every
 * executor awaits this before the record's line is appended, so a line never points at a
 * recording that is not (completely: the write is atomic) on disk.
 */
export async function saveRecording(runDir: RunDir, result: EpisodeResult): Promise<EpisodeRecord> {
  const record = result.record;
  if (result.recording) {
    const rel = runDir.recordingPath(record.scenario, record.planner, record.seed);
    await writeRecording(runDir.prepare(rel), result.recording);
    record.recording = rel;
  }
  return record;
}

export async function executeRun(
  plan: RunPlan,
  episodes: readonly EpisodeSpec[],
  planners: ReadonlyMap<string, PlannerHandle>,
  options: EpisodeOptions,
  runDir: RunDir,
  hooks: ExecuteHooks = {},
): Promise<EpisodeRecord[]> {
  const scenarios = new Map(plan.scenarios.map((s) => [s.id, s]));
  const records: EpisodeRecord[] = [];
  for (const [index, spec] of episodes.entries()) {
    if (hooks.shouldStop?.()) break;
    const scenario = scenarios.get(spec.scenario);
    const handle = planners.get(spec.planner);
    if (!scenario || !handle) throw new Error(`plan names ${spec.scenario}/${spec.planner}, which were not resolved`);
    hooks.onEpisodeStart?.(spec, index);
    const result = await runEpisode(spec, { ...options, scenario, planner: handle.planner, privileged: handle.privileged });
    const record = await saveRecording(runDir, result);
    runDir.appendEpisode(record);
    records.push(record);
    hooks.onEpisodeEnd?.(record, index);
  }
  return records;
}
