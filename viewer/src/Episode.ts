/**
 * One episode as the viewer holds it, whichever its source: a live stream appends to it step by
 * step, a replay fills it at once from a recording. Everything the views draw at a time `t`
 * (interpolated transforms, the decision in force, timeline markers) is read from here.
 */
import type { EpisodeRecord } from '../../core/records.ts';
import type { SimEvent, StaticScene } from '../../sim/types.ts';
import type { EpisodeData, EpisodeKey, EpisodeTask, ImaginedRollout, StepData } from '../protocol.ts';

export interface FrameRef {
  t: number;
  step: number;
  transforms: Float32Array;
}

export type MarkerKind = 'collision' | 'invalid' | 'perturbation' | 'spawn' | 'success' | 'failure';

export interface Marker {
  kind: MarkerKind;
  t: number;
  label: string;
}

/** Failure categories shown as "invalid action" markers on the timeline. */
const INVALID_CATEGORIES = new Set(['format_error', 'invalid_action', 'hallucinated_object', 'infeasible', 'llm_error']);

export class Episode {
  readonly frames: FrameRef[] = [];
  readonly steps: StepData[] = [];
  readonly markers: Marker[] = [];
  /** Scene in force from a step on; the first entry is the initial scene. */
  readonly scenes: { step: number; scene: StaticScene }[];
  record: EpisodeRecord | null = null;
  /** Bumped on every change, so views know when to redraw derived geometry. */
  version = 0;

  constructor(
    readonly id: string,
    readonly key: EpisodeKey,
    scene: StaticScene,
    readonly task: EpisodeTask,
    readonly live: boolean,
  ) {
    this.scenes = [{ step: 0, scene }];
  }

  /** An episode read whole: a recording (replay), or what a live server kept (`live`). */
  static fromData(id: string, d: EpisodeData, live = false): Episode {
    const ep = new Episode(id, d.key, d.scene, d.task, live);
    ep.fill(d);
    return ep;
  }

  /** Adds what `d` holds beyond what this episode has (a late page's fetched history); frames
   * and steps it already has are skipped. */
  fill(d: EpisodeData): void {
    for (const c of d.sceneChanges) if (!this.scenes.some((s) => s.step === c.step)) this.scenes.push(c);
    this.scenes.sort((a, b) => a.step - b.step);
    for (const f of d.frames) this.addFrame(f.step, f.t, Float32Array.from(f.transforms));
    for (const s of d.steps) this.addStep(s);
    if (d.record && !this.record) this.end(d.record);
  }

  get label(): string {
    return `${this.key.planner} · ${this.key.scenario} · seed ${this.key.seed}`;
  }

  get scene(): StaticScene {
    return this.scenes[this.scenes.length - 1].scene;
  }

  get duration(): number {
    return this.frames.length ? this.frames[this.frames.length - 1].t : 0;
  }

  get done(): boolean {
    return this.record !== null;
  }

  addFrame(step: number, t: number, transforms: Float32Array): void {
    // Frames of a step seen twice (a late joiner's history overlapping the live stream) are ignored.
    const last = this.frames[this.frames.length - 1];
    if (last && t <= last.t) return;
    this.frames.push({ t, step, transforms });
    this.version++;
  }

  addStep(s: StepData): void {
    const last = this.steps[this.steps.length - 1];
    if (last && s.step <= last.step) return;
    this.steps.push(s);
    for (const e of s.events) {
      const m = markerOf(e);
      if (m) this.markers.push(m);
    }
    const failures = (s.info.failures as { category?: string; detail?: string }[] | undefined) ?? [];
    const invalid = failures.filter((f) => f && INVALID_CATEGORIES.has(String(f.category)));
    // The LLM planner states validation as "ok" or "<category>: <reason>" (and lists the failure).
    const validation = (s.info.llm as { validation?: unknown } | undefined)?.validation;
    if (invalid.length > 0) this.markers.push({ kind: 'invalid', t: s.t, label: invalid.map((f) => `${f.category}: ${f.detail ?? ''}`).join('; ') });
    else if (typeof validation === 'string' && validation !== '' && validation !== 'ok') this.markers.push({ kind: 'invalid', t: s.t, label: validation });
    this.version++;
  }

  addScene(scene: StaticScene): void {
    const step = this.steps.length ? this.steps[this.steps.length - 1].step + 1 : 0;
    this.scenes.push({ step, scene });
    this.version++;
  }

  end(record: EpisodeRecord): void {
    this.record = record;
    this.version++;
  }

  /** The two frames around `t` and the blend between them (0 → a, 1 → b). */
  frameAt(t: number): { a: FrameRef; b: FrameRef; alpha: number; index: number } | null {
    const f = this.frames;
    if (f.length === 0) return null;
    if (t <= f[0].t) return { a: f[0], b: f[0], alpha: 0, index: 0 };
    const n = f.length - 1;
    if (t >= f[n].t) return { a: f[n], b: f[n], alpha: 0, index: n };
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (f[mid].t <= t) lo = mid;
      else hi = mid;
    }
    const span = f[hi].t - f[lo].t;
    return { a: f[lo], b: f[hi], alpha: span > 0 ? (t - f[lo].t) / span : 0, index: lo };
  }

  /** The last step that ended at or before `t`. */
  stepAt(t: number): StepData | null {
    const s = this.steps;
    let lo = 0;
    let hi = s.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid].t <= t + 1e-9) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best >= 0 ? s[best] : null;
  }

  /** The latest step at or before `t` whose planner info has `key` (decisions persist until the next one). */
  infoAt<T = unknown>(t: number, key: string): { step: StepData; value: T } | null {
    const cur = this.stepAt(t);
    if (!cur) return null;
    for (let i = this.steps.indexOf(cur); i >= 0; i--) {
      const v = this.steps[i].info[key];
      if (v !== undefined && v !== null) return { step: this.steps[i], value: v as T };
    }
    return null;
  }

  imaginedAt(t: number): { step: StepData; rollouts: ImaginedRollout[]; total: number } | null {
    const cur = this.stepAt(t);
    const v = cur?.info.imagined as { rollouts?: ImaginedRollout[]; total?: number } | undefined;
    if (!cur || !v || !Array.isArray(v.rollouts)) return null;
    return { step: cur, rollouts: v.rollouts, total: v.total ?? v.rollouts.length };
  }

  /** Sum of rewards up to `t`. */
  returnAt(t: number): number {
    let r = 0;
    for (const s of this.steps) {
      if (s.t > t + 1e-9) break;
      r += s.reward;
    }
    return r;
  }

  /** Scene in force at step `step`. */
  sceneAtStep(step: number): StaticScene {
    let s = this.scenes[0].scene;
    for (const c of this.scenes) if (c.step <= step) s = c.scene;
    return s;
  }
}

/** Floor contacts are not collisions worth a marker; ids follow the sim's naming. */
function markerOf(e: SimEvent): Marker | null {
  switch (e.type) {
    case 'collision':
      if (/^(floor|ground)$/.test(e.b) || /^(floor|ground)$/.test(e.a)) return null;
      return { kind: 'collision', t: e.t, label: `collision ${e.a} ↔ ${e.b}` };
    case 'perturbation':
      return { kind: 'perturbation', t: e.t, label: `${e.source} shove on ${e.target}` };
    case 'spawn':
      return { kind: 'spawn', t: e.t, label: `obstacle ${e.id} dropped` };
    case 'success':
      return { kind: 'success', t: e.t, label: 'success' };
    case 'failure':
      return { kind: 'failure', t: e.t, label: `failure: ${e.reason}${e.detail ? ` (${e.detail})` : ''}` };
    default:
      return null;
  }
}
