/**
 * One episode as the viewer holds it, whichever its source: a live stream appends to it step by
 * step, a replay fills it at once from a recording. Everything the views draw at a time `t`
 * (interpolated transforms, the decision in force, timeline markers) is read from here.
 */
import { failureLabel } from '../../core/failureWords.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { SimEvent, StaticScene } from '../../sim/types.ts';
import type { EpisodeData, EpisodeKey, EpisodeTask, ImaginedRollout, StepData } from '../protocol.ts';

export interface FrameRef {
  t: number;
  step: number;
  transforms: Float32Array;
}

export type MarkerKind = 'collision' | 'invalid' | 'stuck' | 'slow' | 'perturbation' | 'spawn' | 'success' | 'failure';

/** A moment on the timeline: what happened, in a few plain words (`label`), and more on hover. */
export interface Marker {
  kind: MarkerKind;
  t: number;
  label: string;
  /** The longer explanation (hover). */
  detail?: string;
  /** For a stretch of time (slow decisions): when it ended. */
  until?: number;
}

/** The robot counts as stuck when none of its parts left a circle this wide (m, radius) around
 * where they were for {@link STUCK_S}: jittering in place is stuck too. */
const STUCK_M = 0.2;
/** Slow decisions less than this many simulated seconds apart make one "too slow" stretch. */
const SLOW_GAP_S = 1;
/** A decision is "too slow" beyond this many control periods: under the realtime clock the world
 * would have run on two control steps or more while the planner thought (rounded). */
const SLOW_PERIODS = 1.5;
/** Simulated seconds without moving after which the robot is marked stuck. */
const STUCK_S = 5;

export class Episode {
  readonly frames: FrameRef[] = [];
  readonly steps: StepData[] = [];
  readonly markers: Marker[] = [];
  /** Scene in force from a step on; the first entry is the initial scene. */
  readonly scenes: { step: number; scene: StaticScene }[];
  record: EpisodeRecord | null = null;
  /** Bumped on every change, so views know when to redraw derived geometry. */
  version = 0;
  /** Bumped when a marker is added or relabelled (the timeline redraws its lanes). */
  markersVersion = 0;
  /** Stuck detection: where the robot's parts were when it last moved, and since when. */
  private still: { t: number; at: number[]; marker: Marker | null } | null = null;
  /** The running streak of decisions slower than the control period. */
  private slow: { marker: Marker; worst: number; count: number } | null = null;

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
    this.watchStill(step, t, transforms);
    this.version++;
  }

  /** Marks "stuck N s" from the moment the robot stopped moving, once it has stood still
   * {@link STUCK_S} simulated seconds (the label counts on while it stays). */
  private watchStill(step: number, t: number, transforms: Float32Array): void {
    const parts = robotSlots(this.sceneAtStep(step));
    const at = parts.flatMap((i) => [transforms[i * 7], transforms[i * 7 + 1], transforms[i * 7 + 2]]);
    const st = this.still;
    if (!st || st.at.length !== at.length || moved(st.at, at) > STUCK_M) {
      this.still = { t, at, marker: null };
      return;
    }
    const secs = Math.floor(t - st.t + 1e-6);
    if (secs < STUCK_S) return;
    const label = `stuck ${secs} s`;
    if (!st.marker) {
      st.marker = { kind: 'stuck', t: st.t, label, detail: `the robot has stayed within ${STUCK_M * 100} cm of where it was at t ${st.t.toFixed(1)} s` };
      this.markers.push(st.marker);
      this.markersVersion++;
    } else if (st.marker.label !== label) {
      st.marker.label = label;
      this.markersVersion++;
    }
  }

  addStep(s: StepData): void {
    const last = this.steps[this.steps.length - 1];
    if (last && s.step <= last.step) return;
    this.steps.push(s);
    const before = this.markers.length;
    for (const e of s.events) {
      const m = this.markerOf(e);
      if (m) this.markers.push(m);
    }
    // Decision failures in words ("LLM reply not valid JSON", "skill failed"); the LLM planner
    // states validation as "ok" or "<category>: <reason>" (and lists the failure too).
    const failures = ((s.info.failures as { category?: string; detail?: string }[] | undefined) ?? []).filter((f) => f && typeof f.category === 'string' && f.category !== 'collision');
    const validation = (s.info.llm as { validation?: unknown } | undefined)?.validation;
    if (failures.length > 0) {
      this.markers.push({ kind: 'invalid', t: s.t, label: failureLabel(failures[0].category!, failures[0].detail), detail: failures.map((f) => `${failureLabel(f.category!, f.detail)}: ${f.detail ?? ''}`).join('; ') });
    } else if (typeof validation === 'string' && validation !== '' && validation !== 'ok') {
      const colon = validation.indexOf(':');
      this.markers.push({ kind: 'invalid', t: s.t, label: failureLabel(colon > 0 ? validation.slice(0, colon) : validation, validation), detail: validation });
    }
    this.watchSlow(s);
    if (this.markers.length !== before) this.markersVersion++;
    this.version++;
  }

  /** Marks decisions slower than {@link SLOW_PERIODS} control periods ("planner too slow:
   * 340 ms"): under the turn clock the world waited for them, under the realtime clock it moved
   * on. Slow decisions close together make one stretch with one label (the slowest). */
  private watchSlow(s: StepData): void {
    if (s.info.thinking === true) return; // steps run while thinking are not decisions
    const limit = this.task.controlPeriod * 1000 * SLOW_PERIODS;
    if (!(s.plannerMs > limit)) return;
    const prev = this.slow;
    if (prev && s.t - (prev.marker.until ?? prev.marker.t) <= SLOW_GAP_S + 1e-9) {
      prev.count++;
      prev.worst = Math.max(prev.worst, s.plannerMs);
      prev.marker.until = s.t;
    } else {
      this.slow = { marker: { kind: 'slow', t: s.t, until: s.t, label: '' }, worst: s.plannerMs, count: 1 };
      this.markers.push(this.slow.marker);
    }
    const { marker, worst, count } = this.slow!;
    marker.label = `planner too slow: ${Math.round(worst)} ms`;
    marker.detail = `${count === 1 ? 'a decision' : `${count} decisions`} took more than ${Math.round(limit)} ms, ${SLOW_PERIODS}× the ${Math.round(this.task.controlPeriod * 1000)} ms between control steps (the slowest ${Math.round(worst)} ms)`;
    this.markersVersion++;
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

  /**
   * What really happened after the decision recorded with `step`: the robot's working point (the
   * arm's end effector, else the chassis) where the decision was made (the frame before the step)
   * and after each of the next `n` steps, as far as recorded. Drawn beside the chosen plan's
   * imagined path, whose first point is the decision's state (the world model's convention).
   */
  actualPathFrom(step: StepData, n: number): [number, number, number][] {
    const { slot, offset } = workingPoint(this.sceneAtStep(step.step));
    if (slot < 0) return [];
    // The last frame of each step (a live stream may send several per step).
    const last = new Map<number, FrameRef>();
    for (const f of this.frames) if (f.step >= step.step - 1 && f.step <= step.step - 1 + n) last.set(f.step, f);
    const out: [number, number, number][] = [];
    for (let k = step.step - 1; k <= step.step - 1 + n; k++) {
      const f = last.get(k);
      if (!f) break;
      out.push(pointOf(f.transforms, slot, offset));
    }
    return out;
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

  /** A simulator event as a marker; floor contacts are not collisions worth one. */
  private markerOf(e: SimEvent): Marker | null {
    switch (e.type) {
      case 'collision': {
        if (/^(floor|ground)$/.test(e.b) || /^(floor|ground)$/.test(e.a)) return null;
        const robot = new Set(this.scene.bodies.filter((b) => b.kind === 'robot' || b.kind === 'robot_part').map((b) => b.id));
        const [mine, other] = robot.has(e.b) && !robot.has(e.a) ? [e.b, e.a] : [e.a, e.b];
        // Touching the object a push task is about is the task, not a collision (as in the record).
        const goal = this.scene.goal;
        if (robot.has(mine) && goal.type === 'push' && goal.object === other) return null;
        const label = robot.has(mine) ? `collision with ${other}` : `${e.a} hit ${e.b}`;
        return { kind: 'collision', t: e.t, label, detail: `${e.a} touched ${e.b}` };
      }
      case 'perturbation':
        return { kind: 'perturbation', t: e.t, label: `${e.source === 'user' ? 'shoved by a viewer' : 'shoved'}: ${e.target}`, detail: `${e.source} shove on ${e.target}` };
      case 'spawn':
        return { kind: 'spawn', t: e.t, label: `obstacle dropped`, detail: `obstacle ${e.id} dropped by a viewer` };
      case 'success':
        return { kind: 'success', t: e.t, label: 'success' };
      case 'failure':
        return { kind: 'failure', t: e.t, label: OUTCOME[e.reason] ?? e.reason, detail: `failure: ${e.reason}${e.detail ? ` (${e.detail})` : ''}` };
      default:
        return null;
    }
  }

  /** Scene in force at step `step`. */
  sceneAtStep(step: number): StaticScene {
    let s = this.scenes[0].scene;
    for (const c of this.scenes) if (c.step <= step) s = c.scene;
    return s;
  }
}

/** Dynamic-body slots (transform index) of the robot's parts in `scene`. */
function robotSlots(scene: StaticScene): number[] {
  const out: number[] = [];
  let slot = 0;
  for (const b of scene.bodies) {
    if (!b.dynamic) continue;
    if (b.kind === 'robot' || b.kind === 'robot_part') out.push(slot);
    slot++;
  }
  return out;
}

/** Where the robot's working point sits: the end-effector ball of an arm (a sphere shape on a
 * robot part), else the chassis body's origin. `slot` is the dynamic-body index in a frame. */
function workingPoint(scene: StaticScene): { slot: number; offset: [number, number, number] } {
  let slot = 0;
  let chassis = -1;
  for (const b of scene.bodies) {
    if (!b.dynamic) continue;
    if (b.kind === 'robot' || b.kind === 'robot_part') {
      const ball = b.shapes.find((sh) => sh.shape === 'sphere');
      if (ball) return { slot, offset: [ball.offset[0], ball.offset[1], ball.offset[2]] };
      if (b.kind === 'robot' && chassis < 0) chassis = slot;
    }
    slot++;
  }
  return { slot: chassis, offset: [0, 0, 0] };
}

/** World position of `offset` in the frame of dynamic body `slot` ([x, y, z, qx, qy, qz, qw] each). */
function pointOf(t: Float32Array, slot: number, offset: readonly number[]): [number, number, number] {
  const o = slot * 7;
  const [x, y, z, qx, qy, qz, qw] = [t[o], t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6]];
  const [vx, vy, vz] = offset;
  // v' = v + 2w(q × v) + 2 q × (q × v)
  const cx = qy * vz - qz * vy;
  const cy = qz * vx - qx * vz;
  const cz = qx * vy - qy * vx;
  return [x + vx + 2 * (qw * cx + qy * cz - qz * cy), y + vy + 2 * (qw * cy + qz * cx - qx * cz), z + vz + 2 * (qw * cz + qx * cy - qy * cx)];
}

/** The rollout a planner acted on: the cheapest of those it sent (its elites come cheapest first). */
export function chosenRollout(rollouts: readonly ImaginedRollout[]): ImaginedRollout | null {
  let best: ImaginedRollout | null = null;
  for (const r of rollouts) if (!best || r.cost < best.cost) best = r;
  return best;
}

/** Largest distance any part moved between two position lists ([x, y, z] per part). */
function moved(a: number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i += 3) m = Math.max(m, Math.hypot(b[i] - a[i], b[i + 1] - a[i + 1], b[i + 2] - a[i + 2]));
  return m;
}

const OUTCOME: Record<string, string> = {
  timeout: 'out of time',
  flipped: 'flipped over',
  left_arena: 'left the arena',
  diverged: 'physics diverged',
  planner_error: 'planner error',
  error: 'crashed',
};

/** How an episode ended, in a few words: "success", "out of time", "planner error". */
export function outcomeWords(record: EpisodeRecord): string {
  return record.success ? 'success' : (OUTCOME[record.failure ?? ''] ?? String(record.failure ?? 'failed').replace(/_/g, ' '));
}
