/**
 * Turns a recording (written by the runner with `--record`, format in `sim/recording.ts`) into
 * the viewer's {@link EpisodeData}. Kept apart so the viewer follows the recording format in one
 * place; the sim's reader checks the file (format, version, trajectory hash) first.
 */
import type { EpisodeRecord } from '../../core/records.ts';
import { loadScenario } from '../../scenarios/load.ts';
import type { Recording } from '../../sim/recording.ts';
import { levelOf, trimPlannerInfo, type EpisodeData, type EpisodeTask } from '../protocol.ts';

export function recordingToEpisode(rec: Recording, record: EpisodeRecord | null): EpisodeData {
  const first = rec.steps[0];
  const controlPeriod = first && first.step > 0 ? first.t / first.step : 0.1;
  return {
    key: { scenario: rec.meta.scenario, planner: rec.meta.planner, seed: rec.meta.seed },
    scene: rec.scene,
    task: taskOf(rec.meta.scenario, controlPeriod, rec.steps.length),
    sceneChanges: rec.steps.filter((s) => s.scene).map((s) => ({ step: s.step, scene: s.scene! })),
    frames: [{ step: 0, t: 0, transforms: Array.from(rec.reset) }, ...rec.steps.map((s) => ({ step: s.step, t: s.t, transforms: Array.from(s.transforms) }))],
    steps: rec.steps.map((s) => ({
      step: s.step,
      t: s.t,
      action: s.action,
      reward: s.reward,
      events: s.events,
      // Not recorded per step: the record has the episode's figures.
      goalDistance: Number.NaN,
      plannerMs: s.plannerMs ?? 0,
      info: trimPlannerInfo(s.info),
    })),
    record,
  };
}

/** The task as the scenario file states it, when the scenario is still known by id. */
function taskOf(scenarioId: string, controlPeriod: number, steps: number): EpisodeTask {
  try {
    const sc = loadScenario(scenarioId);
    return { instruction: sc.instruction, ...levelOf(sc.generated), controlPeriod, maxSteps: Math.round(sc.timeLimit / controlPeriod), actionNames: [] };
  } catch {
    // A scenario given by path, or since removed: replay still works without the instruction.
    return { instruction: '', controlPeriod, maxSteps: steps, actionNames: [] };
  }
}
