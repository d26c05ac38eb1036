/**
 * The world model proper (JEPA predictor): (latent, action) → next latent.
 *
 * It is trained to predict the *target encoder's embedding* of the next observation, never the
 * observation itself, and is applied recurrently during training (multi-step rollout loss) so
 * that its own predictions are good inputs for the next step — which is how the planner uses it.
 * The output is a residual on the input latent: most of the state persists from one 0.1 s step
 * to the next.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { Mlp, MlpModule } from './Mlp.ts';

export class Predictor extends MlpModule {
  constructor(latent: number, actionDim: number, hidden: number, rng: Rng) {
    super(new Mlp('predictor', [latent + actionDim, hidden, hidden, latent], rng));
  }

  /** [B, latent], [B, actionDim] → [B, latent]. */
  next(z: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(z, this.mlp.apply(tf.concat([z, action], 1))));
  }
}
