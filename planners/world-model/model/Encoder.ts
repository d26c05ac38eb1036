/**
 * Perception: observation (`obs.flat`: proprioception, lidar, objects, goal) → latent.
 *
 * Observations are standardised with per-slot statistics fixed at the start of training (stored
 * in the checkpoint), so lidar metres, radians and velocities enter on one scale. The online
 * encoder is trained by every loss; a second, non-trainable copy (the JEPA target encoder) follows
 * it by exponential moving average and provides the embeddings the predictor must hit.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { Mlp } from './Mlp.ts';

export class Encoder {
  readonly mlp: Mlp;
  /** Standardisation: (obs − mean) / std, per slot. Non-trainable variables so they save and load with the weights. */
  readonly mean: tf.Variable;
  readonly std: tf.Variable;

  constructor(readonly name: string, obsDim: number, hidden: number, latent: number, rng: Rng, trainable = true) {
    this.mlp = new Mlp(name, [obsDim, hidden, latent], rng, { trainable });
    this.mean = tf.variable(tf.zeros([obsDim]), false);
    this.std = tf.variable(tf.ones([obsDim]), false);
  }

  get obsDim(): number {
    return this.mlp.inputSize;
  }

  /** [B, obsDim] → [B, latent]. */
  encode(obs: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.mlp.apply(tf.clipByValue(tf.div(tf.sub(obs, this.mean), this.std), -10, 10) as tf.Tensor2D));
  }

  /** Sets the standardisation from data; slots that never vary keep std 1 so they pass through as offsets. */
  setNormalization(mean: Float32Array, std: Float32Array): void {
    const safe = std.map((s) => (s > 1e-6 ? s : 1));
    this.mean.assign(tf.tensor1d(mean));
    this.std.assign(tf.tensor1d(safe));
  }

  /** EMA update toward `online` (τ = 1 copies it). */
  follow(online: Encoder, tau: number): void {
    this.mlp.blendFrom(online.mlp, tau);
    this.mean.assign(online.mean);
    this.std.assign(online.std);
  }

  get variables(): tf.Variable[] {
    return [...this.mlp.variables, this.mean, this.std];
  }

  named(): [string, tf.Variable][] {
    return [...this.mlp.named(), [`${this.name}/obs_mean`, this.mean], [`${this.name}/obs_std`, this.std]];
  }

  get trainableVariables(): tf.Variable[] {
    return this.mlp.variables;
  }

  dispose(): void {
    this.mlp.dispose();
    this.mean.dispose();
    this.std.dispose();
  }
}
