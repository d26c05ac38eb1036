/**
 * Checks a scenario needs that its schema cannot express: things that would make the task
 * impossible, trivial or physically explosive at some seed. Each problem says what to fix.
 * Geometry (arena bounds, overlaps, goal clearance, moving obstacles) lives in
 * `layoutChecks.ts`; ids, timing, goal/robot consistency, arm reach and shoves live here.
 *
 * The arm's workspace is a ball of radius `ARM_REACH` (upper arm 0.40 m + forearm 0.35 m, at
 * full stretch) around its shoulder, `ARM_SHOULDER_HEIGHT` above the base position on the
 * floor; a test keeps these equal to the sim's arm.
 */
import { SETTLE_DWELL } from '../sim/predicates.ts';
import type { Scenario, Suite } from './schema.ts';
import { checkSchemaRef } from './fileText.ts';
import { checkLayout } from './layoutChecks.ts';
import { fmtNum as fmt, fmtPoint as fmtPt, formatPath, type Problem } from './problems.ts';

export { ROBOT_SIZE } from './layoutChecks.ts';

type Path = (string | number)[];
type Range = [number, number];

/** Greatest distance (m) from the arm's shoulder to its end-effector centre. */
export const ARM_REACH = 0.75;
/** Height (m) of the arm's shoulder joint above the floor, straight above the base position. */
export const ARM_SHOULDER_HEIGHT = 0.2;

/** All semantic problems of a schema-valid scenario (empty when sound). */
export function checkScenario(s: Scenario): Problem[] {
  const out: Problem[] = [];
  checkSchemaRef(s.$schema, 'scenario.schema.json', out);
  checkIds(s, out);
  checkTiming(s, out);
  checkRobotAndGoal(s, out);
  checkLayout(s, out);
  checkPerturbations(s, out);
  return out;
}

function checkIds(s: Scenario, out: Problem[]): void {
  const seen = new Map<string, Path>();
  const groups: [Path, { id: string }[]][] = [
    [['obstacles'], s.obstacles],
    [['objects'], s.objects],
    [['movingObstacles'], s.movingObstacles],
    [['arena', 'slopes'], s.arena.slopes],
    [['arena', 'steps'], s.arena.steps],
  ];
  for (const [base, items] of groups) {
    items.forEach((item, i) => {
      const path = [...base, i, 'id'];
      if (item.id === 'robot') {
        out.push({ path, message: '"robot" is reserved (perturbations and events use it for the robot); choose another id' });
      }
      const first = seen.get(item.id);
      if (first) out.push({ path, message: `duplicate id "${item.id}" (first used at ${formatPath(first)}); ids name things in observations, events and perturbations, so make each unique` });
      else seen.set(item.id, path);
    });
  }
}

function checkTiming(s: Scenario, out: Problem[]): void {
  const ratio = s.controlPeriod / s.physicsDt;
  const whole = Math.round(ratio);
  if (whole < 1 || Math.abs(ratio - whole) > 1e-6 * Math.max(1, ratio)) {
    out.push({
      path: ['controlPeriod'],
      message: `controlPeriod ${s.controlPeriod} s is not a whole number of physics steps (physicsDt ${showDt(s.physicsDt)} s, ${fmt(ratio)} steps); use ${niceMultiples(s.physicsDt, ratio)}`,
    });
  }
  if (s.timeLimit < s.controlPeriod) {
    out.push({ path: ['timeLimit'], message: `timeLimit ${fmt(s.timeLimit)} s is shorter than one control period (${fmt(s.controlPeriod)} s); raise it` });
  }
  checkTimeBudget(s, out);
}

/** Top speeds (m/s) of the mobile robots in the sim; nothing can be delivered faster. */
export const MAX_SPEED = { diffdrive: 1, pusher: 1 } as const;

/**
 * A time limit shorter than the straight-line trip at top speed, plus the SETTLE_DWELL the goal
 * must then be held, can never be met. Only the impossible is an error: how much slack is
 * comfortable depends on the task.
 */
function checkTimeBudget(s: Scenario, out: Problem[]): void {
  const { robot, goal } = s;
  if (robot.type === 'arm' || goal.type === 'ee_reach') return;
  const none: Range[] = [
    [0, 0],
    [0, 0],
  ];
  const gp = (s.randomize.goalPosition as Range[] | undefined) ?? none;
  // Farthest start-to-goal distance over all seeds: per axis, the largest gap between intervals.
  const farthest = (from: readonly number[], fromRanges: readonly Range[], jitter: number) =>
    Math.hypot(
      ...[0, 1].map((k) => Math.max(Math.abs(goal.position[k] + gp[k][1] - (from[k] + fromRanges[k][0])), Math.abs(goal.position[k] + gp[k][0] - (from[k] + fromRanges[k][1])))),
    ) + jitter;
  let trip: number;
  let what: string;
  if (goal.type === 'reach') {
    trip = farthest(robot.start.position, s.randomize.robotPosition ?? none, 0) - goal.tolerance;
    what = 'the robot';
  } else {
    const obj = s.objects.find((o) => o.id === goal.object);
    if (!obj) return;
    trip = farthest(obj.position, none, s.randomize.objectJitter ?? 0) - goal.tolerance;
    what = `object "${obj.id}"`;
  }
  const needed = trip / MAX_SPEED[robot.type] + SETTLE_DWELL;
  if (needed > s.timeLimit) {
    out.push({
      path: ['timeLimit'],
      message: `${what} can start ${fmt(trip)} m (straight line, less the tolerance) from the goal, ${fmt(needed)} s at the ${robot.type}'s top speed of ${MAX_SPEED[robot.type]} m/s plus the ${SETTLE_DWELL} s the goal must be held, longer than timeLimit ${fmt(s.timeLimit)} s; raise timeLimit (a competent controller needs about twice the straight-line time) or bring the goal closer`,
    });
  }
}

/** `1/60` rather than 0.016666666666666666 when the step is a whole fraction of a second. */
function showDt(dt: number): string {
  const inv = Math.round(1 / dt);
  return Math.abs(1 / inv - dt) < 1e-12 ? `1/${inv}` : String(dt);
}

/** The nearest multiples of `dt` below and above `ratio` steps that read as short decimals. */
function niceMultiples(dt: number, ratio: number): string {
  const nice = (n: number) => Math.abs(Math.round(n * dt * 1000) / 1000 - n * dt) < 1e-9;
  const pick = (from: number, dir: 1 | -1) => {
    for (let n = from; n >= 1 && n <= from + 1000; n += dir) if (nice(n)) return n;
    return Math.max(1, from);
  };
  const below = pick(Math.max(1, Math.floor(ratio)), -1);
  const above = pick(Math.max(1, Math.ceil(ratio)), 1);
  const show = (n: number) => `${fmt(n * dt)} (${n} steps)`;
  return below === above || below >= ratio ? show(above) : `${show(below)} or ${show(above)}`;
}

function checkRobotAndGoal(s: Scenario, out: Problem[]): void {
  const { robot, goal } = s;
  const movable = s.objects.map((o) => o.id);
  if (robot.type !== 'arm' && robot.joints !== undefined) {
    out.push({ path: ['robot', 'joints'], message: `only an arm has joints; remove "joints" or use "type": "arm"` });
  }
  if (goal.type === 'ee_reach' && robot.type !== 'arm') {
    out.push({ path: ['goal', 'type'], message: `an "ee_reach" goal needs an arm (it has an end effector), found robot "${robot.type}"; use "reach" or "push", or "type": "arm"` });
  }
  if (goal.type === 'reach' && robot.type === 'arm') {
    out.push({ path: ['goal', 'type'], message: 'an arm cannot drive to a "reach" goal (its base is fixed); use "ee_reach" with a 3-D point, or a "push" goal' });
  }
  const gp = s.randomize.goalPosition;
  if (gp && gp.length !== goal.position.length) {
    out.push({ path: ['randomize', 'goalPosition'], message: `has ${gp.length} ranges but the goal position has ${goal.position.length} coordinates; give one [lo, hi] range per coordinate` });
  }
  if (goal.type === 'push' && !movable.includes(goal.object)) {
    const fix = movable.length ? `valid movable objects: ${movable.join(', ')}` : `add an entry with "id": "${goal.object}" to "objects"`;
    out.push({ path: ['goal', 'object'], message: `"${goal.object}" is not a movable object; ${fix}` });
  }
  if (robot.type === 'arm') checkArmReach(s, out);
  // A goal met before the first action makes the episode meaningless.
  if (goal.type === 'reach') {
    const d = Math.hypot(goal.position[0] - robot.start.position[0], goal.position[1] - robot.start.position[1]);
    if (d <= goal.tolerance) out.push({ path: ['goal', 'position'], message: `the robot starts within the goal tolerance (${fmt(d)} m <= ${fmt(goal.tolerance)} m); move the goal further away` });
  }
  if (goal.type === 'push') {
    const obj = s.objects.find((o) => o.id === goal.object);
    const d = obj ? Math.hypot(goal.position[0] - obj.position[0], goal.position[1] - obj.position[1]) : Infinity;
    if (d <= goal.tolerance) out.push({ path: ['goal', 'position'], message: `object "${goal.object}" starts within the goal tolerance (${fmt(d)} m <= ${fmt(goal.tolerance)} m); move the goal further away` });
  }
}

function checkArmReach(s: Scenario, out: Problem[]): void {
  const base = [...s.robot.start.position, ARM_SHOULDER_HEIGHT];
  const none: Range[] = [
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  const rp = s.randomize.robotPosition ?? none;
  const gp = (s.randomize.goalPosition as Range[] | undefined) ?? none;
  // Farthest distance from the shoulder to a target when each coordinate of both may move
  // within an offset range (per axis, the largest gap between the two intervals), plus a
  // horizontal jitter radius.
  const farthest = (target: readonly number[], targetRanges: readonly Range[], baseRanges: readonly Range[], jitter = 0) => {
    let sum = 0;
    for (let k = 0; k < 3; k++) {
      const t = targetRanges[k] ?? [0, 0];
      const b = k < 2 ? baseRanges[k] : [0, 0];
      const gap = Math.max(Math.abs(target[k] + t[1] - (base[k] + b[0])), Math.abs(target[k] + t[0] - (base[k] + b[1])));
      sum += gap * gap;
    }
    return Math.sqrt(sum) + jitter;
  };
  const reach = (path: Path, what: string, target: readonly number[], targetRanges: readonly Range[], rangePath: Path, jitter = 0) => {
    const nominal = farthest(target, none, none);
    const worst = farthest(target, targetRanges, rp, jitter);
    if (nominal > ARM_REACH) out.push({ path, message: `${what} is ${fmt(nominal)} m from the arm's shoulder at ${fmtPt(base)}, beyond its reach of ${ARM_REACH} m; move it closer` });
    else if (worst > ARM_REACH + 1e-9) out.push({ path: rangePath, message: `randomisation can put ${what} ${fmt(worst)} m from the arm's shoulder, beyond its reach of ${ARM_REACH} m; narrow the ranges` });
  };
  const goal = s.goal;
  const goalRangePath: Path = s.randomize.goalPosition ? ['randomize', 'goalPosition'] : ['randomize', 'robotPosition'];
  // Push goals and objects lie on the floor (z = 0), where the end effector must work.
  const g3 = goal.position.length === 3 ? goal.position : [goal.position[0], goal.position[1], 0];
  reach(['goal', 'position'], 'the goal', g3, gp, goalRangePath);
  if (goal.type === 'ee_reach') {
    const zRange = gp[2] ?? [0, 0];
    const zlo = goal.position[2] + zRange[0];
    if (zlo < 0) out.push({ path: zRange[0] < 0 ? ['randomize', 'goalPosition'] : ['goal', 'position'], message: `the goal can be ${fmt(-zlo)} m below the floor (z < 0); raise it` });
  }
  if (goal.type === 'push') {
    const i = s.objects.findIndex((o) => o.id === goal.object);
    if (i >= 0) {
      const o = s.objects[i].position;
      const j = s.randomize.objectJitter ?? 0;
      reach(['objects', i, 'position'], `object "${goal.object}"`, [o[0], o[1], 0], none, j > 0 ? ['randomize', 'objectJitter'] : ['randomize', 'robotPosition'], j);
    }
  }
}

function checkPerturbations(s: Scenario, out: Problem[]): void {
  const movable = s.objects.map((o) => o.id);
  s.perturbations.forEach((p, i) => {
    if (p.target !== 'robot' && !movable.includes(p.target)) {
      out.push({ path: ['perturbations', i, 'target'], message: `unknown target "${p.target}"; valid targets: ${['robot', ...movable].join(', ')}` });
    }
    const at = typeof p.at === 'number' ? p.at : p.at[1];
    if (at >= s.timeLimit) out.push({ path: ['perturbations', i, 'at'], message: `the shove can come at ${fmt(at)} s, at or after the time limit (${fmt(s.timeLimit)} s), so it would never happen; make it earlier` });
  });
}

/** What a suite may name: shipped scenario ids, generated levels and families. */
export interface SuiteCatalog {
  /** Shipped scenario ids, for messages. */
  scenarios: readonly string[];
  /** Whether an id names a scenario: a shipped one or a generated level. */
  isScenario(id: string): boolean;
  /** Family ids, for messages. */
  families: readonly string[];
  /** A family's train split size, or undefined for an unknown family. */
  trainLevels(family: string): number | undefined;
}

/** Semantic problems of a schema-valid suite. */
export function checkSuite(suite: Suite, catalog: SuiteCatalog): Problem[] {
  const out: Problem[] = [];
  checkSchemaRef(suite.$schema, 'suite.schema.json', out);
  if (suite.scenarios.length === 0 && suite.generate.length === 0) {
    out.push({ path: ['scenarios'], message: 'the suite names no scenarios; list scenario ids in "scenarios" or add "generate" entries' });
  }
  const seen = new Set<string>();
  suite.scenarios.forEach((id, i) => {
    if (!catalog.isScenario(id)) out.push({ path: ['scenarios', i], message: `unknown scenario "${id}"; valid scenarios: ${catalog.scenarios.join(', ')} (or generated levels <family>-<split>-<level>)` });
    if (seen.has(id)) out.push({ path: ['scenarios', i], message: `scenario "${id}" is listed twice; remove one (use --seeds for more episodes)` });
    seen.add(id);
  });
  const ranges = new Map<string, [number, number, number][]>();
  suite.generate.forEach((g, i) => {
    const train = catalog.trainLevels(g.family);
    if (train === undefined) {
      out.push({ path: ['generate', i, 'family'], message: `unknown family "${g.family}"; valid families: ${catalog.families.join(', ')}` });
      return;
    }
    const last = g.start + g.count - 1;
    if (g.split === 'train' && last >= train) {
      out.push({ path: ['generate', i, 'count'], message: `family "${g.family}" has ${train} train levels (0-${train - 1}), but this entry runs to level ${last}; lower start or count, or use split "test"` });
    }
    const key = `${g.family}-${g.split}`;
    const prior = ranges.get(key) ?? [];
    const clash = prior.find(([a, b]) => g.start <= b && a <= last);
    if (clash) out.push({ path: ['generate', i], message: `levels ${g.start}-${last} of ${key} overlap entry ${clash[2]} (levels ${clash[0]}-${clash[1]}); list each level once` });
    prior.push([g.start, last, i]);
    ranges.set(key, prior);
  });
  return out;
}
