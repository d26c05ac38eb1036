/**
 * Probe head: latent → the task subject's position [x, y, z] relative to the goal (robot
 * chassis; the end effector for the arm); `decodePaths` turns it into world positions, anchored at
 * the observed robot point. It serves people (the viewer draws imagined futures by decoding
 * predicted latents through it) and the hard-wired clearance cost (imagined positions against
 * the listed obstacles). Trained on stop-gradient latents so it reads the representation without
 * shaping it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { Mlp, MlpModule } from './Mlp.ts';

export class ProbeHead extends MlpModule {
  constructor(latent: number, hidden: number, rng: Rng) {
    super(new Mlp('probe', [latent, hidden, 3], rng));
  }

  /** [B, latent] → [B, 3]. */
  position(z: tf.Tensor2D): tf.Tensor2D {
    return this.mlp.apply(z);
  }
}
