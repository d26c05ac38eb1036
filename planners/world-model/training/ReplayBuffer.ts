/**
 * Replay buffer on disk: append-only, one chunk file per collected episode.
 *
 *     <dir>/ep-000001.bin   "PAWR" · u32 header length · header JSON · padding to 4 bytes ·
 *                           float32 body [obs | actions | rewards | goalDistance | failure | terminal | position
 *                           | expert (header "expert": true only) | subject (header "subject": true only)]
 *
 * Header versions: 1 the first seven sections; 2 adds `expert`; 3 adds `subject`.
 *
 * A chunk is written to a temporary name, fsynced and renamed, so a crash or Ctrl-C leaves only
 * complete chunks (temporary leftovers are ignored). The header carries the body's SHA-256; a
 * damaged chunk is reported and skipped, never silently used. Everything is also held in memory
 * (the buffers are a few MB) for fast sampling.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../core/errors.ts';
import type { Rng } from '../../../sim/rng.ts';
import { writeFileAtomic } from '../io/files.ts';

/** Who chose the actions: decides whether the actor imitates them. `scripted-explore`: the
 * scripted controller with bursts of random actions (DART-style noise injection), labelled with
 * what the controller would have done. `scripted-decoy`: the controller chasing random decoy goals
 * (a crate pushed to random points), labelled with what it would have done for the true goal. */
export type DataSource = 'random' | 'scripted' | 'scripted-explore' | 'scripted-decoy' | 'world-model';

export interface EpisodeData {
  scenario: string;
  seed: number;
  source: DataSource;
  /** Transitions. */
  length: number;
  obs: Float32Array; // (length + 1) × obsDim
  actions: Float32Array; // length × actionDim
  rewards: Float32Array; // length
  goalDistance: Float32Array; // length + 1
  /** 1 where the transition ended in a failure (flipped, left the arena). */
  failure: Float32Array; // length
  /** 1 where the episode terminated (success or failure): no bootstrapping past it. */
  terminal: Float32Array; // length
  position: Float32Array; // (length + 1) × 3
  /** Optional imitation labels: the scripted controller's action in each visited state, whoever
   * acted (DAgger). NaN where it had none (pausing after a failed skill). length × actionDim. */
  expert?: Float32Array;
  /** Optional: the task subject's offset from the goal (the pushed object on push tasks, else
   * the robot point), the probe's second target; NaN where the subject had fallen off the floor
   * (no target). (length + 1) × 3. */
  subject?: Float32Array;
}

/** A batch of `size` windows of `rollout` transitions, step-major ([t][b][...]) for the rollout loss. */
export interface Batch {
  size: number;
  rollout: number;
  obs: Float32Array; // (R+1) × B × D
  actions: Float32Array; // R × B × A
  rewards: Float32Array; // R × B
  goalDistance: Float32Array; // (R+1) × B
  failure: Float32Array; // R × B
  terminal: Float32Array; // R × B
  position: Float32Array; // (R+1) × B × 3
  /** Imitation weight of each action for the actor (0 for random data). */
  imitation: Float32Array; // R × B
  /** What the actor imitates where its weight is 1: the expert label, else the action taken.
   * Absent: the actions themselves. */
  imitationActions?: Float32Array; // R × B × A
  /** The subject's offset from the goal, and 1 where the episode recorded it (else 0). */
  subject: Float32Array; // (R+1) × B × 3
  subjectWeight: Float32Array; // (R+1) × B
}

const MAGIC = 'PAWR';
/** The actor imitates the scripted controllers only: they are near the oracle, while the model's
 * own (young) planner is far from it, and distilling it taught the actor its mistakes. The
 * planner's episodes still train the dynamics, cost heads and critic (their state coverage). */
const IMITATION: Record<DataSource, number> = { random: 0, scripted: 1, 'scripted-explore': 0, 'scripted-decoy': 0, 'world-model': 0 };

export class ReplayBuffer {
  readonly episodes: EpisodeData[] = [];
  /** Chunks that failed their check on open, with why. */
  readonly skipped: string[] = [];
  private nextId = 1;
  private weighted: { key: string; starts: [EpisodeData, number][]; cum: Float64Array } | null = null;

  private constructor(
    readonly dir: string,
    readonly obsDim: number,
    readonly actionDim: number,
  ) {}

  /** Opens (creating if needed) a buffer directory and loads every complete chunk in it. */
  static open(dir: string, obsDim: number, actionDim: number): ReplayBuffer {
    mkdirSync(dir, { recursive: true });
    const buf = new ReplayBuffer(dir, obsDim, actionDim);
    const files = readdirSync(dir).filter((f) => /^ep-\d+\.bin$/.test(f)).sort();
    for (const f of files) {
      buf.nextId = Math.max(buf.nextId, Number(f.slice(3, -4)) + 1);
      try {
        buf.episodes.push(decode(readFileSync(join(dir, f)), obsDim, actionDim));
      } catch (e) {
        buf.skipped.push(`${f}: ${(e as Error).message}`);
      }
    }
    return buf;
  }

  /** Appends an episode: durable on disk before this returns. */
  append(ep: EpisodeData): void {
    if (ep.obs.length !== (ep.length + 1) * this.obsDim || ep.actions.length !== ep.length * this.actionDim || (ep.expert && ep.expert.length !== ep.length * this.actionDim) || (ep.subject && ep.subject.length !== (ep.length + 1) * 3)) {
      throw new Error(`replay: episode arrays do not match length ${ep.length} (obs ${ep.obs.length}, actions ${ep.actions.length})`);
    }
    const name = `ep-${String(this.nextId++).padStart(6, '0')}.bin`;
    writeFileAtomic(join(this.dir, name), encode(ep, this.obsDim, this.actionDim));
    this.episodes.push(ep);
  }

  get transitions(): number {
    return this.episodes.reduce((s, e) => s + e.length, 0);
  }

  /** Per-slot mean and standard deviation of every stored observation. */
  observationStats(): { mean: Float32Array; std: Float32Array } {
    const D = this.obsDim;
    const sum = new Float64Array(D);
    const sq = new Float64Array(D);
    let n = 0;
    for (const ep of this.episodes) {
      for (let r = 0; r <= ep.length; r++) {
        for (let d = 0; d < D; d++) {
          const v = ep.obs[r * D + d];
          sum[d] += v;
          sq[d] += v * v;
        }
        n++;
      }
    }
    const mean = new Float32Array(D);
    const std = new Float32Array(D);
    for (let d = 0; d < D; d++) {
      mean[d] = n ? sum[d] / n : 0;
      std[d] = n ? Math.sqrt(Math.max(sq[d] / n - mean[d] ** 2, 0)) : 1;
    }
    return { mean, std };
  }

  /**
   * Samples windows over all valid start steps of episodes at least `rollout` long: uniformly,
   * or with windows that start within `nearGoal.distance` of the goal counted `nearGoal.weight`
   * times. Near-goal states are a few steps at the end of a successful episode (it ends once the
   * robot has settled), yet stopping there is what success needs.
   */
  sample(rng: Rng, size: number, rollout: number, nearGoal?: { distance: number; weight: number }): Batch {
    const R = rollout;
    const usable = this.episodes.filter((e) => e.length >= R);
    if (usable.length === 0) throw new UserError('E_TRAIN_DATA', `replay buffer ${this.dir} has no episode of at least ${R} steps yet; collect more data.`);
    const near = nearGoal && nearGoal.weight !== 1 ? nearGoal : null;
    if (near) return this.sampleWeighted(rng, size, R, usable, near);
    const cum: number[] = [];
    let total = 0;
    for (const e of usable) cum.push((total += e.length - R + 1));
    const picks: [EpisodeData, number][] = [];
    for (let i = 0; i < size; i++) {
      const k = rng.int(total);
      let e = 0;
      while (cum[e] <= k) e++;
      picks.push([usable[e], k - (e > 0 ? cum[e - 1] : 0)]);
    }
    return this.fill(picks, R);
  }

  /** As `sample`, windows starting near the goal weighted (cumulative weights, binary search). */
  private sampleWeighted(rng: Rng, size: number, R: number, usable: EpisodeData[], near: { distance: number; weight: number }): Batch {
    // The cumulative weights change only when episodes arrive: built once per buffer size.
    const key = `${this.episodes.length}/${R}/${near.distance}/${near.weight}`;
    if (this.weighted?.key !== key) {
      const starts: [EpisodeData, number][] = [];
      const cum: number[] = [];
      let sum = 0;
      for (const ep of usable) {
        for (let s = 0; s + R <= ep.length; s++) {
          starts.push([ep, s]);
          cum.push((sum += ep.goalDistance[s] < near.distance ? near.weight : 1));
        }
      }
      this.weighted = { key, starts, cum: Float64Array.from(cum) };
    }
    const { starts, cum } = this.weighted;
    const total = cum[cum.length - 1];
    const picks: [EpisodeData, number][] = [];
    for (let i = 0; i < size; i++) {
      const u = rng.uniform(0, total);
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      picks.push(starts[lo]);
    }
    return this.fill(picks, R);
  }

  /** A batch of the given (episode, start step) windows. */
  private fill(picks: readonly [EpisodeData, number][], R: number): Batch {
    const D = this.obsDim;
    const A = this.actionDim;
    const size = picks.length;
    const b: Batch = {
      size,
      rollout: R,
      obs: new Float32Array((R + 1) * size * D),
      actions: new Float32Array(R * size * A),
      rewards: new Float32Array(R * size),
      goalDistance: new Float32Array((R + 1) * size),
      failure: new Float32Array(R * size),
      terminal: new Float32Array(R * size),
      position: new Float32Array((R + 1) * size * 3),
      imitation: new Float32Array(R * size),
      imitationActions: new Float32Array(R * size * A),
      subject: new Float32Array((R + 1) * size * 3),
      subjectWeight: new Float32Array((R + 1) * size),
    };
    for (let i = 0; i < size; i++) {
      const [ep, s] = picks[i];
      for (let t = 0; t <= R; t++) {
        b.obs.set(ep.obs.subarray((s + t) * D, (s + t + 1) * D), (t * size + i) * D);
        b.goalDistance[t * size + i] = ep.goalDistance[s + t];
        b.position.set(ep.position.subarray((s + t) * 3, (s + t + 1) * 3), (t * size + i) * 3);
        // NaN marks a subject that fell off the floor (collect.ts): weight 0, target left at 0.
        if (ep.subject && Number.isFinite(ep.subject[(s + t) * 3])) {
          b.subject.set(ep.subject.subarray((s + t) * 3, (s + t + 1) * 3), (t * size + i) * 3);
          b.subjectWeight[t * size + i] = 1;
        }
        if (t === R) break;
        b.actions.set(ep.actions.subarray((s + t) * A, (s + t + 1) * A), (t * size + i) * A);
        b.rewards[t * size + i] = ep.rewards[s + t];
        b.failure[t * size + i] = ep.failure[s + t];
        b.terminal[t * size + i] = ep.terminal[s + t];
        const at = (t * size + i) * A;
        if (ep.expert && Number.isFinite(ep.expert[(s + t) * A])) {
          b.imitation[t * size + i] = 1;
          b.imitationActions!.set(ep.expert.subarray((s + t) * A, (s + t + 1) * A), at);
        } else {
          b.imitation[t * size + i] = ep.expert ? 0 : (IMITATION[ep.source] ?? 0);
          b.imitationActions!.set(ep.actions.subarray((s + t) * A, (s + t + 1) * A), at);
        }
      }
    }
    return b;
  }
}

function sections(T: number, D: number, A: number, expert = false, subject = false): [keyof EpisodeData, number][] {
  const secs: [keyof EpisodeData, number][] = [
    ['obs', (T + 1) * D],
    ['actions', T * A],
    ['rewards', T],
    ['goalDistance', T + 1],
    ['failure', T],
    ['terminal', T],
    ['position', (T + 1) * 3],
  ];
  if (expert) secs.push(['expert', T * A]);
  if (subject) secs.push(['subject', (T + 1) * 3]);
  return secs;
}

function encode(ep: EpisodeData, D: number, A: number): Uint8Array {
  const secs = sections(ep.length, D, A, !!ep.expert, !!ep.subject);
  const body = new Float32Array(secs.reduce((s, [, n]) => s + n, 0));
  let off = 0;
  for (const [key, n] of secs) {
    body.set(ep[key] as Float32Array, off);
    off += n;
  }
  const bodyBytes = new Uint8Array(body.buffer);
  const header = Buffer.from(JSON.stringify({ version: ep.subject ? 3 : ep.expert ? 2 : 1, ...(ep.expert ? { expert: true } : {}), ...(ep.subject ? { subject: true } : {}), scenario: ep.scenario, seed: ep.seed, source: ep.source, length: ep.length, obsDim: D, actionDim: A, sha256: sha(bodyBytes) }));
  const headLen = 8 + header.length;
  const pad = (4 - (headLen % 4)) % 4;
  const out = new Uint8Array(headLen + pad + bodyBytes.length);
  out.set(Buffer.from(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length + pad, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, headLen + pad); // spaces: JSON.parse ignores them
  out.set(bodyBytes, headLen + pad);
  return out;
}

function decode(bytes: Uint8Array, D: number, A: number): EpisodeData {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 4)).toString() !== MAGIC) throw new Error('not a replay chunk (bad magic)');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const h = JSON.parse(Buffer.from(bytes.subarray(8, 8 + hlen)).toString()) as { scenario: string; seed: number; source: DataSource; length: number; obsDim: number; actionDim: number; sha256: string; expert?: boolean; subject?: boolean };
  if (h.obsDim !== D || h.actionDim !== A) throw new Error(`shape ${h.obsDim}/${h.actionDim} differs from ${D}/${A} (simulator changed; delete the buffer or use a new --out)`);
  const bodyBytes = bytes.slice(8 + hlen);
  if (sha(bodyBytes) !== h.sha256) throw new Error('body does not match its SHA-256 (damaged chunk)');
  const body = new Float32Array(bodyBytes.buffer, bodyBytes.byteOffset, bodyBytes.byteLength / 4);
  const ep = { scenario: h.scenario, seed: h.seed, source: h.source, length: h.length } as EpisodeData;
  let off = 0;
  for (const [key, n] of sections(h.length, D, A, h.expert === true, h.subject === true)) {
    if (off + n > body.length) throw new Error('truncated body');
    (ep as unknown as Record<string, Float32Array>)[key] = body.slice(off, off + n);
    off += n;
  }
  return ep;
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function hasReplay(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => /^ep-\d+\.bin$/.test(f));
}
