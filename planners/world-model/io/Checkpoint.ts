/**
 * Checkpoint files: one directory per robot type (format in `checkpointFormat.ts`).
 *
 * Writes are crash-safe: each file is written to a temporary name, fsynced and renamed, weights
 * first, so a reader sees either the old checkpoint or the new one (a mismatch is caught by the
 * hash). Loading runs the full preflight (`validateCheckpoint.ts`) before a single tensor is
 * allocated; every problem is a `UserError` (`E_CHECKPOINT`) naming the file and the fix.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointMeta, type TensorEntry } from './checkpointFormat.ts';
import type { WorldModelConfig } from '../Configurator.ts';
import { writeFileAtomic } from './files.ts';
import { validateCheckpoint, type CheckpointExpectation } from './validateCheckpoint.ts';
import { WorldModel } from '../model/WorldModel.ts';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointMeta, type TensorEntry } from './checkpointFormat.ts';
export { readCheckpointMeta, readTensors, validateCheckpoint } from './validateCheckpoint.ts';

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

/**
 * Loads a checkpoint into a new model, checking it fits the robot and observation layout the
 * caller will feed it (pass `expect` from the live environment).
 */
export function loadCheckpoint(dir: string, expect?: CheckpointExpectation): { model: WorldModel; meta: CheckpointMeta } {
  const { meta, tensors: values } = validateCheckpoint(dir, expect);
  const file = join(dir, 'model.json');
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
