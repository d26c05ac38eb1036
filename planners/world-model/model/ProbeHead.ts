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
  /** The subject's head (`ModelConfig.subject`): the pushed object's position relative to the
   * goal on push tasks, the robot point's otherwise. Null in checkpoints from before it. */
  private readonly subjectMlp: Mlp | null;

  constructor(latent: number, hidden: number, rng: Rng, subject = false) {
    super(new Mlp('probe', [latent, hidden, 3], rng));
    this.subjectMlp = subject ? new Mlp('probe_subject', [latent, hidden, 3], rng) : null;
  }

  /** [B, latent] → [B, 3]. */
  position(z: tf.Tensor2D): tf.Tensor2D {
    return this.mlp.apply(z);
  }

  get decodesSubject(): boolean {
    return this.subjectMlp !== null;
  }

  /** [B, latent] → [B, 3]: the subject's offset from the goal; throws without the subject head. */
  subject(z: tf.Tensor2D): tf.Tensor2D {
    if (!this.subjectMlp) throw new Error('world-model: this checkpoint\'s probe does not decode the task subject');
    return this.subjectMlp.apply(z);
  }

  override get variables(): tf.Variable[] {
    return this.subjectMlp ? [...super.variables, ...this.subjectMlp.variables] : super.variables;
  }

  override named(): [string, tf.Variable][] {
    return this.subjectMlp ? [...super.named(), ...this.subjectMlp.named()] : super.named();
  }

  override dispose(): void {
    super.dispose();
    this.subjectMlp?.dispose();
  }
}
