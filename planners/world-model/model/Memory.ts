/**
 * Short-term memory: the last few latents and actions of the running episode, plus what the
 * planner predicted for the current latent. The planner reads it to
 * - warm-start MPPI from the previous decision's plan (shifted by one step),
 * - notice when the robot is stuck (latent barely moving while commanded to move) and widen
 *   its search, and
 * - measure the model's one-step prediction error online (reported in episode stats), and
 * - keep the best route length to the goal seen so far, so the configurator can tell a planner
 *   that has stopped gaining (the stall response, Configurator.ts `stall`), and
 * - estimate the imagination's steady motion bias (offset-free correction, Configurator.ts
 *   `bias`): what the probe decoded as the one-step motion of the action taken, against the
 *   motion observed next, averaged over recent decisions.
 */
export class Memory {
  private readonly latents: Float32Array[] = [];
  private readonly actions: number[][] = [];
  /** The predictor's guess for the latent the next observation will have. */
  private predicted: Float32Array | null = null;
  private errorSum = 0;
  private errorCount = 0;
  private best = Infinity;
  private sinceGain = 0;
  /** The last decision's decoded one-step motions (robot, subject) and where they started. */
  private expected: { from: readonly number[]; motion: readonly number[]; subjectFrom?: readonly number[]; subjectMotion?: readonly number[] } | null = null;
  private readonly bias = { robot: [0, 0, 0], subject: [0, 0, 0] };

  constructor(readonly capacity = 8) {}

  /** Records the latent of the observation just received; scores the last prediction against it. */
  observe(latent: Float32Array): void {
    if (this.predicted) {
      this.errorSum += rms(latent, this.predicted);
      this.errorCount++;
      this.predicted = null;
    }
    this.latents.push(latent);
    if (this.latents.length > this.capacity) this.latents.shift();
  }

  /** Records the action taken and the latent the predictor expects next. */
  act(action: number[], predictedNext: Float32Array | null): void {
    this.actions.push(action);
    if (this.actions.length > this.capacity) this.actions.shift();
    this.predicted = predictedNext;
  }

  /** True when the last `window` latents moved less than `eps` (RMS) though actions were non-trivial. */
  stuck(window = 5, eps = 0.02): boolean {
    if (this.latents.length < window || this.actions.length < window - 1) return false;
    const recent = this.latents.slice(-window);
    const moved = rms(recent[0], recent[recent.length - 1]);
    const effort = this.actions.slice(-(window - 1)).reduce((s, a) => s + Math.sqrt(a.reduce((q, v) => q + v * v, 0) / a.length), 0) / (window - 1);
    return moved < eps && effort > 0.3;
  }

  /** Records this decision's distance to the goal (route length); returns how many decisions
   * have passed since it last fell `gain` below its best (0: it just did). */
  progress(distance: number, gain: number): number {
    if (distance < this.best - gain || this.best === Infinity) {
      this.best = distance;
      this.sinceGain = 0;
    } else {
      this.sinceGain++;
    }
    return this.sinceGain;
  }

  /** The best (shortest) distance `progress` has recorded this episode (Infinity before any). */
  get bestDistance(): number {
    return this.best;
  }

  /** Records the one-step motion (m, per axis) the probe decodes for the action taken, from the
   * robot point `from` (and for the subject, from `subjectFrom`). */
  expectMotion(from: readonly number[], motion: readonly number[], subjectFrom?: readonly number[], subjectMotion?: readonly number[]): void {
    this.expected = { from, motion, ...(subjectFrom && subjectMotion ? { subjectFrom, subjectMotion } : {}) };
  }

  /** Scores the last expected motion against the robot point `at` (and the subject's `subjectAt`)
   * now, folds the difference into the running bias at `rate` (an exponential average), and
   * returns the bias: the decoded motion per step minus the observed one (m). */
  motionBias(at: readonly number[], subjectAt: readonly number[] | undefined, rate: number): { robot: readonly number[]; subject: readonly number[] } {
    const e = this.expected;
    if (e) {
      for (let k = 0; k < 3; k++) this.bias.robot[k] += rate * (e.motion[k] - ((at[k] ?? 0) - (e.from[k] ?? 0)) - this.bias.robot[k]);
      if (e.subjectFrom && e.subjectMotion && subjectAt) {
        for (let k = 0; k < 3; k++) this.bias.subject[k] += rate * (e.subjectMotion[k] - ((subjectAt[k] ?? 0) - (e.subjectFrom[k] ?? 0)) - this.bias.subject[k]);
      }
      this.expected = null;
    }
    return { robot: [...this.bias.robot], subject: [...this.bias.subject] };
  }

  /** Mean RMS error of one-step latent predictions so far this episode (NaN before any). */
  predictionError(): number {
    return this.errorCount ? this.errorSum / this.errorCount : Number.NaN;
  }

  get length(): number {
    return this.latents.length;
  }

  clear(): void {
    this.latents.length = 0;
    this.actions.length = 0;
    this.predicted = null;
    this.errorSum = 0;
    this.errorCount = 0;
    this.best = Infinity;
    this.sinceGain = 0;
    this.expected = null;
    this.bias.robot.fill(0);
    this.bias.subject.fill(0);
  }
}

function rms(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}
