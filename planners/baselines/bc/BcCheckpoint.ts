/**
 * Behaviour-cloning checkpoints: one directory per robot type, in the world model's pattern and
 * with its safety (crash-safe writes, hashed weights, an index that must tile the file, shapes
 * checked against the network, limits before anything is allocated):
 *
 *     <dir>/policy.json   format, robot, shapes, input layout, config, tensor index and the
 *                         SHA-256 of weights.bin, training summary
 *     <dir>/weights.bin   every tensor, float32 little-endian, in index order
 *
 * The metadata file is `policy.json`, not `model.json`, so that neither planner mistakes the
 * other's checkpoint for its own. Every problem is a `UserError` (`E_CHECKPOINT`) naming the
 * file, what is wrong and the fix.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';
import type { RobotType } from '../../../scenarios/schema.ts';
import { writeTensors } from '../../world-model/io/Checkpoint.ts';
import { CHECKPOINT_LIMITS, type TensorEntry } from '../../world-model/io/checkpointFormat.ts';
import { writeFileAtomic } from '../../world-model/io/files.ts';
import { inputLayout } from '../../world-model/io/sceneFeatures.ts';
import { readTensors } from '../../world-model/io/validateCheckpoint.ts';
import { BcPolicy, type BcConfig } from './BcPolicy.ts';

export const BC_FORMAT = 'planarena-bc';
export const BC_VERSION = 1;
export const BC_META_FILE = 'policy.json';

export interface BcMeta {
  format: typeof BC_FORMAT;
  version: number;
  robot: RobotType;
  obsDim: number;
  actionDim: number;
  /** The input layout at training time (the simulator's flat layout, then the object set). */
  obsLayout: string[];
  config: BcConfig;
  weights: { file: string; sha256: string; tensors: TensorEntry[] };
  /** Free-form: steps, episodes, samples, final loss, wall time, backend, command. */
  training: Record<string, unknown>;
  createdAt: string;
}

/** What the caller will feed the policy, checked before any tensor is built. */
export interface BcExpectation {
  robot?: RobotType;
  actionDim?: number;
  /** The simulator's flat layout (`observationLayout(robot)`). */
  obsLayout?: string[];
}

const ROBOTS: readonly string[] = ['diffdrive', 'pusher', 'arm'];
const RETRAIN = 'Retrain it with `planarena train bc --suite <suite> --out <dir>`.';

const fail = (message: string): never => {
  throw new UserError('E_CHECKPOINT', message);
};

export function saveBcCheckpoint(dir: string, policy: BcPolicy, info: { obsLayout: string[]; training: Record<string, unknown> }): BcMeta {
  const index = writeTensors(join(dir, 'weights.bin'), [...policy.namedVariables()]);
  const meta: BcMeta = {
    format: BC_FORMAT,
    version: BC_VERSION,
    robot: policy.config.robot,
    obsDim: policy.shape.obsDim,
    actionDim: policy.shape.actionDim,
    obsLayout: info.obsLayout,
    config: { ...policy.config },
    weights: { file: 'weights.bin', ...index },
    training: info.training,
    createdAt: new Date().toISOString(),
  };
  // Weights first, then the metadata that names their hash: a reader never sees a new index
  // over old weights unnoticed.
  writeFileAtomic(join(dir, BC_META_FILE), JSON.stringify(meta, null, 1) + '\n');
  return meta;
}

/** Reads and checks `policy.json`: cheap, no weights read. */
export function readBcMeta(dir: string): BcMeta {
  const file = join(dir, BC_META_FILE);
  let st;
  try {
    st = statSync(file);
  } catch {
    return fail(`no behaviour-cloning checkpoint at ${dir} (${file} not found). Train one with \`planarena train bc --suite <suite> --out <dir>\` and pass --bc-checkpoint <dir>.`);
  }
  if (!st.isFile()) fail(`${file} is not a regular file; the checkpoint is damaged. ${RETRAIN}`);
  if (st.size > CHECKPOINT_LIMITS.metaBytes) fail(`${file} is ${st.size} bytes, more than the ${CHECKPOINT_LIMITS.metaBytes}-byte limit; this is not a planarena checkpoint.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`${file} is not valid JSON (${(e as Error).message.split('\n')[0]}); the checkpoint is corrupt. ${RETRAIN}`);
  }
  const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (m.format !== BC_FORMAT) fail(`${file}: "format" is ${show(m.format)}, expected "${BC_FORMAT}"; this is not a behaviour-cloning checkpoint.`);
  if (m.version !== BC_VERSION) fail(`${file}: checkpoint version ${show(m.version)} is not supported (this planarena reads version ${BC_VERSION}). ${RETRAIN}`);
  const field = (path: string, ok: boolean, want: string, value: unknown) => {
    if (!ok) fail(`${file}: "${path}" must be ${want}, found ${show(value)}. ${RETRAIN}`);
  };
  const int = (path: string, v: unknown, lo: number, hi: number) => field(path, Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi, `a whole number from ${lo} to ${hi}`, v);
  field('robot', typeof m.robot === 'string' && ROBOTS.includes(m.robot), `one of ${ROBOTS.join(', ')}`, m.robot);
  int('obsDim', m.obsDim, 1, CHECKPOINT_LIMITS.obsDim);
  int('actionDim', m.actionDim, 1, CHECKPOINT_LIMITS.actionDim);
  field('obsLayout', Array.isArray(m.obsLayout) && m.obsLayout.every((s) => typeof s === 'string'), 'an array of strings', m.obsLayout);
  const c = (m.config && typeof m.config === 'object' ? m.config : null) as Record<string, unknown> | null;
  field('config', c !== null, 'an object', m.config);
  int('config.hidden', c!.hidden, 1, CHECKPOINT_LIMITS.hidden);
  int('config.objects', c!.objects, 0, CHECKPOINT_LIMITS.hidden);
  field('config.robot', c!.robot === m.robot, `the same as "robot" (${show(m.robot)})`, c!.robot);
  const w = (m.weights && typeof m.weights === 'object' ? m.weights : null) as Record<string, unknown> | null;
  field('weights', w !== null, 'an object', m.weights);
  field('weights.file', typeof w!.file === 'string' && w!.file.length > 0 && basename(w!.file) === w!.file && w!.file !== '..' && w!.file !== '.', 'a file name inside the checkpoint directory', w!.file);
  field('weights.sha256', typeof w!.sha256 === 'string' && /^[0-9a-f]{64}$/.test(w!.sha256), 'a SHA-256 in hex', w!.sha256);
  const tensors = w!.tensors;
  field('weights.tensors', Array.isArray(tensors) && tensors.length > 0 && tensors.length <= CHECKPOINT_LIMITS.tensors, `an array of 1 to ${CHECKPOINT_LIMITS.tensors} tensor entries`, tensors);
  (tensors as unknown[]).forEach((e, i) => {
    const t = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
    field(`weights.tensors[${i}].name`, typeof t.name === 'string' && t.name.length > 0, 'a tensor name', t.name);
    field(`weights.tensors[${i}].shape`, Array.isArray(t.shape) && t.shape.length <= 4 && t.shape.every((d) => Number.isInteger(d) && d >= 1), 'an array of up to 4 whole numbers >= 1', t.shape);
    field(`weights.tensors[${i}].offset`, Number.isInteger(t.offset) && (t.offset as number) >= 0, 'a whole number >= 0', t.offset);
  });
  return m as unknown as BcMeta;
}

/**
 * Checks the checkpoint in `dir` whole — metadata, what the caller will feed it, the weights
 * file (size, index, SHA-256), every value finite — and returns its metadata and tensors.
 */
export function validateBcCheckpoint(dir: string, expect: BcExpectation = {}): { meta: BcMeta; tensors: Map<string, { shape: number[]; values: Float32Array }> } {
  const meta = readBcMeta(dir);
  const file = join(dir, BC_META_FILE);
  if (expect.robot && meta.robot !== expect.robot) fail(`${file} was trained for robot "${meta.robot}" but the scenario uses "${expect.robot}". Pass --bc-checkpoint pointing at a ${expect.robot} checkpoint (or at a directory with a ${expect.robot}/ subdirectory).`);
  if (expect.actionDim !== undefined && meta.actionDim !== expect.actionDim) fail(`${file}: action dimension ${meta.actionDim} does not match the robot's ${expect.actionDim}. ${RETRAIN}`);
  const want = expect.obsLayout && inputLayout(expect.obsLayout, meta.config.objects > 0);
  if (want && meta.obsLayout.join(',') !== want.join(',')) {
    const at = Math.max(0, meta.obsLayout.findIndex((n, k) => n !== want[k]));
    fail(`${file}: input layout differs from the simulator's (${meta.obsLayout.length} vs ${want.length} slots; first difference at slot ${at}: "${meta.obsLayout[at]}" vs "${want[at]}"). The simulator changed since training. ${RETRAIN}`);
  }
  const tensors = readTensors(join(dir, meta.weights.file), meta.weights, file, RETRAIN);
  for (const [name, t] of tensors) {
    if (!t.values.every(Number.isFinite)) fail(`${join(dir, meta.weights.file)}: tensor "${name}" holds NaN or infinite values: training diverged or the file is damaged. ${RETRAIN}`);
    if (name.endsWith('/obs_std') && !t.values.every((v) => v >= CHECKPOINT_LIMITS.minStd)) fail(`${join(dir, meta.weights.file)}: observation statistics "${name}" hold a standard deviation below ${CHECKPOINT_LIMITS.minStd}: the normalisation is damaged. ${RETRAIN}`);
  }
  return { meta, tensors };
}

/** Loads a checkpoint into a new policy after checking it whole and against `expect`. */
export function loadBcCheckpoint(dir: string, expect?: BcExpectation): { policy: BcPolicy; meta: BcMeta } {
  const { meta, tensors } = validateBcCheckpoint(dir, expect);
  const file = join(dir, BC_META_FILE);
  const policy = new BcPolicy(meta.config, { obsDim: meta.obsDim, actionDim: meta.actionDim });
  try {
    const named = policy.namedVariables();
    for (const [name, v] of named) {
      const saved = tensors.get(name);
      if (!saved) fail(`${file}: tensor "${name}" is missing; the checkpoint does not match this version of the bc policy. ${RETRAIN}`);
      if (saved!.shape.join('x') !== v.shape.join('x')) fail(`${file}: tensor "${name}" has shape [${saved!.shape}] but the policy expects [${v.shape}]; policy.json and the weights disagree. ${RETRAIN}`);
      v.assign(tf.tensor(saved!.values, v.shape));
    }
    const extra = [...tensors.keys()].find((n) => !named.has(n));
    if (extra) fail(`${file}: tensor "${extra}" belongs to no part of the bc policy; the checkpoint does not match this version. ${RETRAIN}`);
  } catch (e) {
    policy.dispose();
    throw e;
  }
  return { policy, meta };
}

function show(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
