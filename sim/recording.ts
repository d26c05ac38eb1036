/**
 * Recordings and trajectory hashes.
 *
 * A recording file (`*.rec.json`, or `*.rec.json.gz` gzipped) is one JSON object:
 *
 * ```
 * { "format": "planarena-recording", "version": 1,
 *   "meta":  { scenario, seed, planner, physics, result?: {...}, createdBy? },
 *   "scene": StaticScene,                      // once; bodies in transform order
 *   "bodyCount": number,                       // dynamic bodies per frame at the start
 *   "reset": { "transforms": "<base64>" },     // the frame after reset
 *   "steps": [ { "t", "step", "transforms": "<base64>", "action": number[],
 *                "reward", "events": SimEvent[], "info": PlannerInfo,
 *                "plannerMs"?: number,         // wall ms the decision took (absent: not known)
 *                "scene"?: StaticScene } ],    // `scene` only when it changed (spawned bodies)
 *   "trajectoryHash": "<sha256 hex>" }
 * ```
 *
 * `transforms` are little-endian Float32 [x, y, z, qx, qy, qz, qw] per dynamic body, base64.
 * The trajectory hash is SHA-256 over the raw bytes of every frame's transforms in order, the
 * reset frame first; every episode gets one (the runner feeds a `TrajectoryHasher`) whether or
 * not it is recorded.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../core/errors.ts';
import { scrubSecrets } from '../core/secrets.ts';
import type { PhysicsFlavor, SimEvent, StaticScene } from './types.ts';

export const RECORDING_FORMAT = 'planarena-recording';
export const RECORDING_VERSION = 1;

/** SHA-256 over the bytes of every transforms frame, in order. */
export class TrajectoryHasher {
  private readonly h: Hash = createHash('sha256');
  private n = 0;
  private result: string | null = null;

  update(transforms: Float32Array): void {
    if (this.result !== null) throw new Error('TrajectoryHasher: update() after digest()');
    this.h.update(new Uint8Array(transforms.buffer, transforms.byteOffset, transforms.byteLength));
    this.n++;
  }

  get frames(): number {
    return this.n;
  }

  /** Hex digest of the frames so far, leaving the hash open for more (the env server reports it
   * after every step, so a client can check determinism at any point). */
  peek(): string {
    return this.result ?? this.h.copy().digest('hex');
  }

  /** Hex digest; idempotent. */
  digest(): string {
    if (this.result === null) this.result = this.h.digest('hex');
    return this.result;
  }
}

export interface RecordingMeta {
  scenario: string;
  seed: number;
  planner: string;
  physics: PhysicsFlavor;
  /** Episode outcome, filled in when the episode ends (e.g. success, failure, steps, return). */
  result?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RecordedStep {
  t: number;
  step: number;
  transforms: Float32Array;
  action: number[];
  reward: number;
  events: SimEvent[];
  info: Record<string, unknown>;
  /** Wall-clock ms the planner took for this step's decision (0 for steps run while thinking);
   * a diagnostic for the viewer, outside the trajectory hash. */
  plannerMs?: number;
  /** The scene, when it changed at this step (a spawned body). */
  scene?: StaticScene;
}

export interface Recording {
  meta: RecordingMeta;
  scene: StaticScene;
  reset: Float32Array;
  steps: RecordedStep[];
  trajectoryHash: string;
}

/** Accumulates an episode in memory; also hashes its frames. */
export class Recorder {
  private readonly hasher = new TrajectoryHasher();
  private readonly steps: RecordedStep[] = [];
  private lastScene: StaticScene;

  constructor(
    private readonly meta: RecordingMeta,
    private readonly scene: StaticScene,
    private readonly resetFrame: Float32Array,
  ) {
    this.lastScene = scene;
    this.hasher.update(resetFrame);
  }

  /** Appends a control step. Pass the scene every time if convenient: it is stored only when it changed (by identity). */
  append(step: Omit<RecordedStep, 'scene'>, scene?: StaticScene): void {
    const rec: RecordedStep = { ...step, transforms: step.transforms.slice(), action: [...step.action] };
    if (scene && scene !== this.lastScene) {
      rec.scene = scene;
      this.lastScene = scene;
    }
    this.steps.push(rec);
    this.hasher.update(rec.transforms);
  }

  finish(result?: Record<string, unknown>): Recording {
    const meta = result ? { ...this.meta, result } : this.meta;
    return { meta, scene: this.scene, reset: this.resetFrame, steps: this.steps, trajectoryHash: this.hasher.digest() };
  }
}

function b64(f: Float32Array): string {
  // Float32Array is platform-endian; every supported platform is little-endian, asserted here.
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('big-endian platforms are not supported');
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function unb64(s: unknown, where: string, path: string): Float32Array {
  if (typeof s !== 'string') throw corrupt(path, `${where} is not a base64 string`);
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % 28 !== 0) throw corrupt(path, `${where} has ${buf.byteLength} bytes, not a whole number of 7-float transforms`);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function corrupt(path: string, why: string): UserError {
  return new UserError('E_RECORDING', `${path}: not a valid planarena recording (${why}); re-record it with --record`);
}

/** Writes a recording; gzipped when `path` ends in `.gz`. Secrets (`core/secrets.ts`) are
 * scrubbed from the text first: planner info quotes whatever an LLM server sent. */
export async function writeRecording(path: string, rec: Recording): Promise<void> {
  const json = scrubSecrets(JSON.stringify({
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    meta: rec.meta,
    scene: rec.scene,
    bodyCount: rec.reset.length / 7,
    reset: { transforms: b64(rec.reset) },
    steps: rec.steps.map((s) => ({ t: s.t, step: s.step, transforms: b64(s.transforms), action: s.action, reward: s.reward, events: s.events, info: s.info, ...(s.plannerMs !== undefined ? { plannerMs: Math.round(s.plannerMs * 100) / 100 } : {}), ...(s.scene ? { scene: s.scene } : {}) })),
    trajectoryHash: rec.trajectoryHash,
  }));
  await mkdir(dirname(path), { recursive: true });
  // Atomic: a reader (or a run killed mid-write) sees the whole recording or none of it.
  const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
  await writeFile(tmp, path.endsWith('.gz') ? gzipSync(json) : json);
  await rename(tmp, path);
}

/** Distinguishes temp files of concurrent writes in one process. */
let tmpCounter = 0;

/** Reads and checks a recording (gzip detected from the content). Throws `UserError` E_RECORDING on anything malformed. */
export async function readRecording(path: string): Promise<Recording> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (e) {
    throw new UserError('E_RECORDING', `${path}: cannot read recording (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path`);
  }
  let text: string;
  try {
    text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  } catch {
    throw corrupt(path, 'gzip data is damaged');
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw corrupt(path, `JSON does not parse: ${(e as Error).message}`);
  }
  if (!j || typeof j !== 'object' || j.format !== RECORDING_FORMAT) throw corrupt(path, `"format" is not "${RECORDING_FORMAT}"`);
  if (j.version !== RECORDING_VERSION) throw new UserError('E_RECORDING', `${path}: recording version ${String(j.version)} is not supported (this planarena reads version ${RECORDING_VERSION})`);
  const meta = j.meta as RecordingMeta;
  const scene = j.scene as StaticScene;
  if (!meta || typeof meta.scenario !== 'string' || typeof meta.seed !== 'number') throw corrupt(path, '"meta" lacks scenario or seed');
  if (!scene || !Array.isArray(scene.bodies)) throw corrupt(path, '"scene.bodies" is missing');
  const reset = unb64((j.reset as { transforms?: unknown } | undefined)?.transforms, 'reset.transforms', path);
  if (!Array.isArray(j.steps)) throw corrupt(path, '"steps" is not an array');
  const hasher = new TrajectoryHasher();
  hasher.update(reset);
  const steps = (j.steps as Record<string, unknown>[]).map((s, i): RecordedStep => {
    if (!s || typeof s !== 'object') throw corrupt(path, `steps[${i}] is not an object`);
    const transforms = unb64(s.transforms, `steps[${i}].transforms`, path);
    hasher.update(transforms);
    const out: RecordedStep = {
      t: Number(s.t),
      step: Number(s.step),
      transforms,
      action: Array.isArray(s.action) ? (s.action as number[]) : [],
      reward: Number(s.reward),
      events: Array.isArray(s.events) ? (s.events as SimEvent[]) : [],
      info: (s.info as Record<string, unknown>) ?? {},
      ...(typeof s.plannerMs === 'number' && Number.isFinite(s.plannerMs) ? { plannerMs: s.plannerMs } : {}),
    };
    if (s.scene) out.scene = s.scene as StaticScene;
    return out;
  });
  const hash = hasher.digest();
  if (typeof j.trajectoryHash === 'string' && j.trajectoryHash !== hash) throw corrupt(path, `trajectory hash mismatch (file says ${j.trajectoryHash.slice(0, 12)}…, frames hash to ${hash.slice(0, 12)}…)`);
  return { meta, scene, reset, steps, trajectoryHash: hash };
}
