/**
 * Cost module: the intrinsic task cost and the trainable critic.
 *
 * - task head, output 1, ĝ(z): distance from the task's subject to the goal (metres), supervised by the
 *   simulator's `goalDistance`; the main intrinsic cost (DINO-WM / V-JEPA 2-AC plan on a distance
 *   to the goal too, there in embedding space).
 * - reward head r̂(z, a): the simulator's dense reward.
 * - task head, output 2, p̂(z): probability that the state is a failure (flipped, left the arena).
 * - critic: an ensemble of value heads V_k(z) trained on TD targets from an EMA target copy;
 *   planning uses their mean at the end of the horizon.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../sim/rng.ts';
import type { CostWeights } from '../Configurator.ts';
import { Mlp } from './Mlp.ts';

export class Cost {
  /** Goal distance and failure logit share one head: one MLP per imagined step instead of two. */
  readonly task: Mlp;
  readonly reward: Mlp;
  readonly critics: Mlp[];
  readonly targetCritics: Mlp[];

  constructor(latent: number, actionDim: number, hidden: number, critics: number, rng: Rng) {
    this.task = new Mlp('cost/task', [latent, hidden, 2], rng);
    this.reward = new Mlp('cost/reward', [latent + actionDim, hidden, 1], rng);
    this.critics = Array.from({ length: critics }, (_, k) => new Mlp(`cost/critic${k}`, [latent, hidden, 1], rng));
    this.targetCritics = this.critics.map((c, k) => {
      const t = new Mlp(`cost/critic${k}_target`, c.sizes, rng, { trainable: false });
      t.blendFrom(c, 1);
      return t;
    });
  }

  /** Goal distance ≥ 0 (softplus keeps the head's output in range). [B, L] → [B]. */
  goalDistance(z: tf.Tensor2D): tf.Tensor1D {
    return this.taskOutputs(z).goal;
  }

  /** Both task outputs from one pass: goal distance (softplus keeps it ≥ 0) and failure logit. */
  taskOutputs(z: tf.Tensor2D): { goal: tf.Tensor1D; failureLogit: tf.Tensor1D } {
    return tf.tidy(() => {
      const [g, f] = tf.split(this.task.apply(z), 2, 1);
      return { goal: tf.softplus(g).reshape([-1]) as tf.Tensor1D, failureLogit: f.reshape([-1]) as tf.Tensor1D };
    });
  }

  rewardOf(z: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => this.reward.apply(tf.concat([z, action], 1)).reshape([-1]) as tf.Tensor1D);
  }


  /** Each critic's value: [K, B]. */
  values(z: tf.Tensor2D, target = false): tf.Tensor2D {
    return tf.tidy(() => tf.stack((target ? this.targetCritics : this.critics).map((c) => c.apply(z).reshape([-1]))) as tf.Tensor2D);
  }

  /** Mean of the ensemble: [B]. */
  value(z: tf.Tensor2D, target = false): tf.Tensor1D {
    return tf.tidy(() => tf.mean(this.values(z, target), 0) as tf.Tensor1D);
  }

  /** Cost of one imagined step: weights from the plan config; `gammaT` is γ^t. [B]. */
  stepCost(z: tf.Tensor2D, action: tf.Tensor2D, next: tf.Tensor2D, w: CostWeights, gammaT: number): tf.Tensor1D {
    return tf.tidy(() => {
      let c: tf.Tensor1D = tf.zeros([z.shape[0]]);
      if (w.goal || w.failure) {
        const { goal, failureLogit } = this.taskOutputs(next);
        if (w.goal) c = tf.add(c, tf.mul(goal, w.goal));
        if (w.failure) c = tf.add(c, tf.mul(tf.sigmoid(failureLogit), w.failure));
      }
      if (w.reward) c = tf.sub(c, tf.mul(this.rewardOf(z, action), w.reward));
      return tf.mul(c, gammaT) as tf.Tensor1D;
    });
  }

  /** EMA of the target critics toward the online ones. */
  updateTargets(tau: number): void {
    this.targetCritics.forEach((t, k) => t.blendFrom(this.critics[k], tau));
  }

  get trainableVariables(): tf.Variable[] {
    return [this.task, this.reward, ...this.critics].flatMap((m) => m.variables);
  }

  named(): [string, tf.Variable][] {
    return [this.task, this.reward, ...this.critics, ...this.targetCritics].flatMap((m) => m.named());
  }

  dispose(): void {
    for (const m of [this.task, this.reward, ...this.critics, ...this.targetCritics]) m.dispose();
  }
}
