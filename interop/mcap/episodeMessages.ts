/**
 * One recorded episode as MCAP messages, in log-time order. Log time = the episode's offset +
 * simulated time since its reset, so the episodes of a file play one after another
 * (`EPISODE_GAP_NS` apart). Every Foxglove message's own `timestamp` equals its log time.
 *
 * Per episode (the counts `planarena export` promises, checked by test/interop/mcap.test.ts):
 * - `/scene`: one update at reset (clearing the previous episode's entities), and one at each
 *   step whose scene changed (a body was spawned);
 * - `/tf`: one at reset (every body) and one per step (the moving bodies);
 * - `/imagined`: one per step whose planner info has `imagined.rollouts`, and, if there was any,
 *   one deletion after the last step;
 * - `/planarena/step`: one per step; `/planarena/episode`: one at the end;
 * - `/log`: one per simulator event except `contact_end`; two per LLM exchange (`info.llm`:
 *   the prompt at DEBUG, the reply at INFO, or WARNING when it failed validation); one per
 *   `info.failures` entry (WARNING); one per change of `info.skill` name or status; one per
 *   change of `info.intent` (the planner's sentence, INFO); one per `info.note` string; and one
 *   outcome line at the end.
 */
import type { EpisodeRecord } from '../../core/records.ts';
import type { Recording } from '../../sim/recording.ts';
import type { SimEvent, StaticScene } from '../../sim/types.ts';
import type { ChannelKey } from './channels.ts';
import { bodyFrame, imaginedEntity, poseOf, sceneEntities, timeOf, WORLD, type Time } from './sceneEntities.ts';

export interface OutMessage {
  channel: ChannelKey;
  logTime: bigint;
  message: unknown;
}

/** Time between the end of one episode and the start of the next in a file. */
export const EPISODE_GAP_NS = 1_000_000_000n;

const LEVEL = { DEBUG: 1, INFO: 2, WARNING: 3, ERROR: 4 } as const;
const DELETE_ALL = 1;

export interface EpisodeInput {
  recording: Recording;
  /** The episode's record from episodes.jsonl, when there is one. */
  record?: EpisodeRecord;
  /** Index of the episode in its file. */
  index: number;
  offsetNs: bigint;
}

export interface EpisodeMessages {
  messages: OutMessage[];
  /** Log time of the last message. */
  endNs: bigint;
}

const nsOf = (t: number) => BigInt(Math.round(t * 1e9));

export function episodeMessages({ recording: rec, record, index, offsetNs }: EpisodeInput): EpisodeMessages {
  const out: OutMessage[] = [];
  const { scenario, planner, seed } = rec.meta;
  const push = (channel: ChannelKey, logTime: bigint, message: unknown) => out.push({ channel, logTime, message });
  const log = (logTime: bigint, level: number, name: string, message: string) =>
    push('log', logTime, { timestamp: timeOf(logTime), level, message, name, file: `${scenario}/${planner}/seed-${seed}`, line: 0 });

  // Reset: the scene (replacing the previous episode's) and every body's frame.
  let scene: StaticScene = rec.scene;
  const start = timeOf(offsetNs);
  push('scene', offsetNs, { deletions: index > 0 ? [{ timestamp: start, type: DELETE_ALL, id: '' }] : [], entities: sceneEntities(scene, start) });
  push('tf', offsetNs, { transforms: frameTransforms(scene, rec.reset, start, true) });

  // Steps
  let ret = 0;
  let imagined = false;
  let lastSkill = '';
  let lastIntent = '';
  let endNs = offsetNs;
  for (const s of rec.steps) {
    const at = offsetNs + nsOf(s.t);
    const stamp = timeOf(at);
    endNs = at;
    if (s.scene) {
      scene = s.scene;
      push('scene', at, { deletions: [], entities: sceneEntities(scene, stamp) });
    }
    push('tf', at, { transforms: frameTransforms(scene, s.transforms, stamp, false) });

    const info = s.info ?? {};
    const rollouts = (info.imagined as { rollouts?: unknown } | undefined)?.rollouts;
    if (Array.isArray(rollouts) && rollouts.length > 0) {
      imagined = true;
      push('imagined', at, { deletions: [], entities: [imaginedEntity(rollouts as { points: unknown }[], stamp)] });
    }

    for (const ev of s.events) {
      const line = eventLine(ev);
      if (line) log(at, line.level, 'sim', line.text);
    }
    const llm = info.llm as { messages?: { role?: string; content?: string }[]; response?: string | null; validation?: string } | undefined;
    if (llm && typeof llm === 'object') {
      const prompt = (llm.messages ?? []).map((m) => `[${m.role ?? '?'}]\n${m.content ?? ''}`).join('\n\n');
      log(at, LEVEL.DEBUG, 'llm', `prompt:\n${prompt}`);
      const ok = llm.validation === 'ok';
      log(at, ok ? LEVEL.INFO : LEVEL.WARNING, 'llm', `reply${ok ? '' : ` (${llm.validation ?? 'no validation'})`}: ${llm.response ?? '(none)'}`);
    }
    if (Array.isArray(info.failures)) {
      for (const f of info.failures as { category?: unknown; detail?: unknown }[]) log(at, LEVEL.WARNING, planner, `${String(f?.category)}: ${String(f?.detail ?? '')}`);
    }
    const skill = info.skill as { name?: unknown; status?: unknown; args?: unknown } | undefined;
    if (skill && typeof skill === 'object') {
      const key = `${String(skill.name)}|${String(skill.status)}`;
      if (key !== lastSkill) log(at, LEVEL.INFO, planner, `skill ${String(skill.name)}(${JSON.stringify(skill.args ?? {})}) ${String(skill.status)}`);
      lastSkill = key;
    }
    if (typeof info.intent === 'string' && info.intent !== lastIntent) {
      log(at, LEVEL.INFO, planner, info.intent);
      lastIntent = info.intent;
    }
    if (typeof info.note === 'string') log(at, LEVEL.INFO, planner, info.note);

    ret += s.reward;
    push('step', at, {
      scenario,
      planner,
      seed,
      episode: index,
      t: s.t,
      step: s.step,
      action: s.action,
      reward: s.reward,
      return: ret,
      events: s.events.length,
      collisions: s.events.filter((e) => e.type === 'collision').length,
      thinking: info.thinking === true,
    });
  }

  // End: clear the imagined futures (deletion applies to entities stamped before it), the outcome.
  const end = endNs + 1n;
  if (imagined) push('imagined', end, { deletions: [{ timestamp: timeOf(end), type: DELETE_ALL, id: '' }], entities: [] });
  const result = resultOf(rec, record);
  log(end, result.success ? LEVEL.INFO : LEVEL.WARNING, 'planarena', `${scenario} seed ${seed}, ${planner}: ${result.success ? 'success' : `failure (${String(result.failure)})`} after ${result.steps} steps, return ${Number(result.return).toFixed(3)}${result.error ? `; ${String(result.error)}` : ''}`);
  push('episode', end, { ...result, episode: index });
  return { messages: out, endNs: end };
}

/** `world` → `body/<id>`: every body at reset (static ones from their pose), the moving ones after. */
function frameTransforms(scene: StaticScene, transforms: Float32Array, stamp: Time, all: boolean): unknown[] {
  const out: unknown[] = [];
  let k = 0;
  for (const b of scene.bodies) {
    let p: readonly number[] | null = null;
    if (b.dynamic) {
      if ((k + 1) * 7 <= transforms.length) p = Array.from(transforms.subarray(k * 7, k * 7 + 7));
      k++;
    }
    if (!p && all) p = b.pose;
    if (!p) continue;
    const { position, orientation } = poseOf(p);
    out.push({ timestamp: stamp, parent_frame_id: WORLD, child_frame_id: bodyFrame(b.id), translation: position, rotation: orientation });
  }
  return out;
}

function eventLine(ev: SimEvent): { level: number; text: string } | null {
  switch (ev.type) {
    case 'collision':
      return { level: LEVEL.INFO, text: `collision ${ev.a} – ${ev.b}` };
    case 'perturbation':
      return { level: LEVEL.INFO, text: `${ev.source} shove on ${ev.target}: impulse [${ev.impulse.map((v) => v.toFixed(2)).join(', ')}] N·s` };
    case 'spawn':
      return { level: LEVEL.INFO, text: `spawned ${ev.id}` };
    case 'success':
      return { level: LEVEL.INFO, text: 'success' };
    case 'failure':
      return { level: LEVEL.ERROR, text: `failure: ${ev.reason}${ev.detail ? ` (${ev.detail})` : ''}` };
    default:
      return null; // contact_end: the collision already said it
  }
}

/** The episode's record, or what the recording says of its outcome. */
function resultOf(rec: Recording, record: EpisodeRecord | undefined): Record<string, unknown> & { success: boolean; failure: unknown; steps: number; return: number; error?: unknown } {
  if (record) return { ...record } as unknown as ReturnType<typeof resultOf>;
  const r = rec.meta.result ?? {};
  return {
    scenario: rec.meta.scenario,
    planner: rec.meta.planner,
    seed: rec.meta.seed,
    success: r.success === true,
    failure: typeof r.failure === 'string' ? r.failure : r.success === true ? null : 'error',
    steps: typeof r.steps === 'number' ? r.steps : rec.steps.length,
    return: typeof r.return === 'number' ? r.return : rec.steps.reduce((a, s) => a + s.reward, 0),
    trajectoryHash: rec.trajectoryHash,
    ...(typeof r.error === 'string' ? { error: r.error } : {}),
  };
}
