/**
 * The one building block of every module: a multilayer perceptron with named tfjs variables.
 * Hidden layers are Linear → LayerNorm → ELU (TD-MPC2 uses LayerNorm + Mish; ELU is a single
 * fused kernel on every backend, which matters for per-kernel GPU overhead).
 *
 * Weights are initialised from a seeded `Rng`, never tfjs's own random ops, so a model built
 * with the same seed is bit-identical on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';

export interface MlpOptions {
  /** Activation of the output layer. */
  out?: 'linear' | 'tanh';
  /** LayerNorm on hidden layers (default true). */
  layerNorm?: boolean;
  trainable?: boolean;
}

export class Mlp {
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];

  constructor(
    readonly name: string,
    readonly sizes: readonly number[],
    rng: Rng,
    private readonly opts: MlpOptions = {},
  ) {
    for (let i = 0; i + 1 < sizes.length; i++) {
      const [fanIn, fanOut] = [sizes[i], sizes[i + 1]];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float32Array(fanIn * fanOut);
      for (let k = 0; k < w.length; k++) w[k] = rng.uniform(-limit, limit);
      const trainable = opts.trainable ?? true;
      // tfjs variable names are global and must be unique, so the stable checkpoint names live in
      // `named()` and the tfjs ones are left to tfjs.
      this.weights.push(tf.variable(tf.tensor2d(w, [fanIn, fanOut]), trainable));
      this.biases.push(tf.variable(tf.zeros([fanOut]), trainable));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  /** Variables under their stable checkpoint names (`<mlp>/l<i>/w`, `<mlp>/l<i>/b`). */
  named(): [string, tf.Variable][] {
    return [
      ...this.weights.map((v, i): [string, tf.Variable] => [`${this.name}/l${i}/w`, v]),
      ...this.biases.map((v, i): [string, tf.Variable] => [`${this.name}/l${i}/b`, v]),
    ];
  }

  get inputSize(): number {
    return this.sizes[0];
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1];
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      const last = this.weights.length - 1;
      for (let i = 0; i <= last; i++) {
        h = tf.add(tf.matMul(h, this.weights[i]), this.biases[i]);
        if (i < last) {
          if (this.opts.layerNorm ?? true) h = layerNorm(h);
          h = tf.elu(h);
        }
      }
      return this.opts.out === 'tanh' ? tf.tanh(h) : h;
    });
  }

  /** Copies another MLP's weights (same sizes) into this one: `this = τ·src + (1−τ)·this`. */
  blendFrom(src: Mlp, tau: number): void {
    tf.tidy(() => {
      const mine = this.variables;
      const theirs = src.variables;
      for (let i = 0; i < mine.length; i++) {
        mine[i].assign(tau >= 1 ? theirs[i] : tf.add(tf.mul(theirs[i], tau), tf.mul(mine[i], 1 - tau)));
      }
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** LayerNorm without affine parameters (the next Linear layer absorbs scale and shift). */
/** A learned part made of one network: owns it, exposes its variables under their names and
 * frees it. Actor, predictor and probe differ only in what they compute with it. */
export abstract class MlpModule {
  constructor(readonly mlp: Mlp) {}

  get variables(): tf.Variable[] {
    return this.mlp.variables;
  }

  named(): [string, tf.Variable][] {
    return this.mlp.named();
  }

  dispose(): void {
    this.mlp.dispose();
  }
}

export function layerNorm(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))) as tf.Tensor2D;
  });
}
