/**
 * The world-model planner's decision in one plain sentence (`PlannerInfo.intent`), read off what
 * it imagined: the best imagined future's path for the task's subject (decoded by the probe head)
 * says how fast it expects to close on the goal and on which side it passes; the cost head's
 * predicted goal distance and the memory's "stuck" flag say what it believes.
 *
 * "Expects to bring the robot to the goal in ~4 s, passing on the left (best of 48 imagined
 * futures; it thinks the goal is 3.2 m away)."
 */
import type { Observation } from '../../sim/types.ts';
import { sentence } from '../skills/describe.ts';

export interface IntentInput {
  obs: Observation;
  /** Imagined futures drawn for the viewer; `points[0]` is the subject now, the last after the horizon. */
  rollouts: readonly { points: readonly (readonly number[])[]; cost: number; elite: boolean }[];
  /** How many futures were imagined in all. */
  imagined: number;
  controlPeriod: number;
  predictedGoalDistance: number;
  stuck: boolean;
  /** The configurator's stall response is on for this decision (no gain towards the goal for a while). */
  stalled?: boolean;
  /** Push tasks with the configurator's staging subgoal, while the robot gets behind the object:
   * the staging point it heads for. */
  staging?: readonly number[];
}

/** A path that strays less than this from the straight line to the goal goes "straight for it". */
const SIDE_M = 0.3;

export function worldModelIntent(d: IntentInput): string {
  const goal = d.obs.goal;
  const subject = goal.type === 'push' ? (goal.object ?? 'the object') : goal.type === 'ee_reach' ? 'the hand' : 'the robot';
  // One imagined future is the actor's own plan (the ablation world-model-actor): no search.
  const source = d.imagined === 1 ? "its actor's plan, imagined; no search" : `best of ${d.imagined} imagined futures`;
  const belief = `${source}; it thinks the goal is ${Math.max(0, d.predictedGoalDistance).toFixed(1)} m away`;
  const best = [...d.rollouts].sort((a, b) => a.cost - b.cost)[0];
  if (!best || best.points.length < 2) return sentence(`imagining no futures this step; ${belief}`);
  if (d.staging) {
    const [x, y] = d.staging;
    const away = Math.hypot(best.points[0][0] - x, best.points[0][1] - y);
    return sentence(`first gets behind ${subject}, on the side away from its route to the goal: heading for (${x.toFixed(1)}, ${y.toFixed(1)}), ${away.toFixed(1)} m away (${belief})`);
  }
  const g = goal.position;
  const dims = goal.type === 'ee_reach' ? 3 : 2;
  const dist = (p: readonly number[]) => Math.hypot(...Array.from({ length: dims }, (_, i) => (p[i] ?? 0) - (g[i] ?? 0)));
  const first = best.points[0];
  const last = best.points[best.points.length - 1];
  const seconds = (best.points.length - 1) * d.controlPeriod;
  const d0 = dist(first);
  const dH = dist(last);
  const stuck = d.stuck ? `it thinks it is stuck (its imagined state stopped changing)${d.imagined === 1 ? '' : ', so it searches wider'}; ` : d.stalled ? 'it has come no nearer the goal for a while, so it searches every action, not just near its actor\'s; ' : '';
  if (dH <= goal.tolerance) return sentence(`${stuck}expects to bring ${subject} to the goal within ${seconds.toFixed(1)} s (${belief})`);
  const rate = (d0 - dH) / seconds;
  if (rate <= 0.02) return sentence(`${stuck}no imagined future brings ${subject} closer to the goal within ${seconds.toFixed(1)} s, so it takes the least bad (${belief})`);
  const eta = d0 / rate;
  const when = eta > 60 ? 'in over a minute' : `in ~${eta < 10 ? eta.toFixed(1) : Math.round(eta)} s`;
  return sentence(`${stuck}expects to bring ${subject} to the goal ${when}${dims === 2 ? `, ${side(best.points, g)}` : ''} (${belief})`);
}

/** Which side of the straight line from the subject to the goal the path passes, as the subject
 * faces the goal. */
function side(points: readonly (readonly number[])[], goal: readonly number[]): string {
  const [x0, y0] = points[0];
  const ux = goal[0] - x0;
  const uy = goal[1] - y0;
  const len = Math.hypot(ux, uy) || 1;
  let most = 0;
  for (const p of points) {
    const off = (ux * (p[1] - y0) - uy * (p[0] - x0)) / len; // > 0: left of the line
    if (Math.abs(off) > Math.abs(most)) most = off;
  }
  return Math.abs(most) < SIDE_M ? 'heading straight for it' : `passing on the ${most > 0 ? 'left' : 'right'}`;
}
