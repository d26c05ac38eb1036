/**
 * Checks a scenario needs that its schema cannot express: things that would make the task
 * impossible, trivial or physically explosive at some seed. Each problem says what to fix.
 *
 * Geometry is checked on the ground plane with exact footprints (see `geometry.ts`): boxes are
 * oriented rectangles, cylinders and spheres discs. Randomisation is checked at its worst case,
 * not at a few sample seeds: the region every randomised position can reach (offset range
 * rectangle, or jitter disc) is tested as a whole, so a file that passes here is sound at
 * every seed. Static obstacles may overlap each other (walls are often built from overlapping
 * boxes); everything else must start apart.
 *
 * Robot sizes are the sim's (`sim/robots/*.ts`), rounded up: diffdrive 0.5 × 0.4 m with its
 * wheels (a disc of its half-diagonal when its start yaw or position is randomised), pusher disc
 * radius 0.2 m, arm base disc radius 0.15 m. The arm's workspace is a ball of radius `ARM_REACH`
 * (upper arm 0.40 m + forearm 0.35 m, at full stretch) around its shoulder, `ARM_SHOULDER_HEIGHT`
 * above the base position on the floor; a test keeps these equal to the sim's arm.
 */
import type { Scenario, Suite } from './schema.ts';
import { box, circle, grow, outside, overlaps, segment, separation, type RoundedRect } from './geometry.ts';
import { formatPath, type Problem } from './problems.ts';

type Path = (string | number)[];
type Range = [number, number];

export const ROBOT_SIZE = {
  diffdrive: { length: 0.5, width: 0.4 },
  pusher: { radius: 0.2 },
  arm: { baseRadius: 0.15 },
} as const;
/** Greatest distance (m) from the arm's shoulder to its end-effector centre. */
export const ARM_REACH = 0.75;
/** Height (m) of the arm's shoulder joint above the floor, straight above the base position. */
export const ARM_SHOULDER_HEIGHT = 0.2;

const fmt = (v: number) => String(Math.round(v * 1000) / 1000);
const fmtPt = (p: readonly number[]) => `[${p.map(fmt).join(', ')}]`;

/** Something with a footprint: where it is in the file, and where it may be at any seed. */
interface Thing {
  label: string;
  path: Path;
  nominal: RoundedRect;
  /** The footprint over all seeds; `spreadPath` is the randomize field that widens it. */
  spread: RoundedRect;
  spreadPath?: Path;
  spreadWhat?: string;
}

function shapeFootprint(o: { position: number[]; yaw: number; shape: string; size?: number[]; radius?: number }): RoundedRect {
  const yaw = (o.yaw * Math.PI) / 180;
  if (o.shape === 'box' && o.size) return box(o.position[0], o.position[1], o.size[0], o.size[1], yaw);
  return circle(o.position[0], o.position[1], o.radius ?? 0);
}

/** A rectangle of centre offsets [lo, hi] per axis around (x, y), grown by `r`. */
function region(x: number, y: number, ranges: readonly Range[] | undefined, r: number): RoundedRect {
  const [rx, ry] = ranges ?? [
    [0, 0],
    [0, 0],
  ];
  return { cx: x + (rx[0] + rx[1]) / 2, cy: y + (ry[0] + ry[1]) / 2, hx: (rx[1] - rx[0]) / 2, hy: (ry[1] - ry[0]) / 2, yaw: 0, r };
}

function robotThing(s: Scenario): Thing {
  const { type, start } = s.robot;
  const [x, y] = start.position;
  const yaw = (start.yaw * Math.PI) / 180;
  const rp = s.randomize.robotPosition;
  let nominal: RoundedRect;
  let radius: number;
  if (type === 'diffdrive') {
    nominal = box(x, y, ROBOT_SIZE.diffdrive.length, ROBOT_SIZE.diffdrive.width, yaw);
    radius = Math.hypot(ROBOT_SIZE.diffdrive.length, ROBOT_SIZE.diffdrive.width) / 2;
  } else {
    radius = type === 'pusher' ? ROBOT_SIZE.pusher.radius : ROBOT_SIZE.arm.baseRadius;
    nominal = circle(x, y, radius);
  }
  const randomised = rp !== undefined || (type === 'diffdrive' && s.randomize.robotYaw !== undefined);
  return {
    label: 'the robot',
    path: ['robot', 'start', 'position'],
    nominal,
    spread: randomised ? region(x, y, rp, radius) : nominal,
    spreadPath: rp ? ['randomize', 'robotPosition'] : ['randomize', 'robotYaw'],
    spreadWhat: rp ? 'randomize.robotPosition' : 'randomize.robotYaw',
  };
}

function things(s: Scenario) {
  const oj = s.randomize.obstacleJitter ?? 0;
  const mj = s.randomize.objectJitter ?? 0;
  const obstacles: Thing[] = s.obstacles.map((o, i) => {
    const f = shapeFootprint(o);
    return { label: `obstacle "${o.id}"`, path: ['obstacles', i], nominal: f, spread: grow(f, oj), spreadPath: ['randomize', 'obstacleJitter'], spreadWhat: `randomize.obstacleJitter (${fmt(oj)} m)` };
  });
  const objects: Thing[] = s.objects.map((o, i) => {
    const f = shapeFootprint(o);
    return { label: `object "${o.id}"`, path: ['objects', i], nominal: f, spread: grow(f, mj), spreadPath: ['randomize', 'objectJitter'], spreadWhat: `randomize.objectJitter (${fmt(mj)} m)` };
  });
  const platforms: Thing[] = [
    ...s.arena.slopes.map((sl, i): Thing => {
      // A ramp's horizontal footprint is shorter than its length; the full length is a safe bound.
      const f = box(sl.position[0], sl.position[1], sl.length, sl.width, (sl.yaw * Math.PI) / 180);
      return { label: `slope "${sl.id}"`, path: ['arena', 'slopes', i], nominal: f, spread: f };
    }),
    ...s.arena.steps.map((st, i): Thing => {
      const f = box(st.position[0], st.position[1], st.size[0], st.size[1], (st.yaw * Math.PI) / 180);
      return { label: `step "${st.id}"`, path: ['arena', 'steps', i], nominal: f, spread: f };
    }),
  ];
  // The whole sweep of each moving obstacle: it may be anywhere on its path at any time.
  const sweeps: Thing[] = s.movingObstacles.flatMap((m, i) => {
    const r = m.shape === 'box' && m.size ? Math.hypot(m.size[0], m.size[1]) / 2 : (m.radius ?? 0);
    const pts = m.mode === 'loop' ? [...m.path, m.path[0]] : m.path;
    return pts.slice(1).map((p, k): Thing => {
      const f = segment(pts[k] as [number, number], p as [number, number], r);
      return { label: `the path of moving obstacle "${m.id}"`, path: ['movingObstacles', i, 'path'], nominal: f, spread: f };
    });
  });
  return { obstacles, objects, platforms, sweeps, robot: robotThing(s) };
}

/** Reports `a` overlapping `b` at the start, or at some seed because of randomisation. */
function checkApart(a: Thing, b: Thing, out: Problem[], fix: string): void {
  const nominal = separation(a.nominal, b.nominal);
  if (nominal < -1e-6) {
    // A zero-size footprint (a goal point) lies inside rather than overlapping by some depth.
    const point = a.nominal.hx === 0 && a.nominal.hy === 0 && a.nominal.r === 0;
    const what = point ? `${a.label} lies inside ${b.label} (${formatPath(b.path)})` : `${a.label} overlaps ${b.label} (${formatPath(b.path)}) by ${fmt(-nominal)} m at the start`;
    out.push({ path: a.path, message: `${what}; ${fix}` });
    return;
  }
  if (overlaps(a.spread, b.spread)) {
    const widened = a.spread !== a.nominal ? a : b;
    const other = widened === a ? b : a;
    out.push({
      path: widened.spreadPath ?? widened.path,
      message: `${widened.spreadWhat ?? 'randomisation'} lets ${widened.label} overlap ${other.label} (${formatPath(other.path)}) at some seeds (clearance without randomisation: ${fmt(nominal)} m); reduce the randomisation or move them further apart`,
    });
  }
}

function checkInside(t: Thing, w: number, h: number, out: Problem[], what: string): void {
  const nominal = outside(t.nominal, w, h);
  if (nominal > 1e-6) {
    out.push({ path: t.path, message: `${t.label} reaches ${fmt(nominal)} m outside ${what}; move it inward` });
  } else if (outside(t.spread, w, h) > 1e-6) {
    out.push({ path: t.spreadPath ?? t.path, message: `${t.spreadWhat ?? 'randomisation'} can put ${t.label} up to ${fmt(outside(t.spread, w, h))} m outside ${what}; narrow the range or move it inward` });
  }
}

function goalPoint(s: Scenario): { nominal: RoundedRect; spread: RoundedRect } | undefined {
  if (s.goal.type === 'ee_reach') return undefined;
  const [x, y] = s.goal.position;
  const gp = s.randomize.goalPosition as Range[] | undefined;
  return { nominal: circle(x, y, 0), spread: region(x, y, gp?.slice(0, 2), 0) };
}

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

function checkSchemaRef(ref: string | undefined, expected: string, out: Problem[]): void {
  if (ref === undefined) return;
  const base = ref.split(/[\\/]/).pop();
  if (base !== expected) {
    const other = expected === 'scenario.schema.json' ? 'a suite' : 'a scenario';
    const hint = base === 'suite.schema.json' || base === 'scenario.schema.json' ? ` (that is the schema of ${other} file)` : '';
    out.push({ path: ['$schema'], message: `"$schema" should point to ${expected}${hint}, found "${ref}"; use "../${expected}" or remove the field` });
  }
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

function checkLayout(s: Scenario, out: Problem[]): void {
  // Perimeter walls stand outside the floor's edge, so the usable area is the floor itself.
  const [w, h] = s.arena.size;
  const arena = `the arena (${fmt(w)} × ${fmt(h)} m, x within ±${fmt(w / 2)} and y within ±${fmt(h / 2)})`;
  const { obstacles, objects, platforms, sweeps, robot } = things(s);

  for (const t of [robot, ...obstacles, ...objects, ...platforms, ...sweeps]) checkInside(t, w, h, out, arena);
  const goal = goalPoint(s);
  if (goal) {
    const g: Thing = { label: 'the goal', path: ['goal', 'position'], ...goal, spreadPath: ['randomize', 'goalPosition'], spreadWhat: 'randomize.goalPosition' };
    checkInside(g, w, h, out, arena);
    for (const o of obstacles) checkApart(g, o, out, 'move the goal out of the obstacle, or move the obstacle');
    checkGoalClearance(s, g, obstacles, out);
  }
  for (const o of [...obstacles, ...objects, ...platforms, ...sweeps]) checkApart(robot, o, out, 'move the robot\'s start or the other body');
  objects.forEach((a, i) => {
    for (const b of [...objects.slice(i + 1), ...obstacles, ...platforms]) checkApart(a, b, out, 'move them apart');
  });
  checkMovers(s, obstacles, objects, platforms, out);
}

/** Arc-length parametrised path of a moving obstacle, folded like the sim's `MovingPath`. */
function pathWalker(m: Scenario['movingObstacles'][number]): { length: number; at: (u: number) => [number, number] } {
  const pts = (m.mode === 'loop' ? [...m.path, m.path[0]] : m.path) as [number, number][];
  const cum = [0];
  for (let k = 1; k < pts.length; k++) cum.push(cum[k - 1] + Math.hypot(pts[k][0] - pts[k - 1][0], pts[k][1] - pts[k - 1][1]));
  const length = cum[cum.length - 1];
  const at = (u: number): [number, number] => {
    if (length <= 0) return pts[0];
    let v = m.mode === 'loop' ? u - length * Math.floor(u / length) : u - 2 * length * Math.floor(u / (2 * length));
    if (v > length) v = 2 * length - v;
    let k = 1;
    while (k < cum.length - 1 && cum[k] < v) k++;
    const seg = cum[k] - cum[k - 1];
    const f = seg > 0 ? (v - cum[k - 1]) / seg : 0;
    return [pts[k - 1][0] + (pts[k][0] - pts[k - 1][0]) * f, pts[k - 1][1] + (pts[k][1] - pts[k - 1][1]) * f];
  };
  return { length, at };
}

/**
 * Moving obstacles are kinematic: they pass through static bodies (so a path through an
 * obstacle, slope or step is a mistake) and shove movable ones (so an object may lie on a path,
 * but not where the obstacle can start). Boxes are taken as discs of their half-diagonal, since
 * their heading along the path is the sim's business.
 */
function checkMovers(s: Scenario, obstacles: Thing[], objects: Thing[], platforms: Thing[], out: Problem[]): void {
  s.movingObstacles.forEach((m, i) => {
    const r = m.shape === 'box' && m.size ? Math.hypot(m.size[0], m.size[1]) / 2 : (m.radius ?? 0);
    const walker = pathWalker(m);
    if (walker.length <= 0) {
      out.push({ path: ['movingObstacles', i, 'path'], message: `all waypoints of moving obstacle "${m.id}" are the same point, so it never moves; give distinct waypoints or make it a static obstacle` });
      return;
    }
    const pts = (m.mode === 'loop' ? [...m.path, m.path[0]] : m.path) as [number, number][];
    const sweep = pts.slice(1).map((p, k) => segment(pts[k], p, r));
    for (const o of [...obstacles, ...platforms]) {
      const depth = Math.min(...sweep.map((f) => separation(f, o.spread)));
      if (depth < -1e-6) {
        out.push({
          path: ['movingObstacles', i, 'path'],
          message: `moving obstacle "${m.id}" passes through ${o.label} (${formatPath(o.path)}); moving obstacles go through static bodies, so route its path around it (clear by ${fmt(-depth)} m more)`,
        });
      }
    }
    // Where it may start: the path between the two ends of the phase range, in 5 cm chords.
    const [lo, hi] = m.phase;
    const n = Math.min(2000, Math.max(1, Math.ceil((hi - lo) / 0.05)));
    const samples = Array.from({ length: n + 1 }, (_, k) => walker.at(lo + ((hi - lo) * k) / n));
    const start = samples.slice(1).map((p, k) => segment(samples[k], p, r));
    for (const o of objects) {
      if (start.some((f) => overlaps(f, o.spread))) {
        out.push({
          path: o.path,
          message: `${o.label} lies where moving obstacle "${m.id}" can start (phase ${fmtPt(m.phase)} m along its path); move the object or change the phase range`,
        });
      }
    }
  });
}

/**
 * The subject's centre (robot or pushed object) can come no closer to an obstacle or a wall
 * than its own inscribed radius. If every point within `tolerance` of the goal is closer than
 * that to one obstacle, the goal can never be met. (Checked per obstacle; a goal wedged between
 * two obstacles that are each far enough is not caught.)
 */
function checkGoalClearance(s: Scenario, g: Thing, obstacles: Thing[], out: Problem[]): void {
  const goal = s.goal;
  if (goal.type === 'ee_reach') return;
  let inscribed: number;
  let subject: string;
  if (goal.type === 'reach') {
    if (s.robot.type === 'arm') return;
    inscribed = s.robot.type === 'pusher' ? ROBOT_SIZE.pusher.radius : ROBOT_SIZE.diffdrive.width / 2;
    subject = "the robot's centre";
  } else {
    const obj = s.objects.find((o) => o.id === goal.object);
    if (!obj) return;
    inscribed = obj.shape === 'box' && obj.size ? Math.min(obj.size[0], obj.size[1]) / 2 : (obj.radius ?? 0);
    subject = `the centre of object "${obj.id}"`;
  }
  const unreachable = (clearance: number) => clearance >= 0 && clearance + goal.tolerance < inscribed - 1e-9;
  const fix = (what: string, clearance: number) =>
    `the goal is only ${fmt(clearance)} m from ${what}, but ${subject} stays at least ${fmt(inscribed)} m from it, so it can never come within the goal tolerance (${fmt(goal.tolerance)} m); move the goal away from it`;
  for (const o of obstacles) {
    if (separation(g.nominal, o.nominal) < 0) continue; // reported as "inside" already
    const nominal = separation(g.nominal, o.nominal);
    const worst = separation(g.spread, o.spread);
    if (unreachable(nominal)) out.push({ path: g.path, message: fix(`${o.label} (${formatPath(o.path)})`, nominal) });
    else if (unreachable(worst)) out.push({ path: ['randomize', 'goalPosition'], message: `with randomisation, ${fix(`${o.label} (${formatPath(o.path)})`, worst)}, or narrow the ranges` });
  }
  if (s.arena.walls !== false) {
    const [w, h] = s.arena.size;
    const edge = (f: RoundedRect) => Math.min(w / 2 - Math.abs(f.cx) - f.hx, h / 2 - Math.abs(f.cy) - f.hy);
    if (unreachable(edge(g.nominal))) out.push({ path: g.path, message: fix('the perimeter wall', edge(g.nominal)) });
    else if (unreachable(edge(g.spread))) out.push({ path: ['randomize', 'goalPosition'], message: `with randomisation, ${fix('the perimeter wall', edge(g.spread))}, or narrow the ranges` });
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

/** Semantic problems of a schema-valid suite; `knownScenarios` are the ids it may name. */
export function checkSuite(suite: Suite, knownScenarios: readonly string[]): Problem[] {
  const out: Problem[] = [];
  checkSchemaRef(suite.$schema, 'suite.schema.json', out);
  const seen = new Set<string>();
  suite.scenarios.forEach((id, i) => {
    if (!knownScenarios.includes(id)) out.push({ path: ['scenarios', i], message: `unknown scenario "${id}"; valid scenarios: ${knownScenarios.join(', ')}` });
    if (seen.has(id)) out.push({ path: ['scenarios', i], message: `scenario "${id}" is listed twice; remove one (use --seeds for more episodes)` });
    seen.add(id);
  });
  return out;
}
