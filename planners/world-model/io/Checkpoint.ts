/**
 * Checkpoint files: one directory per robot type.
 *
 *     <dir>/model.json    format, robot, shapes, observation layout, resolved config,
 *                         tensor index (name, shape, offset) and the SHA-256 of weights.bin,
 *                         training metrics
 *     <dir>/weights.bin   every tensor, float32 little-endian, concatenated
 *
 * Writes are crash-safe: each file is written to a temporary name, fsynced and renamed, weights
 * first, so a reader sees either the old checkpoint or the new one (a mismatch is caught by the
 * hash). Every problem on load is a `UserError` (`E_CHECKPOINT`) naming the file and the fix.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';
import type { RobotType } from '../../../scenarios/schema.ts';
import { writeFileAtomic } from './files.ts';
import type { WorldModelConfig } from '../Configurator.ts';
import { WorldModel } from '../model/WorldModel.ts';

export const CHECKPOINT_FORMAT = 'planarena-world-model';
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  robot: RobotType;
  obsDim: number;
  actionDim: number;
  /** Slot names of `obs.flat` at training time: a checkpoint only fits the same layout. */
  obsLayout: string[];
  config: WorldModelConfig;
  weights: { file: string; sha256: string; tensors: TensorEntry[] };
  /** Free-form: steps, wall time, backend, losses, evaluation scores. */
  training: Record<string, unknown>;
  createdAt: string;
}

/** Writes named tensors into one float32 file; returns its index and hash. */
export function writeTensors(path: string, named: [string, tf.Tensor][]): { sha256: string; tensors: TensorEntry[] } {
  const total = named.reduce((s, [, t]) => s + t.size, 0);
  const buf = new Float32Array(total);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of named) {
    buf.set(t.dataSync() as Float32Array, offset);
    tensors.push({ name, shape: [...t.shape], offset });
    offset += t.size;
  }
  const bytes = new Uint8Array(buf.buffer);
  writeFileAtomic(path, bytes);
  return { sha256: sha256(bytes), tensors };
}

/** Reads a tensor file written by {@link writeTensors}, checking its hash; returns name → values. */
export function readTensors(path: string, index: { sha256: string; tensors: TensorEntry[] }, what: string): Map<string, { shape: number[]; values: Float32Array }> {
  if (!existsSync(path)) throw new UserError('E_CHECKPOINT', `${what}: ${path} is missing. Re-run \`planarena train world-model\` or point --checkpoint at a complete checkpoint directory.`);
  const bytes = readFileSync(path);
  if (sha256(bytes) !== index.sha256) {
    throw new UserError('E_CHECKPOINT', `${what}: ${path} is corrupt (SHA-256 does not match model.json). Restore it from git or retrain with \`planarena train world-model\`.`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of index.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > all.length) throw new UserError('E_CHECKPOINT', `${what}: tensor ${e.name} lies past the end of ${path}; the file is truncated. Retrain or restore it.`);
    out.set(e.name, { shape: e.shape, values: all.subarray(e.offset, e.offset + size) });
  }
  return out;
}

export function saveCheckpoint(dir: string, model: WorldModel, info: { obsLayout: string[]; training: Record<string, unknown> }): CheckpointMeta {
  const named = [...model.namedVariables()] as [string, tf.Tensor][];
  const index = writeTensors(join(dir, 'weights.bin'), named);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    robot: model.config.robot,
    obsDim: model.shape.obsDim,
    actionDim: model.shape.actionDim,
    obsLayout: info.obsLayout,
    config: model.config as WorldModelConfig,
    weights: { file: 'weights.bin', ...index },
    training: info.training,
    createdAt: new Date().toISOString(),
  };
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(meta, null, 1) + '\n');
  return meta;
}

/** Reads and validates `model.json` only (cheap: no tfjs work). */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) throw new UserError('E_CHECKPOINT', `no world-model checkpoint at ${dir} (${file} not found). Train one with \`planarena train world-model --suite <suite> --out <dir>\` or pass --checkpoint <dir>.`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as CheckpointMeta;
  } catch (e) {
    throw new UserError('E_CHECKPOINT', `${file} is not valid JSON (${(e as Error).message}); the checkpoint is corrupt. Restore it or retrain.`);
  }
  if (meta?.format !== CHECKPOINT_FORMAT) throw new UserError('E_CHECKPOINT', `${file}: "format" is ${JSON.stringify(meta?.format)}, expected "${CHECKPOINT_FORMAT}"; this is not a world-model checkpoint.`);
  if (meta.version !== CHECKPOINT_VERSION) throw new UserError('E_CHECKPOINT', `${file}: checkpoint version ${meta.version} is not supported (this planarena reads version ${CHECKPOINT_VERSION}); retrain with this version.`);
  for (const key of ['robot', 'obsDim', 'actionDim', 'obsLayout', 'config', 'weights'] as const) {
    if (meta[key] === undefined) throw new UserError('E_CHECKPOINT', `${file}: field "${key}" is missing; the checkpoint is incomplete. Retrain it.`);
  }
  return meta;
}

/**
 * Loads a checkpoint into a new model, checking it fits the robot and observation layout the
 * caller will feed it (pass `expect` from the live environment).
 */
export function loadCheckpoint(dir: string, expect?: { robot?: RobotType; obsLayout?: string[]; actionDim?: number }): { model: WorldModel; meta: CheckpointMeta } {
  const meta = readCheckpointMeta(dir);
  const file = join(dir, 'model.json');
  if (expect?.robot && meta.robot !== expect.robot) {
    throw new UserError('E_CHECKPOINT', `${file} was trained for robot "${meta.robot}" but the scenario uses "${expect.robot}". Pass --checkpoint pointing at a ${expect.robot} checkpoint (e.g. planners/world-model/checkpoints/${expect.robot}).`);
  }
  if (expect?.actionDim !== undefined && meta.actionDim !== expect.actionDim) {
    throw new UserError('E_CHECKPOINT', `${file}: action dimension ${meta.actionDim} does not match the robot's ${expect.actionDim}. Retrain the checkpoint for this robot.`);
  }
  if (expect?.obsLayout) {
    const a = meta.obsLayout.join(',');
    const b = expect.obsLayout.join(',');
    if (a !== b) {
      const i = meta.obsLayout.findIndex((n, k) => n !== expect.obsLayout![k]);
      throw new UserError('E_CHECKPOINT', `${file}: observation layout differs from the simulator's (${meta.obsLayout.length} vs ${expect.obsLayout.length} slots; first difference at slot ${i}: "${meta.obsLayout[i]}" vs "${expect.obsLayout[i]}"). The simulator changed since training: retrain with \`planarena train world-model\`.`);
    }
  }
  const values = readTensors(join(dir, meta.weights.file), meta.weights, file);
  const model = new WorldModel(meta.config, { obsDim: meta.obsDim, actionDim: meta.actionDim });
  try {
    for (const [name, v] of model.namedVariables()) {
      const saved = values.get(name);
      if (!saved) throw new UserError('E_CHECKPOINT', `${file}: tensor "${name}" is missing; the checkpoint was written by an incompatible version. Retrain it.`);
      if (saved.shape.join('x') !== v.shape.join('x')) {
        throw new UserError('E_CHECKPOINT', `${file}: tensor "${name}" has shape [${saved.shape}] but the model expects [${v.shape}]; model.json and weights disagree. Retrain it.`);
      }
      v.assign(tf.tensor(saved.values, v.shape));
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
