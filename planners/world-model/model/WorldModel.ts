/**
 * The learned parts, wired together: encoder (+ EMA target), JEPA predictor, cost (heads and
 * critic), actor and probe. One short method per use, as in TD-MPC2; planning lives in
 * `Mppi.ts` and learning in `Trainer.ts`, not here.
 *
 * Every variable has a stable name (`predictor/l1/w`, ...) by which checkpoints store it.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../sim/rng.ts';
import { Actor } from './Actor.ts';
import type { WorldModelConfig } from '../Configurator.ts';
import type { Observation } from '../../../sim/types.ts';
import { modelInput } from '../io/sceneFeatures.ts';
import { Cost } from './Cost.ts';
import { Encoder } from './Encoder.ts';
import { Predictor } from './Predictor.ts';
import { ProbeHead } from './ProbeHead.ts';

export interface ModelShape {
  obsDim: number;
  actionDim: number;
}

export class WorldModel {
  readonly encoder: Encoder;
  readonly targetEncoder: Encoder;
  readonly predictor: Predictor;
  readonly cost: Cost;
  readonly actor: Actor;
  readonly probe: ProbeHead;

  /** Builds freshly initialised modules; `seed` fixes the initial weights. */
  constructor(
    readonly config: Readonly<WorldModelConfig>,
    readonly shape: ModelShape,
    seed = 0,
  ) {
    const { latent, hidden, critics } = config.model;
    const objects = config.model.objects ?? 0;
    const rng = Rng.fromKey(`world-model\u0000init\u0000${config.robot}\u0000${seed}`);
    this.encoder = new Encoder('encoder', shape.obsDim, hidden, latent, rng, true, objects);
    this.targetEncoder = new Encoder('encoder_target', shape.obsDim, hidden, latent, rng, false, objects);
    this.targetEncoder.follow(this.encoder, 1);
    this.predictor = new Predictor(latent, shape.actionDim, hidden, rng);
    this.cost = new Cost(latent, shape.actionDim, hidden, critics, rng);
    this.actor = new Actor(latent, shape.actionDim, hidden, rng);
    this.probe = new ProbeHead(latent, hidden, rng, config.model.subject === true);
  }

  encode(obs: tf.Tensor2D): tf.Tensor2D {
    return this.encoder.encode(obs);
  }

  /** Whether the model reads the object set (io/sceneFeatures.ts) after the flat vector. */
  get readsObjects(): boolean {
    return (this.config.model.objects ?? 0) > 0;
  }

  /** The model's input vector for one observation. */
  input(obs: Observation): Float32Array {
    return modelInput(obs, this.config.robot, this.readsObjects);
  }

  /** Latents [n, latent] of observations, each read as this model reads them. */
  encodeObservations(obs: readonly Observation[]): tf.Tensor2D {
    const D = this.shape.obsDim;
    const buf = new Float32Array(obs.length * D);
    obs.forEach((o, i) => {
      const x = this.input(o);
      if (x.length !== D) throw new Error(`world-model: observation gives ${x.length} input slots, the model expects ${D}`);
      buf.set(x, i * D);
    });
    return tf.tidy(() => this.encode(tf.tensor2d(buf, [obs.length, D])));
  }

  next(z: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D {
    return this.predictor.next(z, action);
  }

  pi(z: tf.Tensor2D): tf.Tensor2D {
    return this.actor.pi(z);
  }

  /** Variables trained by gradient (the targets follow by EMA). */
  get trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableVariables, ...this.predictor.variables, ...this.cost.trainableVariables, ...this.actor.variables, ...this.probe.variables];
  }

  /** Every variable, by name, in a fixed order: what a checkpoint stores. */
  namedVariables(): Map<string, tf.Variable> {
    return new Map([this.encoder, this.targetEncoder, this.predictor, this.cost, this.actor, this.probe].flatMap((m) => m.named()));
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    return this.trainableVariables.reduce((s, v) => s + v.size, 0);
  }

  /** EMA step of the target encoder and target critics. */
  updateTargets(tau: number): void {
    this.targetEncoder.follow(this.encoder, tau);
    this.cost.updateTargets(tau);
  }

  dispose(): void {
    for (const m of [this.encoder, this.targetEncoder, this.predictor, this.cost, this.actor, this.probe]) m.dispose();
  }
}
