/**
 * The checkpoint preflight: reads a world-model checkpoint and checks everything that can be
 * checked without building the model, in an order that never allocates more than the limits in
 * {@link CHECKPOINT_LIMITS} allow:
 *
 * 1. `model.json`: a regular file of sane size, valid JSON, the right format and version, every
 *    field with its type, model sizes within the limits (a `hidden` of 2e6 is refused here);
 * 2. the robot, action size and observation layout the caller will feed it (when given);
 * 3. the weights file: a plain file name inside the checkpoint directory, a regular file (not a
 *    directory named weights.bin), of a size within the limit and a whole number of floats;
 * 4. the tensor index: names unique, shapes positive integers, and the tensors tiling the file
 *    exactly in order (a bad offset, an overlap or a truncated file is named with the tensor);
 * 5. the SHA-256 of the weights against model.json;
 * 6. every weight finite (no NaN or infinity), and the observation statistics usable: every
 *    `obs_std` at least {@link CHECKPOINT_LIMITS.minStd} (zero or negative values mean damaged
 *    or swapped statistics; the encoder divides by them).
 *
 * Every failure is a `UserError` (`E_CHECKPOINT`) whose message names the file, what is wrong
 * and the fix. `loadCheckpoint` runs this first, so the planner factory's preflight, planner
 * creation and training all refuse a bad checkpoint the same way.
 */
import { inputLayout, SET_LENGTH } from './sceneFeatures.ts';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../../../core/errors.ts';
import type { RobotType } from '../../../scenarios/schema.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_LIMITS, CHECKPOINT_VERSION, type CheckpointMeta, type TensorEntry } from './checkpointFormat.ts';

export interface CheckpointExpectation {
  robot?: RobotType;
  obsLayout?: string[];
  actionDim?: number;
}

export interface CheckedCheckpoint {
  meta: CheckpointMeta;
  /** Tensor name → shape and values (views into one buffer). */
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
}

const ROBOTS: readonly string[] = ['diffdrive', 'pusher', 'arm'];
const RETRAIN = 'Restore it from git or retrain with `planarena train world-model`.';

const fail = (message: string): never => {
  throw new UserError('E_CHECKPOINT', message);
};

/** Checks the checkpoint in `dir` (see the file header) and returns its metadata and tensors. */
export function validateCheckpoint(dir: string, expect: CheckpointExpectation = {}): CheckedCheckpoint {
  const meta = readCheckpointMeta(dir);
  const file = join(dir, 'model.json');
  checkExpectation(meta, file, expect);
  const tensors = readTensors(join(dir, meta.weights.file), meta.weights, file);
  for (const [name, t] of tensors) {
    const bad = firstNonFinite(t.values);
    if (bad >= 0) {
      const count = t.values.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
      fail(`${join(dir, meta.weights.file)}: tensor "${name}" holds ${count} non-finite value${count === 1 ? '' : 's'} (NaN or infinity; the first at element ${bad}): training diverged or the file is damaged. ${RETRAIN}`);
    }
    if (name.endsWith('/obs_std')) {
      const k = t.values.findIndex((v) => !(v >= CHECKPOINT_LIMITS.minStd));
      if (k >= 0) {
        fail(
          `${join(dir, meta.weights.file)}: observation statistics "${name}" has ${t.values[k]} at slot ${k} (every standard deviation must be at least ${CHECKPOINT_LIMITS.minStd}): ` +
            `the normalisation is damaged (zero, or swapped with obs_mean?). ${RETRAIN}`,
        );
      }
    }
    // The standardisation covers the flat part of the input (the object set is not standardised).
    const flatDim = (meta.config.model.objects ?? 0) > 0 ? meta.obsDim - SET_LENGTH : meta.obsDim;
    if ((name.endsWith('/obs_std') || name.endsWith('/obs_mean')) && (t.shape.length !== 1 || t.shape[0] !== flatDim)) {
      fail(`${file}: tensor "${name}" has shape [${t.shape}] but the observation has ${flatDim} flat slots. ${RETRAIN}`);
    }
  }
  return { meta, tensors };
}

/** Reads and checks `model.json` (steps 1 of the file header): cheap, no weights read. */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = join(dir, 'model.json');
  const st = statOrNull(file);
  if (!st) fail(`no world-model checkpoint at ${dir} (${file} not found). Train one with \`planarena train world-model --suite <suite> --out <dir>\` or pass --checkpoint <dir>.`);
  if (!st!.isFile()) fail(`${file} is ${kindOf(st!)}, not a file; the checkpoint is damaged. ${RETRAIN}`);
  if (st!.size > CHECKPOINT_LIMITS.metaBytes) fail(`${file} is ${st!.size} bytes, more than the ${CHECKPOINT_LIMITS.metaBytes}-byte limit; this is not a planarena checkpoint.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`${file} is not valid JSON (${(e as Error).message}); the checkpoint is corrupt. Restore it or retrain.`);
  }
  const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (m.format !== CHECKPOINT_FORMAT) fail(`${file}: "format" is ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"; this is not a world-model checkpoint.`);
  if (m.version !== CHECKPOINT_VERSION) fail(`${file}: checkpoint version ${JSON.stringify(m.version)} is not supported (this planarena reads version ${CHECKPOINT_VERSION}); retrain with this version.`);
  for (const key of ['robot', 'obsDim', 'actionDim', 'obsLayout', 'config', 'weights'] as const) {
    if (m[key] === undefined) fail(`${file}: field "${key}" is missing; the checkpoint is incomplete. Retrain it.`);
  }
  const field = (path: string, ok: boolean, want: string, value: unknown) => {
    if (!ok) fail(`${file}: "${path}" must be ${want}, found ${show(value)}. ${RETRAIN}`);
  };
  const int = (path: string, v: unknown, lo: number, hi: number) => field(path, Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi, `a whole number from ${lo} to ${hi} (limits: docs/limits.md)`, v);
  field('robot', typeof m.robot === 'string' && ROBOTS.includes(m.robot), `one of ${ROBOTS.join(', ')}`, m.robot);
  int('obsDim', m.obsDim, 1, CHECKPOINT_LIMITS.obsDim);
  int('actionDim', m.actionDim, 1, CHECKPOINT_LIMITS.actionDim);
  field('obsLayout', Array.isArray(m.obsLayout) && m.obsLayout.every((s) => typeof s === 'string'), 'an array of strings', m.obsLayout);
  const config = m.config as Record<string, unknown>;
  field('config', !!config && typeof config === 'object', 'an object', config);
  const model = config.model as Record<string, unknown>;
  field('config.model', !!model && typeof model === 'object', 'an object', model);
  int('config.model.hidden', model.hidden, 1, CHECKPOINT_LIMITS.hidden);
  int('config.model.latent', model.latent, 1, CHECKPOINT_LIMITS.latent);
  int('config.model.critics', model.critics, 1, CHECKPOINT_LIMITS.critics);
  if (model.objects !== undefined) int('config.model.objects', model.objects, 0, CHECKPOINT_LIMITS.hidden);
  for (const part of ['plan', 'train'] as const) field(`config.${part}`, !!config[part] && typeof config[part] === 'object', 'an object', config[part]);
  field('config.robot', config.robot === m.robot, `the same as "robot" (${show(m.robot)})`, config.robot);
  const w = m.weights as Record<string, unknown>;
  field('weights', !!w && typeof w === 'object', 'an object', w);
  field('weights.file', typeof w.file === 'string' && w.file.length > 0 && basename(w.file) === w.file && w.file !== '..' && w.file !== '.', 'a file name inside the checkpoint directory', w.file);
  field('weights.sha256', typeof w.sha256 === 'string' && /^[0-9a-f]{64}$/.test(w.sha256), 'a SHA-256 in hex', w.sha256);
  field('weights.tensors', Array.isArray(w.tensors) && w.tensors.length > 0 && w.tensors.length <= CHECKPOINT_LIMITS.tensors, `an array of 1 to ${CHECKPOINT_LIMITS.tensors} tensor entries`, Array.isArray(w.tensors) ? `${w.tensors.length} entries` : w.tensors);
  (w.tensors as unknown[]).forEach((e, i) => {
    const t = e as Record<string, unknown>;
    field(`weights.tensors[${i}]`, !!t && typeof t === 'object', 'an object {name, shape, offset}', t);
    field(`weights.tensors[${i}].name`, typeof t.name === 'string' && t.name.length > 0, 'a tensor name', t.name);
    field(`weights.tensors[${i}].shape`, Array.isArray(t.shape) && t.shape.length <= 4 && t.shape.every((d) => Number.isInteger(d) && d >= 1), 'an array of up to 4 whole numbers >= 1', t.shape);
    field(`weights.tensors[${i}].offset`, Number.isInteger(t.offset) && (t.offset as number) >= 0, 'a whole number >= 0', t.offset);
  });
  return m as unknown as CheckpointMeta;
}

function checkExpectation(meta: CheckpointMeta, file: string, expect: CheckpointExpectation): void {
  if (expect.robot && meta.robot !== expect.robot) {
    fail(`${file} was trained for robot "${meta.robot}" but the scenario uses "${expect.robot}". Pass --checkpoint pointing at a ${expect.robot} checkpoint (e.g. planners/world-model/checkpoints/${expect.robot}).`);
  }
  if (expect.actionDim !== undefined && meta.actionDim !== expect.actionDim) {
    fail(`${file}: action dimension ${meta.actionDim} does not match the robot's ${expect.actionDim}. Retrain the checkpoint for this robot.`);
  }
  // The simulator's flat layout, followed by the object-set block when the model reads objects.
  const want = expect.obsLayout && inputLayout(expect.obsLayout, (meta.config.model.objects ?? 0) > 0);
  if (want && meta.obsLayout.join(',') !== want.join(',')) {
    const i = meta.obsLayout.findIndex((n, k) => n !== want[k]);
    const at = i < 0 ? meta.obsLayout.length : i;
    fail(
      `${file}: observation layout differs from the simulator's (${meta.obsLayout.length} vs ${want.length} slots; first difference at slot ${at}: "${meta.obsLayout[at]}" vs "${want[at]}"). The simulator changed since training: retrain with \`planarena train world-model\`.`,
    );
  }
}

/**
 * Reads a tensor file written by `writeTensors` (steps 3-5 of the file header): a regular file
 * within the size limit, an index that tiles it exactly, and a matching hash. `what` names the
 * file that holds the index, for messages; `retrain` the fix to suggest (other formats reuse this
 * reader: the behaviour-cloning baseline's checkpoints). Returns name → values.
 */
export function readTensors(path: string, index: { sha256: string; tensors: TensorEntry[] }, what: string, retrain = RETRAIN): Map<string, { shape: number[]; values: Float32Array }> {
  const st = statOrNull(path);
  if (!st) fail(`${what}: ${path} is missing. ${retrain === RETRAIN ? 'Re-run `planarena train world-model` or point --checkpoint at a complete checkpoint directory.' : retrain}`);
  if (!st!.isFile()) fail(`${path} is ${kindOf(st!)}, not a weights file (named by ${what}). Replace it with the checkpoint's weights file: ${retrain}`);
  if (st!.size > CHECKPOINT_LIMITS.weightsBytes) fail(`${path} is ${st!.size} bytes, more than the ${CHECKPOINT_LIMITS.weightsBytes}-byte limit for a weights file (limits: docs/limits.md).`);
  if (st!.size % 4 !== 0) fail(`${path} is ${st!.size} bytes, not a whole number of float32 values: the file is truncated. ${retrain}`);
  const floats = st!.size / 4;
  // The index must tile the file: writeTensors packs tensors in order, with no gaps.
  const seen = new Set<string>();
  let end = 0;
  for (const e of index.tensors) {
    if (seen.has(e.name)) fail(`${what}: tensor "${e.name}" is listed twice in the weights index. ${retrain}`);
    seen.add(e.name);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset !== end) {
      fail(`${what}: tensor "${e.name}" starts at offset ${e.offset} but the tensor before it ends at ${end}: the tensor index (offsets) in ${basename(what)} is damaged. ${retrain}`);
    }
    end = e.offset + size;
    if (end > floats) {
      fail(`${path}: tensor "${e.name}" (shape [${e.shape}], offset ${e.offset}) lies past the end of the file (${floats} floats): the file is truncated or the index in ${what} is wrong. ${retrain}`);
    }
  }
  if (end !== floats) fail(`${path} holds ${floats} floats but the index in ${what} accounts for ${end}: the file does not belong to this index. ${retrain}`);
  const bytes = readFileSync(path);
  if (createHash('sha256').update(bytes).digest('hex') !== index.sha256) {
    fail(`${what}: ${path} is corrupt (SHA-256 does not match ${basename(what)}). ${retrain}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of index.tensors) out.set(e.name, { shape: e.shape, values: all.subarray(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1)) });
  return out;
}

function firstNonFinite(v: Float32Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null; // missing (or unreadable): reported as missing by the caller
  }
}

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device or special file';
}

function show(v: unknown): string {
  const t = typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v));
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
