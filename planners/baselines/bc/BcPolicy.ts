/**
 * The behaviour-cloning policy: observation → action in [-1, 1], trained by imitation of the
 * scripted controller and nothing else (no world model, no search). It reads exactly what the
 * world model reads (`modelInput`: `obs.flat`, then every listed object as a set) through the
 * world model's own perception network (`Encoder`: standardisation, set encoder, MLP), followed
 * by an MLP head. Same input, same encoder architecture: the difference from `world-model-actor`
 * is only what the network was trained to do.
 */
import * as tf from '@tensorflow/tfjs';
import type { RobotType } from '../../../scenarios/schema.ts';
import { Rng } from '../../../sim/rng.ts';
import type { Observation } from '../../../sim/types.ts';
import { modelInput } from '../../world-model/io/sceneFeatures.ts';
import { Encoder } from '../../world-model/model/Encoder.ts';
import { Mlp } from '../../world-model/model/Mlp.ts';

/** Network sizes and learning settings; stored in the checkpoint. */
export interface BcConfig {
  robot: RobotType;
  /** Hidden width of the encoder and the head. */
  hidden: number;
  /** Width of the object-set encoder; 0: the policy reads only `obs.flat`. */
  objects: number;
  /** Samples per gradient step. */
  batch: number;
  lr: number;
}

export function defaultBcConfig(robot: RobotType): BcConfig {
  return { robot, hidden: 128, objects: 64, batch: 128, lr: 1e-3 };
}

export interface BcShape {
  obsDim: number;
  actionDim: number;
}

export class BcPolicy {
  readonly encoder: Encoder;
  readonly head: Mlp;

  /** Freshly initialised; `seed` fixes the initial weights. */
  constructor(
    readonly config: Readonly<BcConfig>,
    readonly shape: BcShape,
    seed = 0,
  ) {
    const rng = Rng.fromKey(`bc\u0000init\u0000${config.robot}\u0000${seed}`);
    this.encoder = new Encoder('bc/encoder', shape.obsDim, config.hidden, config.hidden, rng, true, config.objects);
    this.head = new Mlp('bc/head', [config.hidden, config.hidden, shape.actionDim], rng, { out: 'tanh' });
  }

  /** The input vector for one observation: the world model's (io/sceneFeatures.ts). */
  input(obs: Observation): Float32Array {
    return modelInput(obs, this.config.robot, this.config.objects > 0);
  }

  /** [B, obsDim] → [B, actionDim]. */
  act(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.encoder.encode(x)));
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableVariables, ...this.head.variables];
  }

  /** Every variable by its stable name, in a fixed order: what a checkpoint stores. */
  namedVariables(): Map<string, tf.Variable> {
    return new Map([...this.encoder.named(), ...this.head.named()]);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
