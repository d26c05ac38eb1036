/**
 * The geometric half of the semantic checks: where things are and where randomisation can put
 * them. Footprints on the ground plane are exact (see `geometry.ts`): boxes are oriented
 * rectangles, cylinders and spheres discs. Randomisation is checked at its worst case, not at a
 * few sample seeds: the region every randomised position can reach (offset range rectangle, or
 * jitter disc) is tested as a whole, so a file that passes here is sound at every seed. Static
 * obstacles may overlap each other (walls are often built from overlapping boxes); everything
 * else must start apart.
 *
 * Robot sizes are the sim's (`sim/robots/*.ts`), rounded up: diffdrive 0.5 × 0.4 m with its
 * wheels (a disc of its half-diagonal when its start yaw or position is randomised), pusher disc
 * radius 0.2 m, arm base disc radius 0.15 m.
 */
import type { Scenario } from './schema.ts';
import { box, circle, grow, outside, overlaps, segment, separation, type RoundedRect } from './geometry.ts';
import { fmtNum as fmt, fmtPoint as fmtPt, formatPath, type Problem } from './problems.ts';

type Path = (string | number)[];
type Range = [number, number];

/** Robot footprints (m) used by the checks: the sim's sizes, rounded up. */
export const ROBOT_SIZE = {
  diffdrive: { length: 0.5, width: 0.4 },
  pusher: { radius: 0.2 },
  arm: { baseRadius: 0.15 },
} as const;

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

/** Everything about where things are: inside the arena, apart at every seed, goals reachable. */
export function checkLayout(s: Scenario, out: Problem[]): void {
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
