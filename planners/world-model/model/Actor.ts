/**
 * Actor (policy prior): latent → action in [-1, 1]. It proposes action sequences to the planner
 * (rolled out through the predictor), and is trained by imitation of good behaviour: the scripted
 * controllers' actions in the seed data and, once the model plans, the planner's own chosen
 * actions (TD-MPC2 distils planning into its prior in the same spirit).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { Mlp, MlpModule } from './Mlp.ts';

export class Actor extends MlpModule {
  constructor(latent: number, actionDim: number, hidden: number, rng: Rng) {
    super(new Mlp('actor', [latent, hidden, actionDim], rng, { out: 'tanh' }));
  }

  /** [B, latent] → [B, actionDim]. */
  pi(z: tf.Tensor2D): tf.Tensor2D {
    return this.mlp.apply(z);
  }
}
