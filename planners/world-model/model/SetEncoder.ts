/**
 * The object-set half of perception: one network applied to every object the observation lists
 * (io/sceneFeatures.ts), then masked mean and max pooling over the objects present. The pooled
 * vector does not depend on the order of the list (Deep Sets; a test checks it), and the same
 * weights serve two objects or thirty.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import { MAX_OBJECTS, OBJECT_FEATURES } from '../io/sceneFeatures.ts';
import { Mlp, MlpModule } from './Mlp.ts';

export class SetEncoder extends MlpModule {
  constructor(name: string, readonly width: number, rng: Rng, trainable = true) {
    super(new Mlp(`${name}/objects`, [OBJECT_FEATURES, width, width], rng, { trainable }));
  }

  /** Width of the pooled output: mean and max of the per-object features. */
  get outputSize(): number {
    return 2 * this.width;
  }

  /** `set`: [B, MAX_OBJECTS × OBJECT_FEATURES], `mask`: [B, MAX_OBJECTS] → [B, 2 × width]. */
  pool(set: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const B = set.shape[0];
      const W = this.width;
      const per = this.mlp.apply(set.reshape([B * MAX_OBJECTS, OBJECT_FEATURES]) as tf.Tensor2D).reshape([B, MAX_OBJECTS, W]);
      const m = mask.reshape([B, MAX_OBJECTS, 1]);
      const count = tf.maximum(tf.sum(m, 1), 1); // [B, 1]
      const mean = tf.div(tf.sum(tf.mul(per, m), 1), count);
      // Absent slots are pushed far down before the max; a scene with no objects pools to 0.
      const any = tf.max(m, 1); // [B, 1]: 1 if any object is present
      const max = tf.mul(tf.max(tf.add(per, tf.mul(tf.sub(m, 1), 1e4)), 1), any);
      return tf.concat([mean, max], 1) as tf.Tensor2D;
    });
  }
}
