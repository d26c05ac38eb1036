/**
 * Turns a recording file (written by the runner with `--record`, format in `sim/recording.ts`)
 * into the viewer's {@link EpisodeData}. Kept apart so the viewer follows format changes in one
 * place; unknown fields are ignored and missing optional ones default.
 */
import type { EpisodeRecord } from '../../results/types.ts';
import type { StaticScene } from '../../sim/types.ts';
import { HttpError } from './HttpError.ts';
import { trimPlannerInfo, type EpisodeData, type StepData } from '../protocol.ts';

type Json = Record<string, unknown>;

export function recordingToEpisode(raw: unknown, record: EpisodeRecord | null): EpisodeData {
  if (typeof raw !== 'object' || raw === null) throw new HttpError(422, 'recording is not a JSON object');
  const r = raw as Json;
  const scene = r.scene as StaticScene | undefined;
  if (!scene || !Array.isArray(scene.bodies)) throw new HttpError(422, 'recording has no "scene" with "bodies"');
  const meta = (r.key ?? r) as Json;
  const controlPeriod = num(r.controlPeriod ?? (r.task as Json | undefined)?.controlPeriod, 0.1);

  const rawFrames = (r.frames ?? []) as unknown[];
  const rawSteps = (r.steps ?? []) as unknown[];
  const frames = rawFrames.map((f, i) => {
    if (Array.isArray(f)) return { step: i, t: i * controlPeriod, transforms: f as number[] };
    const o = f as Json;
    return { step: num(o.step, i), t: num(o.t, i * controlPeriod), transforms: decodeTransforms(o.transforms ?? o.data) };
  });
  const steps: StepData[] = rawSteps.map((s, i) => {
    const o = s as Json;
    return {
      step: num(o.step, i + 1),
      t: num(o.t, (i + 1) * controlPeriod),
      action: (o.action as number[]) ?? [],
      reward: num(o.reward, 0),
      events: (o.events as StepData['events']) ?? [],
      goalDistance: num(o.goalDistance, NaN),
      plannerMs: num(o.plannerMs, 0),
      info: trimPlannerInfo((o.info as Json) ?? {}),
    };
  });
  const sceneChanges = ((r.sceneChanges ?? []) as { step: number; scene: StaticScene }[]).filter((c) => c && Array.isArray(c.scene?.bodies));
  return {
    key: {
      scenario: String(meta.scenario ?? record?.scenario ?? scene.scenarioId),
      planner: String(meta.planner ?? record?.planner ?? 'unknown'),
      seed: num(meta.seed ?? record?.seed, 0),
    },
    scene,
    task: {
      instruction: String(r.instruction ?? (r.task as Json | undefined)?.instruction ?? ''),
      controlPeriod,
      maxSteps: num(r.maxSteps ?? (r.task as Json | undefined)?.maxSteps, steps.length),
      actionNames: ((r.actionNames ?? (r.task as Json | undefined)?.actionNames) as string[]) ?? [],
    },
    sceneChanges,
    frames,
    steps,
    record: record ?? ((r.record as EpisodeRecord | undefined) ?? null),
  };
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Transforms as a number array or a base64 string of little-endian Float32s. */
function decodeTransforms(v: unknown): number[] {
  if (Array.isArray(v)) return v as number[];
  if (typeof v === 'string') {
    const buf = Buffer.from(v, 'base64');
    const out: number[] = new Array(buf.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
    return out;
  }
  return [];
}
