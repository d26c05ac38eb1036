/**
 * One gradient step of every learned module on a batch of replayed windows.
 *
 *   z₀ = enc(o₀);  targets z*ₜ = sg(enc_target(oₜ))
 *   for t in 0..R−1 (weights ρᵗ):
 *     reward    r̂(ẑₜ, aₜ) ≈ rₜ
 *     critic    V_k(ẑₜ) ≈ rₜ + γ(1 − doneₜ)·V̄_target(z*ₜ₊₁)       (TD, ensemble)
 *     actor     π(ẑₜ) ≈ aₜ   (imitation of the scripted controllers' actions only; its gradient
 *               reaches encoder and predictor, so the latent keeps what the action depends on)
 *     ẑₜ₊₁ = P(ẑₜ, aₜ)
 *     JEPA      ‖ẑₜ₊₁ − z*ₜ₊₁‖²                                     (multi-step rollout loss)
 *     goal      ĝ(ẑₜ₊₁) ≈ dₜ₊₁;  failure p̂(ẑₜ₊₁) ≈ failₜ;  probe(sg ẑ) ≈ positionₜ₊₁
 *   VICReg on z₀: variance hinge (std ≥ 1 per dimension) + off-diagonal covariance, against collapse
 *
 * Then the target encoder and target critics follow by EMA. Gradients are clipped by global
 * norm. Loss components are read back from the device only when asked (each read-back is a
 * sync point, which dominates small steps on a GPU).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './Configurator.ts';
import type { Batch } from './ReplayBuffer.ts';
import type { WorldModel } from './WorldModel.ts';

export const LOSS_NAMES = ['total', 'jepa', 'vicreg', 'goal', 'reward', 'failure', 'value', 'actor', 'probe'] as const;
export type Losses = Record<(typeof LOSS_NAMES)[number], number>;

const MAX_GRAD_NORM = 20;

/** Identity forward, zero gradient backward (tfjs has no public stop-gradient op). */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

export class Trainer {
  readonly optimizer: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];
  steps = 0;

  constructor(
    readonly model: WorldModel,
    readonly cfg: Readonly<TrainConfig>,
    readonly gamma: number,
  ) {
    this.optimizer = tf.train.adam(cfg.lr);
    this.vars = model.trainableVariables;
  }

  /** One update; returns the loss components when `report` is true (one device read-back). */
  step(batch: Batch, report = false): Losses | null {
    const m = this.model;
    const { size: B, rollout: R } = batch;
    const D = m.shape.obsDim;
    const A = m.shape.actionDim;
    let components: tf.Tensor1D | null = null;

    tf.tidy(() => {
      const obs = tf.tensor3d(batch.obs, [R + 1, B, D]);
      const actions = tf.unstack(tf.tensor3d(batch.actions, [R, B, A])) as tf.Tensor2D[];
      const rewards = tf.tensor2d(batch.rewards, [R, B]);
      const goal = tf.tensor2d(batch.goalDistance, [R + 1, B]);
      const fail = tf.tensor2d(batch.failure, [R, B]);
      const done = tf.tensor2d(batch.terminal, [R, B]);
      const pos = tf.tensor3d(batch.position, [R + 1, B, 3]);
      const imit = tf.tensor2d(batch.imitation, [R, B]);
      const imitActions = batch.imitationActions ? (tf.unstack(tf.tensor3d(batch.imitationActions, [R, B, A])) as tf.Tensor2D[]) : actions;

      // Targets: the target encoder's embeddings and TD targets, outside the gradient.
      const targetZ = m.targetEncoder.encode(obs.slice([1, 0, 0], [R, B, D]).reshape([R * B, D]) as tf.Tensor2D);
      const nextV = m.cost.value(targetZ, true).reshape([R, B]);
      const tdTarget = tf.add(rewards, tf.mul(tf.mul(tf.sub(1, done), this.gamma), nextV));
      const zStar = tf.unstack(targetZ.reshape([R, B, -1])) as tf.Tensor2D[];
      const tdT = tf.unstack(tdTarget) as tf.Tensor1D[];
      const o0 = obs.slice([0, 0, 0], [1, B, D]).reshape([B, D]) as tf.Tensor2D;
      const [rT, gT, fT, pT, iT] = [tf.unstack(rewards), tf.unstack(goal), tf.unstack(fail), tf.unstack(pos), tf.unstack(imit)];
      const rhoSum = Array.from({ length: R }, (_, t) => this.cfg.rho ** t).reduce((a, b) => a + b, 0);
      const c = this.cfg;

      const lossFn = (): tf.Scalar => {
        const z0 = m.encode(o0);
        // Anti-collapse (VICReg): every latent dimension keeps unit spread, dimensions decorrelate.
        const { mean, variance } = tf.moments(z0, 0);
        const varLoss = tf.mean(tf.relu(tf.sub(1, tf.sqrt(tf.add(variance, 1e-4)))));
        const centred = tf.sub(z0, mean);
        const cov = tf.div(tf.matMul(centred, centred, true, false), B - 1);
        const offDiag = tf.sub(tf.sum(tf.square(cov)), tf.sum(tf.square(tf.mul(cov, tf.eye(cov.shape[0])))));
        const covLoss = tf.div(offDiag, cov.shape[0]);
        const vicreg = tf.add(tf.mul(varLoss, c.varianceWeight), tf.mul(covLoss, c.covarianceWeight));

        let jepa: tf.Scalar = tf.scalar(0);
        let goalL: tf.Scalar = tf.losses.meanSquaredError(gT[0], m.cost.taskOutputs(z0).goal) as tf.Scalar;
        let rewardL: tf.Scalar = tf.scalar(0);
        let failL: tf.Scalar = tf.scalar(0);
        let valueL: tf.Scalar = tf.scalar(0);
        let actorL: tf.Scalar = tf.scalar(0);
        let probeL: tf.Scalar = tf.losses.meanSquaredError(pT[0], m.probe.position(stopGradient(z0) as tf.Tensor2D)) as tf.Scalar;
        let z = z0;
        for (let t = 0; t < R; t++) {
          const w = c.rho ** t / rhoSum;
          rewardL = tf.add(rewardL, tf.mul(tf.losses.meanSquaredError(rT[t], m.cost.rewardOf(z, actions[t])), w));
          const vs = m.cost.values(z);
          valueL = tf.add(valueL, tf.mul(tf.mean(tf.square(tf.sub(vs, tdT[t].expandDims(0)))), w));
          const imitErr = tf.sum(tf.square(tf.sub(m.pi(z), imitActions[t])), 1);
          actorL = tf.add(actorL, tf.mul(tf.div(tf.sum(tf.mul(imitErr, iT[t])), tf.add(tf.sum(iT[t]), 1e-6)), w));
          z = m.next(z, actions[t]);
          jepa = tf.add(jepa, tf.mul(tf.mean(tf.square(tf.sub(z, zStar[t]))), w));
          const task = m.cost.taskOutputs(z);
          goalL = tf.add(goalL, tf.mul(tf.losses.meanSquaredError(gT[t + 1], task.goal), w));
          failL = tf.add(failL, tf.mul(tf.losses.sigmoidCrossEntropy(fT[t], task.failureLogit), w));
          probeL = tf.add(probeL, tf.mul(tf.losses.meanSquaredError(pT[t + 1], m.probe.position(stopGradient(z) as tf.Tensor2D)), w));
        }
        const parts = [jepa, vicreg, goalL, rewardL, failL, valueL, actorL, probeL] as tf.Scalar[];
        const total = tf.addN([tf.mul(jepa, c.consistencyWeight), ...parts.slice(1)]) as tf.Scalar;
        if (report) components = tf.keep(tf.stack([total, ...parts]) as tf.Tensor1D);
        return total;
      };

      // Update parameters (global-norm clipping, then Adam).
      const { grads } = tf.variableGrads(lossFn, this.vars);
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(MAX_GRAD_NORM, tf.add(norm, 1e-6)));
      const ordered = this.vars.map((v) => ({ name: v.name, tensor: tf.mul(grads[v.name], scale) }));
      this.optimizer.applyGradients(ordered);
    });
    this.model.updateTargets(this.cfg.tau);
    this.steps++;

    if (!components) return null;
    const values = (components as tf.Tensor1D).dataSync();
    (components as tf.Tensor1D).dispose();
    return Object.fromEntries(LOSS_NAMES.map((n, i) => [n, values[i]])) as Losses;
  }

  /** Adam's moments, in variable order, for `--resume`. */
  async optimizerState(): Promise<[string, tf.Tensor][]> {
    const weights = await this.optimizer.getWeights();
    return weights.map((w, i) => [`adam/${i}`, w.tensor]);
  }

  async setOptimizerState(tensors: tf.Tensor[]): Promise<void> {
    await this.optimizer.setWeights(tensors.map((tensor, i) => ({ name: `adam/${i}`, tensor })));
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
