/**
 * Dense shaped reward, the same formula for every task type, computed once per control step:
 *
 *   r = PROGRESS · (d_prev − d)                      progress of the subject towards the goal (m)
 *     + APPROACH · (a_prev − a)                      push tasks only: robot approaching the object (m)
 *     + SUCCESS_BONUS    on the step the task succeeds
 *     − FAILURE_PENALTY  on the step the task fails (flipped, left arena, diverged)
 *     − COLLISION_COST · (new robot contacts with anything but the floor and, for push, the object)
 *     − CONTROL_COST · mean(aᵢ²)                       effort of the (clipped) action
 *
 * `d` is `goalDistance` (sim/predicates.ts): chassis (reach), object (push) or end effector
 * (ee_reach) to the goal. A random policy scores near 0; reaching the goal directly from a
 * distance D scores about D + 10.
 */
export const PROGRESS = 1;
export const APPROACH = 0.2;
export const SUCCESS_BONUS = 10;
export const FAILURE_PENALTY = 10;
export const COLLISION_COST = 0.1;
export const CONTROL_COST = 0.01;

export interface RewardTerms {
  prevDistance: number;
  distance: number;
  /** Push tasks: robot–object distance before and after; NaN otherwise. */
  prevApproach: number;
  approach: number;
  success: boolean;
  failure: boolean;
  collisions: number;
  action: ArrayLike<number>;
}

export function reward(t: RewardTerms): number {
  let r = PROGRESS * (t.prevDistance - t.distance);
  if (Number.isFinite(t.prevApproach) && Number.isFinite(t.approach)) r += APPROACH * (t.prevApproach - t.approach);
  if (t.success) r += SUCCESS_BONUS;
  if (t.failure) r -= FAILURE_PENALTY;
  r -= COLLISION_COST * t.collisions;
  let e = 0;
  for (let i = 0; i < t.action.length; i++) e += t.action[i] * t.action[i];
  r -= CONTROL_COST * (t.action.length > 0 ? e / t.action.length : 0);
  return Number.isFinite(r) ? r : -FAILURE_PENALTY;
}
