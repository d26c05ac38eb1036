/**
 * Skills: closed-loop controllers with a clear end. The scripted baseline strings them together
 * by hand; the LLM planner (skills mode) lets the language model choose them. Both run the same
 * code, so a difference in results is a difference in planning, not in control.
 */
import type { Action, Observation } from '../../sim/types.ts';

export type SkillStatus = 'running' | 'done' | 'failed';

export interface SkillStep {
  action: Action;
  status: SkillStatus;
  /** Why the skill failed or ended, as feedback text for a planner, e.g.
   * "push failed: box_3 stuck against wall_2 at (2.1, 0.4)". */
  reason?: string;
}

/** One running skill instance. */
export interface Skill {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** Called once per control step until it returns a status other than `running`. */
  step(obs: Observation): SkillStep;
}

/** Describes a skill to a planner (and to the LLM in its system prompt). */
export interface SkillSpec {
  name: string;
  /** One line: what it does, in the robot's terms. */
  description: string;
  /** Arguments in call order, with units. */
  params: { name: string; type: 'number' | 'string'; description: string }[];
  /** Robots that can run it. */
  robots: ('diffdrive' | 'pusher' | 'arm')[];
  /** Builds the skill; throws a `SkillArgError` naming the bad argument when args are invalid
   * (unknown object id, out-of-range number). */
  create(args: Record<string, unknown>, obs: Observation): Skill;
}

export class SkillArgError extends Error {
  override readonly name = 'SkillArgError';
  constructor(
    readonly kind: 'invalid_action' | 'hallucinated_object' | 'infeasible',
    message: string,
  ) {
    super(message);
  }
}
