/**
 * Perception: observation → latent. The input is `obs.flat` (proprioception, goal, lidar, the 3
 * nearest objects, push geometry) and, when the model was built with `objects` > 0, the whole
 * object list as a set (io/sceneFeatures.ts), pooled by the set encoder and joined to the flat
 * part before the MLP.
 *
 * Observations are standardised with per-slot statistics fixed at the start of training (stored
 * in the checkpoint), so lidar metres, radians and velocities enter on one scale. The online
 * encoder is trained by every loss; a second, non-trainable copy (the JEPA target encoder) follows
 * it by exponential moving average and provides the embeddings the predictor must hit.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { MAX_OBJECTS, OBJECT_FEATURES } from '../io/sceneFeatures.ts';
import { Mlp } from './Mlp.ts';
import { SetEncoder } from './SetEncoder.ts';

export class Encoder {
  readonly mlp: Mlp;
  /** The object-set encoder; null for a flat-only model. */
  readonly objects: SetEncoder | null;
  /** Standardisation: (obs − mean) / std, per slot. Non-trainable variables so they save and load with the weights. */
  readonly mean: tf.Variable;
  readonly std: tf.Variable;
  /** Length of the flat part of the input (the rest is the object set and its mask). */
  readonly flatDim: number;

  /** `obsDim` is the whole input; `objectWidth` > 0 adds the set encoder (the input then ends
   * with the set block of io/sceneFeatures.ts). */
  constructor(readonly name: string, readonly obsDim: number, hidden: number, latent: number, rng: Rng, trainable = true, objectWidth = 0) {
    this.flatDim = objectWidth > 0 ? obsDim - MAX_OBJECTS * (OBJECT_FEATURES + 1) : obsDim;
    if (this.flatDim <= 0) throw new Error(`encoder: input of ${obsDim} slots is too short for the object set`);
    this.objects = objectWidth > 0 ? new SetEncoder(name, objectWidth, rng, trainable) : null;
    this.mlp = new Mlp(name, [this.flatDim + (this.objects?.outputSize ?? 0), hidden, latent], rng, { trainable });
    this.mean = tf.variable(tf.zeros([this.flatDim]), false);
    this.std = tf.variable(tf.ones([this.flatDim]), false);
  }

  /** [B, obsDim] → [B, latent]. */
  encode(obs: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = this.objects ? obs.slice([0, 0], [-1, this.flatDim]) : obs;
      const x = tf.clipByValue(tf.div(tf.sub(flat, this.mean), this.std), -10, 10) as tf.Tensor2D;
      if (!this.objects) return this.mlp.apply(x);
      const setLen = MAX_OBJECTS * OBJECT_FEATURES;
      const set = obs.slice([0, this.flatDim], [-1, setLen]) as tf.Tensor2D;
      const mask = obs.slice([0, this.flatDim + setLen], [-1, MAX_OBJECTS]) as tf.Tensor2D;
      return this.mlp.apply(tf.concat([x, this.objects.pool(set, mask)], 1) as tf.Tensor2D);
    });
  }

  /** Sets the standardisation of the flat part from data (statistics of the whole input may be
   * passed: the set block is not standardised); slots that never vary keep std 1. */
  setNormalization(mean: Float32Array, std: Float32Array): void {
    const safe = std.subarray(0, this.flatDim).map((s) => (s > 1e-6 ? s : 1));
    this.mean.assign(tf.tensor1d(mean.subarray(0, this.flatDim)));
    this.std.assign(tf.tensor1d(safe));
  }

  /** EMA update toward `online` (τ = 1 copies it). */
  follow(online: Encoder, tau: number): void {
    this.mlp.blendFrom(online.mlp, tau);
    if (this.objects && online.objects) this.objects.mlp.blendFrom(online.objects.mlp, tau);
    this.mean.assign(online.mean);
    this.std.assign(online.std);
  }

  get variables(): tf.Variable[] {
    return [...this.mlp.variables, ...(this.objects?.variables ?? []), this.mean, this.std];
  }

  named(): [string, tf.Variable][] {
    return [...this.mlp.named(), ...(this.objects?.named() ?? []), [`${this.name}/obs_mean`, this.mean], [`${this.name}/obs_std`, this.std]];
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.mlp.variables, ...(this.objects?.variables ?? [])];
  }

  dispose(): void {
    this.mlp.dispose();
    this.objects?.dispose();
    this.mean.dispose();
    this.std.dispose();
  }
}
