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
 *     goal      ĝ(ẑₜ₊₁) ≈ dₜ₊₁;  failure p̂(ẑₜ₊₁) ≈ failₜ;  probe(ẑ) ≈ positionₜ₊₁ (through the
 *               latent when `probeGradient`, else on sg ẑ)
 *   VICReg on z₀: variance hinge (std ≥ 1 per dimension) + off-diagonal covariance, against collapse
 *
 * The rollout through the predictor is sequential; every head and loss then runs once on all
 * R steps stacked ([R·B] rows, weights ρᵗ per row) rather than R times: half the kernels per
 * step (6,001 → 2,665 for diffdrive), which is what a GPU's per-kernel overhead charges for.
 *
 * Then the target encoder and target critics follow by EMA. Gradients are clipped by global
 * norm. Loss components are read back from the device only when asked (each read-back is a
 * sync point, which dominates small steps on a GPU).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../Configurator.ts';
import type { Batch } from './ReplayBuffer.ts';
import type { WorldModel } from '../model/WorldModel.ts';

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
      // Step-major layouts: row t·B + b is window b at step t, so every head below runs once on
      // all R steps (a [R·B] batch) instead of once per step: fewer, larger kernels.
      const obs = tf.tensor3d(batch.obs, [R + 1, B, D]);
      const actAll = tf.tensor2d(batch.actions, [R * B, A]);
      const actions = tf.split(actAll, R, 0) as tf.Tensor2D[];
      const rewards = tf.tensor1d(batch.rewards);
      const goal = tf.tensor1d(batch.goalDistance); // (R+1)·B: rows of ẑ₀..ẑ_R
      const fail = tf.tensor1d(batch.failure);
      const done = tf.tensor1d(batch.terminal);
      const pos = tf.tensor2d(batch.position, [(R + 1) * B, 3]);
      const subj = tf.tensor2d(batch.subject, [(R + 1) * B, 3]);
      const subjW = tf.tensor1d(batch.subjectWeight);
      const imit = tf.tensor2d(batch.imitation, [R, B]);
      const imitActions = batch.imitationActions ? tf.tensor2d(batch.imitationActions, [R * B, A]) : actAll;

      // Targets: the target encoder's embeddings and TD targets, outside the gradient.
      const targetZ = m.targetEncoder.encode(obs.slice([1, 0, 0], [R, B, D]).reshape([R * B, D]) as tf.Tensor2D);
      const tdTarget = tf.add(rewards, tf.mul(tf.mul(tf.sub(1, done), this.gamma), m.cost.value(targetZ, true)));
      const o0 = obs.slice([0, 0, 0], [1, B, D]).reshape([B, D]) as tf.Tensor2D;
      const c = this.cfg;
      // Weights: step t counts ρᵗ/Σρ, and each of its B rows 1/B of that (a mean over the batch);
      // the rows of ẑ₀ (goal and probe only) count 1/B.
      const rho = Array.from({ length: R }, (_, t) => c.rho ** t);
      const rhoSum = rho.reduce((a, b) => a + b, 0);
      const rows = new Float32Array((R + 1) * B);
      rows.fill(1 / B, 0, B);
      for (let t = 0; t < R; t++) rows.fill(rho[t] / rhoSum / B, (t + 1) * B, (t + 2) * B);
      const wAll = tf.tensor1d(rows);
      const wSteps = wAll.slice([B], [R * B]);
      const stepWeights = tf.tensor1d(rho.map((r) => r / rhoSum));
      /** Σ over rows of weight × the row's mean over its last axis. */
      const weighted = (perRow: tf.Tensor, w: tf.Tensor): tf.Scalar => tf.sum(tf.mul(perRow.rank > 1 ? tf.mean(perRow, -1) : perRow, w)) as tf.Scalar;

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

        // The latent rollout is sequential by nature; everything else runs once on all steps.
        const zs: tf.Tensor2D[] = [z0];
        for (let t = 0; t < R; t++) zs.push(m.next(zs[t], actions[t]));
        const zIn = tf.concat(zs.slice(0, R), 0) as tf.Tensor2D; // ẑ₀..ẑ_{R−1}
        const zOut = tf.concat(zs.slice(1), 0) as tf.Tensor2D; // ẑ₁..ẑ_R
        const zAll = tf.concat([z0, zOut], 0) as tf.Tensor2D; // ẑ₀..ẑ_R

        const jepa = weighted(tf.square(tf.sub(zOut, targetZ)), wSteps);
        const task = m.cost.taskOutputs(zAll);
        const goalL = weighted(tf.square(tf.sub(task.goal, goal)), wAll);
        const failL = weighted(tf.losses.sigmoidCrossEntropy(fail, task.failureLogit.slice([B], [R * B]), undefined, 0, tf.Reduction.NONE), wSteps);
        const rewardL = weighted(tf.square(tf.sub(m.cost.rewardOf(zIn, actAll), rewards)), wSteps);
        const valueL = weighted(tf.mean(tf.square(tf.sub(m.cost.values(zIn), tdTarget.expandDims(0))), 0), wSteps);
        // Actor: a weighted mean over the imitation rows of each step, then over steps.
        const imitErr = tf.sum(tf.square(tf.sub(m.pi(zIn), imitActions)), 1).reshape([R, B]);
        const perStep = tf.div(tf.sum(tf.mul(imitErr, imit), 1), tf.add(tf.sum(imit, 1), 1e-6));
        const actorL = tf.sum(tf.mul(perStep, stepWeights)) as tf.Scalar;
        // The probe reads the latents; with `probeGradient` its error also shapes them (encoder and
        // predictor), so imagined latents keep where the robot is: what the viewer draws and the
        // hard-wired costs read. Checkpoints from before it had a pure read-out.
        const probeIn = c.probeGradient ? zAll : (stopGradient(zAll) as tf.Tensor2D);
        const robotOut = m.probe.position(probeIn);
        let probeL = weighted(tf.square(tf.sub(robotOut, pos)), wAll);
        // The subject head (push tasks: where the object is), on the rows that recorded it.
        const subjectOut = m.probe.decodesSubject ? m.probe.subject(probeIn) : null;
        if (subjectOut) probeL = tf.add(probeL, weighted(tf.square(tf.sub(subjectOut, subj)), tf.mul(wAll, subjW))) as tf.Scalar;
        // Motion: the imagined displacement since ẑ₀ against the true one, weighted `motionWeight`.
        // Absolute positions span metres and an object moves centimetres per step; this term is
        // what makes the predictor say where a push (or a stop) takes the object.
        if (c.motionWeight) {
          const moved = (out: tf.Tensor2D, target: tf.Tensor2D) => {
            const o = out.reshape([R + 1, B, 3]);
            const y = target.reshape([R + 1, B, 3]);
            const d = tf.sub(tf.sub(o.slice([1, 0, 0], [R, B, 3]), o.slice([0, 0, 0], [1, B, 3])), tf.sub(y.slice([1, 0, 0], [R, B, 3]), y.slice([0, 0, 0], [1, B, 3])));
            return tf.square(d).reshape([R * B, 3]);
          };
          let motion = weighted(moved(robotOut, pos), wSteps);
          if (subjectOut) {
            // A row counts where both it and its window's first row recorded the subject.
            const w0 = subjW.slice([0], [B]);
            const both = tf.mul(subjW.slice([B], [R * B]).reshape([R, B]), w0.expandDims(0)).reshape([R * B]);
            motion = tf.add(motion, weighted(moved(subjectOut, subj), tf.mul(wSteps, both))) as tf.Scalar;
          }
          probeL = tf.add(probeL, tf.mul(motion, c.motionWeight)) as tf.Scalar;
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
