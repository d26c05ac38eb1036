/**
 * Random baseline: uniform random actions, the "0" of normalised scores.
 *
 * Every component is drawn uniformly from [low, high] of the action space, from the planner's
 * own stream `Rng.stream(scenario.id, seed, 'planner:random')`, so an episode is reproducible
 * from (scenario, seed) alone. Setting: `--set random-hold=K` keeps each draw for K control
 * steps (default 1: a fresh draw every step, the usual definition).
 */
import { Rng } from '../../sim/rng.ts';
import type { Observation } from '../../sim/types.ts';
import type { ActResult, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../Planner.ts';
import { readSettings } from '../../core/settings.ts';
import { RANDOM_SETTINGS } from './settings.ts';

/** The same every step: random has no intent, and says so. */
const INTENT = 'No plan: a uniformly random action (the baseline that scores 0).';

export class RandomPlanner implements Planner {
  readonly name = 'random';
  private rng: Rng | null = null;
  private task: TaskSpec | null = null;
  private current: number[] = [];
  private held = 0;

  constructor(private readonly hold: number) {}

  async reset(task: TaskSpec, seed: number): Promise<void> {
    this.task = task;
    this.rng = Rng.stream(task.scenarioId, seed, 'planner:random');
    this.held = 0;
  }

  async act(_obs: Observation): Promise<ActResult> {
    if (!this.rng || !this.task) throw new Error('RandomPlanner.act called before reset');
    if (this.held === 0) {
      const { low, high, dim } = this.task.actionSpace;
      this.current = [];
      for (let i = 0; i < dim; i++) this.current.push(this.rng.uniform(low[i], high[i]));
    }
    this.held = (this.held + 1) % this.hold;
    return { action: this.current.slice(), info: { intent: INTENT } };
  }

  dispose(): void {}
}

export const factory: PlannerFactory = {
  name: 'random',
  description: 'uniform random actions (the 0 of normalised scores)',
  deterministic: true,
  observes: () => ({ reads: 'nothing' }),
  async create(opts: PlannerOptions) {
    return new RandomPlanner(readSettings(RANDOM_SETTINGS.settings, opts.config).randomHold as number);
  },
};
