/**
 * The numbers of `planarena diagnose world-model`, from the raw measurements the driver
 * (`planners/world-model/diagnose/diagnoseWorldModel.ts`) takes: pure functions, no tensors, no
 * simulator.
 *
 * - imagination error: distance (m) between the probe-decoded imagined path and the path the
 *   true simulator produced for the same actions, at every horizon step (0 = the state itself);
 * - cost ranking: Spearman rank correlation between a cost and the negated true return of the
 *   same sequences (1: the cost orders sequences exactly as the simulator's return does);
 * - ablations: success rate and mean return per planner variant.
 */
import type { AblationEpisode, Point, ScenarioDiagnosis, StateProbe, WorldModelDiagnosis } from '../planners/world-model/diagnose/types.ts';

/** Ranks 1..n of `values`, ties sharing the mean of their ranks (fractional ranking). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = rank;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's ρ: the Pearson correlation of the ranks (ties by mean rank). NaN when either side
 * is constant or shorter than 2, or a value is not finite: no ranking to compare.
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`spearman: ${x.length} vs ${y.length} values`);
  if (x.length < 2 || ![...x, ...y].every(Number.isFinite)) return NaN;
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i] - mean;
    const b = ry[i] - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Euclidean distance per step between an imagined and an actual path; as long as the shorter
 * (the actual path stops where the episode would have ended). */
export function pathErrors(imagined: readonly Point[], actual: readonly Point[]): number[] {
  const n = Math.min(imagined.length, actual.length);
  return Array.from({ length: n }, (_, t) => Math.hypot(imagined[t][0] - actual[t][0], imagined[t][1] - actual[t][1], imagined[t][2] - actual[t][2]));
}

/**
 * The same for the motion: each path taken relative to its own start, so a constant offset of
 * the probe's decoding (already there at step 0) does not count; what is left is the error of
 * the predicted dynamics, as far as the probe can show it.
 */
export function motionErrors(imagined: readonly Point[], actual: readonly Point[]): number[] {
  const n = Math.min(imagined.length, actual.length);
  if (n === 0) return [];
  const [i0, a0] = [imagined[0], actual[0]];
  return Array.from({ length: n }, (_, t) => Math.hypot(imagined[t][0] - i0[0] - (actual[t][0] - a0[0]), imagined[t][1] - i0[1] - (actual[t][1] - a0[1]), imagined[t][2] - i0[2] - (actual[t][2] - a0[2])));
}

/** Per-step mean of several error curves of uneven length (a step averages the curves that reach it). */
export interface ErrorCurve {
  /** Mean error (m) at horizon step t = 0..H; NaN where no curve reaches. */
  mean: number[];
  /** How many curves reached each step. */
  count: number[];
  /** Mean over steps 1..H of `mean` (the state itself, step 0, is the probe's own error). */
  meanOverHorizon: number;
  /** Mean error of each curve at its last step (the horizon, or where the episode ended). */
  final: number;
  /** Mean error after one step. */
  oneStep: number;
}

export function aggregateErrors(curves: readonly (readonly number[])[], horizon: number): ErrorCurve {
  const sum = new Array<number>(horizon + 1).fill(0);
  const count = new Array<number>(horizon + 1).fill(0);
  for (const c of curves) c.forEach((e, t) => {
    if (t <= horizon && Number.isFinite(e)) {
      sum[t] += e;
      count[t]++;
    }
  });
  const mean = sum.map((s, t) => (count[t] ? s / count[t] : NaN));
  const later = mean.slice(1).filter(Number.isFinite);
  const finals = curves.filter((c) => c.length > 1).map((c) => c[c.length - 1]);
  return {
    mean,
    count,
    meanOverHorizon: later.length ? later.reduce((a, b) => a + b, 0) / later.length : NaN,
    final: finals.length ? finals.reduce((a, b) => a + b, 0) / finals.length : NaN,
    oneStep: mean[1] ?? NaN,
  };
}

/** Ranking of the sampled sequences at one state. */
export interface StateRanking {
  step: number;
  seed: number;
  /** Spearman(learned cost, −true return): the planner's full cost, behaviour prior included. */
  learned: number;
  /** The same without the behaviour prior: what the learned heads alone say. */
  learnedNoPrior: number;
  /** The learned heads alone (no prior) on the sequences near the actor's: the actor's own and
   * the Gaussian ones, where MPPI searches by default and the prior no longer separates them. */
  learnedNearActor: number;
  /** The true-cost evaluator (−return, executed again on the clone): 1 when the plumbing is right. */
  trueCost: number;
}

export function stateRanking(p: StateProbe): StateRanking {
  const neg = p.samples.trueReturn.map((r) => -r);
  const near = p.samples.origin.map((o, i) => (o === 'actor' || o === 'near' ? i : -1)).filter((i) => i >= 0);
  return {
    step: p.step,
    seed: p.seed,
    learned: spearman(p.samples.learnedCost, neg),
    learnedNoPrior: spearman(p.samples.learnedCostNoPrior, neg),
    learnedNearActor: spearman(near.map((i) => p.samples.learnedCostNoPrior[i]), near.map((i) => neg[i])),
    trueCost: spearman(p.samples.trueCost, neg),
  };
}

/** Mean of the finite values; NaN when there are none. */
export function finiteMean(xs: readonly number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

export interface AblationRow {
  variant: string;
  label: string;
  episodes: number;
  successes: number;
  successRate: number;
  meanReturn: number;
  meanSteps: number;
  /** Mean distance of the task's subject from the goal at the end (m). */
  meanFinalDistance: number;
}

export function ablationRows(episodes: readonly AblationEpisode[], labels: Readonly<Record<string, string>>): AblationRow[] {
  const variants = [...new Set(episodes.map((e) => e.variant))];
  return variants.map((variant) => {
    const eps = episodes.filter((e) => e.variant === variant);
    const successes = eps.filter((e) => e.success).length;
    return {
      variant,
      label: labels[variant] ?? variant,
      episodes: eps.length,
      successes,
      successRate: eps.length ? successes / eps.length : NaN,
      meanReturn: finiteMean(eps.map((e) => e.return)),
      meanSteps: finiteMean(eps.map((e) => e.steps)),
      meanFinalDistance: finiteMean(eps.map((e) => e.finalGoalDistance)),
    };
  });
}

export interface ScenarioSummary {
  scenario: string;
  robot: string;
  horizon: number;
  states: number;
  /** Imagination error of the sequence the planner acted on. */
  chosenError: ErrorCurve;
  /** Imagination error over every sampled sequence. */
  sampledError: ErrorCurve;
  /** Motion error (`motionErrors`) of the acted-on sequence and of every sampled one. */
  chosenMotionError: ErrorCurve;
  sampledMotionError: ErrorCurve;
  /** Motion error of the all-zero command (the robot brakes; older diagnoses have none: NaN). */
  brakeMotionError: ErrorCurve;
  /** Push tasks with a probe that decodes the object: the object's motion error over every sampled
   * sequence, and over the all-zero command alone (NaN where not measured). */
  objectMotionError: ErrorCurve;
  objectBrakeMotionError: ErrorCurve;
  rankings: StateRanking[];
  /** Means over states of each ranking's ρ (NaN states, e.g. all returns equal, left out). */
  spearman: { learned: number; learnedNoPrior: number; learnedNearActor: number; trueCost: number };
  /** Each cost term of the actor's sequence minus that of braking (the all-zero command), mean
   * over states: a positive term prefers standing still to the actor's plan (a planner that
   * stalls away from the goal: which term holds it). Empty for older diagnoses. */
  actorOverBrake: Record<string, number>;
  ablations: AblationRow[];
}

function actorOverBrake(states: ScenarioDiagnosis['states']): Record<string, number> {
  const out: Record<string, number> = {};
  const terms = [...new Set(states.flatMap((p) => Object.keys(p.samples.costTerms ?? {})))];
  for (const term of terms) {
    out[term] = finiteMean(
      states.map((p) => {
        const c = p.samples.costTerms?.[term];
        const actor = p.samples.origin.indexOf('actor');
        const brake = p.samples.origin.indexOf('brake');
        return c && actor >= 0 && brake >= 0 ? c[actor] - c[brake] : Number.NaN;
      }),
    );
  }
  return out;
}

export function summariseScenario(s: ScenarioDiagnosis, labels: Readonly<Record<string, string>>): ScenarioSummary {
  const H = s.horizon;
  const rankings = s.states.map(stateRanking);
  const avg = (k: keyof Omit<StateRanking, 'step' | 'seed'>) => finiteMean(rankings.map((r) => r[k]));
  return {
    scenario: s.scenario,
    robot: s.robot,
    horizon: H,
    states: s.states.length,
    chosenError: aggregateErrors(s.states.map((p) => pathErrors(p.chosen.imagined, p.chosen.actual)), H),
    sampledError: aggregateErrors(s.states.flatMap((p) => p.samples.imagined.map((im, i) => pathErrors(im, p.samples.actual[i]))), H),
    chosenMotionError: aggregateErrors(s.states.map((p) => motionErrors(p.chosen.imagined, p.chosen.actual)), H),
    sampledMotionError: aggregateErrors(s.states.flatMap((p) => p.samples.imagined.map((im, i) => motionErrors(im, p.samples.actual[i]))), H),
    brakeMotionError: aggregateErrors(s.states.flatMap((p) => p.samples.imagined.flatMap((im, i) => (p.samples.origin[i] === 'brake' ? [motionErrors(im, p.samples.actual[i])] : []))), H),
    objectMotionError: aggregateErrors(s.states.flatMap((p) => (p.samples.objectImagined ?? []).map((im, i) => motionErrors(im, p.samples.objectActual![i]))), H),
    objectBrakeMotionError: aggregateErrors(s.states.flatMap((p) => (p.samples.objectImagined ?? []).flatMap((im, i) => (p.samples.origin[i] === 'brake' ? [motionErrors(im, p.samples.objectActual![i])] : []))), H),
    rankings,
    spearman: { learned: avg('learned'), learnedNoPrior: avg('learnedNoPrior'), learnedNearActor: avg('learnedNearActor'), trueCost: avg('trueCost') },
    actorOverBrake: actorOverBrake(s.states),
    ablations: ablationRows(s.ablations, labels),
  };
}

export function summarise(d: WorldModelDiagnosis): ScenarioSummary[] {
  return d.scenarios.map((s) => summariseScenario(s, d.variantLabels));
}

function f(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** The short plain-text table printed to stdout. */
export function diagnosisTable(summaries: readonly ScenarioSummary[]): string {
  const lines: string[] = [];
  lines.push('imagination error of the acted-on sequence (m; err: position, motion: relative to its start; brake: motion error of the all-zero command; obj: the pushed object\'s motion error over the sampled sequences, obj brake: for the all-zero command) and cost ranking');
  lines.push('(Spearman ρ of the cost vs −true return over the sampled sequences, mean over states)');
  lines.push(['scenario'.padEnd(18), 'states', 'err@0', 'err@1', 'err@H', 'motion@1', 'motion@H', 'brake@H', 'obj@H', 'obj brake@H', 'ρ learned', 'ρ no prior', 'ρ near actor', 'ρ true cost'].join('  '));
  for (const s of summaries) {
    const e = s.chosenError;
    const m = s.chosenMotionError;
    lines.push([s.scenario.padEnd(18), String(s.states).padStart(6), f(e.mean[0], 3).padStart(5), f(e.oneStep, 3).padStart(5), f(e.final, 3).padStart(5), f(m.oneStep, 3).padStart(8), f(m.final, 3).padStart(8), f(s.brakeMotionError.final, 3).padStart(7), f(s.objectMotionError.final, 3).padStart(5), f(s.objectBrakeMotionError.final, 3).padStart(11), f(s.spearman.learned).padStart(9), f(s.spearman.learnedNoPrior).padStart(10), f(s.spearman.learnedNearActor).padStart(12), f(s.spearman.trueCost).padStart(11)].join('  '));
  }
  if (summaries.some((s) => Object.keys(s.actorOverBrake).length)) {
    lines.push('');
    lines.push("cost terms: the actor's sequence minus braking, mean over states (positive: the term prefers standing still)");
    for (const s of summaries) lines.push(`${s.scenario.padEnd(18)}  ${Object.entries(s.actorOverBrake).map(([t, v]) => `${t} ${f(v, 1)}`).join('  ')}`);
  }
  lines.push('');
  lines.push('ablations (success / episodes, mean return, mean final distance to the goal in m)');
  const variants = [...new Set(summaries.flatMap((s) => s.ablations.map((a) => a.variant)))];
  const label = (v: string) => summaries.flatMap((s) => s.ablations).find((a) => a.variant === v)?.label ?? v;
  const width = Math.max(8, ...variants.map((v) => label(v).length));
  lines.push(['variant'.padEnd(width), ...summaries.map((s) => s.scenario.padEnd(20))].join('  '));
  for (const v of variants) {
    const cells = summaries.map((s) => {
      const a = s.ablations.find((x) => x.variant === v);
      return (a ? `${a.successes}/${a.episodes}  ${f(a.meanReturn)}  ${f(a.meanFinalDistance)}` : '–').padEnd(20);
    });
    lines.push([label(v).padEnd(width), ...cells].join('  '));
  }
  return lines.join('\n');
}
