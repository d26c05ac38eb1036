/**
 * The world-model checkpoint format (one directory per robot type) and the limits a checkpoint
 * must keep, shared by the writer (`Checkpoint.ts`) and the checker (`validateCheckpoint.ts`):
 *
 *     <dir>/model.json    format, robot, shapes, observation layout, resolved config,
 *                         tensor index (name, shape, offset) and the SHA-256 of weights.bin,
 *                         training metrics
 *     <dir>/weights.bin   every tensor, float32 little-endian, concatenated in index order
 */
import type { RobotType } from '../../../scenarios/schema.ts';
import type { WorldModelConfig } from '../Configurator.ts';

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

/**
 * What a checkpoint may ask for, checked before anything is allocated. The shipped checkpoints
 * use hidden 128, latent 64, 2 critics, 56 observation slots and 0.5 MB of weights; the limits
 * leave room for models 16× wider while refusing the absurd (`hidden: 2e6` reached 3 GB before
 * failing).
 */
export const CHECKPOINT_LIMITS = {
  /** Largest model.json read (bytes). */
  metaBytes: 16 << 20,
  /** Largest weights file read (bytes). */
  weightsBytes: 256 << 20,
  /** Widest hidden layer. */
  hidden: 2048,
  /** Widest latent. */
  latent: 1024,
  /** Most critics in the ensemble. */
  critics: 16,
  /** Most observation slots. */
  obsDim: 4096,
  /** Most action components. */
  actionDim: 64,
  /** Most tensors in the index. */
  tensors: 1000,
  /** Smallest observation standard deviation (the encoder divides by it). */
  minStd: 1e-6,
} as const;
