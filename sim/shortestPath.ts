/**
 * The evaluation's yardstick for efficiency: the shortest feasible path (and the least time) an
 * episode's task needs, computed by the evaluation side from the **true** layout at reset (the
 * observation the environment returns from `reset`, every pose exact). Planners never see it.
 *
 * | task          | reference length                                                              |
 * |---------------|-------------------------------------------------------------------------------|
 * | reach         | grid route of the robot's centre to the goal, minus the tolerance             |
 * | push (mobile) | robot route to the staging point behind the object + the object's route to the goal, minus the tolerance |
 * | ee_reach      | straight line of the end effector to the goal, minus the tolerance            |
 * | push (arm)    | straight line of the end effector to the staging point + straight line of the object to the goal, minus the tolerance |
 *
 * Routes are A* on a CELL-metre 8-connected grid over the arena, shortened by line of sight
 * (string pulling), so they are within a few centimetres of the true geodesic. Static obstacles
 * and walls block, inflated by the moving thing's smallest half-extent (robot: `MIN_HALF_EXTENT`
 * / `PUSHER_RADIUS`; object: half its smaller side), so the route never squeezes through a gap
 * it cannot fit. Moving obstacles and other movable objects do not block (they move or can be
 * pushed), so the reference stays a lower bound. Slopes and steps form a height map: a move
 * between neighbouring cells may rise at most MAX_GRADE per metre, so a platform is reached by
 * its ramp. With no grid route the straight line is used (still a lower bound).
 *
 * The reference time is length / top speed of the tracked point (diffdrive 1 m/s, pusher √2 m/s
 * diagonally, the arm's end effector the sum of its joints' tip speeds) plus SETTLE_DWELL, the
 * time the goal must be held: no planner can do better, so efficiency = reference / actual ≤ 1.
 */
import { octileAStar } from '../core/gridSearch.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { dcos, dsin } from './detmath.ts';
import { SETTLE_DWELL } from './predicates.ts';
import { FORE_LEN, MAX_JOINT_SPEED, UPPER_LEN } from './robots/arm.ts';
import { MAX_WHEEL_SPEED, MIN_HALF_EXTENT, WHEEL_RADIUS } from './robots/diffdrive.ts';
import { MAX_SPEED, PUSHER_RADIUS } from './robots/pusher.ts';
import { createEnv } from './Env.ts';
import type { Observation, ObservationTier, SceneObject } from './types.ts';
import { pushedObject } from './observation.ts';

/** Grid cell (m). */
export const CELL = 0.05;
/** Steepest grade (rise per metre) a move between cells may climb: a 12° ramp is 0.21. */
const MAX_GRADE = 0.5;
/** End-effector ball radius plus a little, for the arm's staging point behind a block. */
const EE_CLEARANCE = 0.035;

/** Top speed (m/s) of the point whose path is measured: chassis for mobile robots, end effector for the arm. */
export const TOP_SPEED: Record<Scenario['robot']['type'], number> = {
  diffdrive: MAX_WHEEL_SPEED * WHEEL_RADIUS,
  pusher: MAX_SPEED * Math.SQRT2,
  arm: (MAX_JOINT_SPEED[0] + MAX_JOINT_SPEED[1]) * (UPPER_LEN + FORE_LEN) + MAX_JOINT_SPEED[2] * FORE_LEN,
};

/** One leg of the reference path, for reports and tests. */
export interface ReferenceLeg {
  what: 'robot' | 'object' | 'end_effector';
  /** `route`: grid route on the true map; `straight`: straight line (arm, or no grid route). */
  how: 'route' | 'straight';
  length: number;
  /** Corner points of a route leg, start to end. */
  points?: [number, number][];
}

export interface ReferencePath {
  /** Least distance (m) the tracked point (chassis; arm: end effector) must travel. */
  length: number;
  /** Least time (s): length / TOP_SPEED + SETTLE_DWELL. */
  time: number;
  legs: ReferenceLeg[];
}

/**
 * The reference of the episode `seed` of `scenario`, from the true layout at reset: `obs` (the
 * live environment's reset observation) when it lists every object (the `state` observation
 * tier), else the reset observation of a `state`-tier twin of the environment at the same seed
 * (the `sensor` tier hides what the robot cannot see; the yardstick must not).
 */
export async function episodeReference(scenario: Scenario, seed: number, obs: Observation, tier: ObservationTier = 'state'): Promise<ReferencePath> {
  if (tier === 'state') return referencePath(scenario, obs);
  const twin = await createEnv(scenario, { observation: 'state' });
  try {
    return referencePath(scenario, twin.reset({ seed }).obs);
  } finally {
    twin.dispose();
  }
}

/** The shortest feasible path and least time of the episode that `obs` (the observation at
 * reset of the true environment, listing every object) starts. */
export function referencePath(scenario: Scenario, obs: Observation): ReferencePath {
  const goal = obs.goal;
  const arena = scenario.arena.size;
  const legs: ReferenceLeg[] = [];
  const pushed = pushedObject(obs);
  const [gx, gy] = goal.position;
  if (obs.robot.type === 'arm') {
    const ee = obs.robot.ee ?? { x: obs.robot.pose.x, y: obs.robot.pose.y, z: obs.robot.pose.z };
    if (goal.type === 'push' && pushed) {
      const objLen = Math.hypot(gx - pushed.x, gy - pushed.y);
      const [ux, uy] = unit(gx - pushed.x, gy - pushed.y);
      const back = extentAlong(pushed, ux, uy) + EE_CLEARANCE;
      legs.push({ what: 'end_effector', how: 'straight', length: Math.hypot(pushed.x - ux * back - ee.x, pushed.y - uy * back - ee.y, EE_CLEARANCE - ee.z) });
      legs.push({ what: 'object', how: 'straight', length: Math.max(0, objLen - goal.tolerance) });
    } else {
      const gz = goal.position[2] ?? 0;
      legs.push({ what: 'end_effector', how: 'straight', length: Math.max(0, Math.hypot(gx - ee.x, gy - ee.y, gz - ee.z) - goal.tolerance) });
    }
  } else {
    const robotClearance = obs.robot.type === 'pusher' ? PUSHER_RADIUS : MIN_HALF_EXTENT;
    const { x: rx, y: ry } = obs.robot.pose;
    if (goal.type === 'push' && pushed) {
      const objGrid = new Grid(obs.objects, arena, Math.min(pushed.size[0], pushed.size[1]) / 2, []);
      const obj = objGrid.route(pushed.x, pushed.y, gx, gy);
      legs.push({ what: 'object', how: obj ? 'route' : 'straight', length: Math.max(0, (obj?.length ?? Math.hypot(gx - pushed.x, gy - pushed.y)) - goal.tolerance), ...(obj ? { points: obj.points } : {}) });
      // Stage behind the object, on the side away from its first move.
      const first = obj?.points[1] ?? [gx, gy];
      const [ux, uy] = unit(first[0] - pushed.x, first[1] - pushed.y);
      const back = extentAlong(pushed, ux, uy) + robotClearance;
      const sx = pushed.x - ux * back;
      const sy = pushed.y - uy * back;
      const robot = new Grid(obs.objects, arena, robotClearance, [pushed]).route(rx, ry, sx, sy);
      legs.unshift({ what: 'robot', how: robot ? 'route' : 'straight', length: robot?.length ?? Math.hypot(sx - rx, sy - ry), ...(robot ? { points: robot.points } : {}) });
    } else {
      const r = new Grid(obs.objects, arena, robotClearance, []).route(rx, ry, gx, gy);
      legs.push({ what: 'robot', how: r ? 'route' : 'straight', length: Math.max(0, (r?.length ?? Math.hypot(gx - rx, gy - ry)) - goal.tolerance), ...(r ? { points: r.points } : {}) });
    }
  }
  const length = legs.reduce((s, l) => s + l.length, 0);
  return { length, time: length / TOP_SPEED[obs.robot.type] + SETTLE_DWELL, legs };
}

/** The episode record's efficiency fields (see `EpisodeRecord`). */
export interface EfficiencyFields {
  shortestPath: number;
  shortestTime: number;
  efficiency: number;
  spl: number;
}

/**
 * Success-weighted efficiencies of a finished episode against its reference, in [0, 1]:
 * - `efficiency` = success × shortestTime / max(simTime, shortestTime) — SPL with time in place of
 *   path length, so a faster solution scores higher (the headline);
 * - `spl` = success × shortestPath / max(pathLength, shortestPath) — the classic SPL
 *   (Anderson et al. 2018), blind to speed.
 * Empty when the episode never got a reference (it crashed before reset).
 */
export function efficiencyFields(ref: ReferencePath | undefined, outcome: { success: boolean; simTime: number; pathLength: number }): EfficiencyFields | Record<string, never> {
  if (!ref) return {};
  const ok = outcome.success;
  return {
    shortestPath: ref.length,
    shortestTime: ref.time,
    efficiency: ok ? ref.time / Math.max(outcome.simTime, ref.time) : 0,
    spl: ok ? (ref.length <= 0 ? 1 : ref.length / Math.max(outcome.pathLength, ref.length)) : 0,
  };
}

function unit(x: number, y: number): [number, number] {
  const d = Math.hypot(x, y);
  return d > 1e-9 ? [x / d, y / d] : [1, 0];
}

/** Half the object's extent along the unit direction (ux, uy) on the ground plane. */
function extentAlong(o: SceneObject, ux: number, uy: number): number {
  if (o.shape !== 'box') return o.size[0] / 2;
  const c = dcos(o.yaw);
  const s = dsin(o.yaw);
  return (Math.abs(ux * c + uy * s) * o.size[0] + Math.abs(-ux * s + uy * c) * o.size[1]) / 2;
}

/** Distance from (x, y) to a static footprint's boundary on the ground plane; negative inside. */
function footprintDistance(x: number, y: number, o: SceneObject): number {
  if (o.shape !== 'box') return Math.hypot(x - o.x, y - o.y) - o.size[0] / 2;
  const c = dcos(o.yaw);
  const s = dsin(o.yaw);
  const lx = Math.abs(c * (x - o.x) + s * (y - o.y)) - o.size[0] / 2;
  const ly = Math.abs(-s * (x - o.x) + c * (y - o.y)) - o.size[1] / 2;
  const out = Math.hypot(Math.max(lx, 0), Math.max(ly, 0));
  return out > 0 ? out : Math.max(lx, ly);
}

/** Ground height at (x, y): a step's top inside its footprint, the ramp's surface on a slope. */
function terrainHeight(x: number, y: number, terrain: readonly SceneObject[]): number {
  let h = 0;
  for (const o of terrain) {
    const c = dcos(o.yaw);
    const s = dsin(o.yaw);
    const lx = c * (x - o.x) + s * (y - o.y);
    const ly = -s * (x - o.x) + c * (y - o.y);
    if (Math.abs(lx) > o.size[0] / 2 || Math.abs(ly) > o.size[1] / 2) continue;
    h = Math.max(h, o.kind === 'slope' ? ((lx + o.size[0] / 2) / o.size[0]) * o.size[2] : o.size[2]);
  }
  return h;
}

/** Occupancy grid and height map of the true scene for one moving thing. */
class Grid {
  private readonly nx: number;
  private readonly ny: number;
  private readonly x0: number;
  private readonly y0: number;
  private readonly blocked: Uint8Array;
  private readonly height: Float64Array;

  /** Static obstacles and walls (plus `extra` bodies) block within `clearance` of their footprint. */
  constructor(objects: readonly SceneObject[], arena: readonly [number, number], clearance: number, extra: readonly SceneObject[]) {
    this.nx = Math.max(1, Math.round(arena[0] / CELL));
    this.ny = Math.max(1, Math.round(arena[1] / CELL));
    this.x0 = -arena[0] / 2;
    this.y0 = -arena[1] / 2;
    const blocking = [...objects.filter((o) => o.kind === 'obstacle' || o.kind === 'wall'), ...extra];
    const terrain = objects.filter((o) => o.kind === 'slope' || o.kind === 'step');
    this.blocked = new Uint8Array(this.nx * this.ny);
    this.height = new Float64Array(this.nx * this.ny);
    // Clearance is measured to the cell centre, less half a cell: a lower bound on the gap.
    const margin = clearance - CELL / 2;
    for (const o of blocking) {
      // Only the cells near the body: its bounding circle plus the margin.
      const reach = Math.hypot(o.size[0], o.size[1]) / 2 + Math.max(0, margin);
      this.forCells(o.x - reach, o.y - reach, o.x + reach, o.y + reach, (k, x, y) => {
        if (!this.blocked[k] && footprintDistance(x, y, o) < margin) this.blocked[k] = 1;
      });
    }
    for (const o of terrain) {
      const reach = Math.hypot(o.size[0], o.size[1]) / 2;
      this.forCells(o.x - reach, o.y - reach, o.x + reach, o.y + reach, (k, x, y) => {
        this.height[k] = terrainHeight(x, y, terrain);
      });
    }
  }

  /** Calls `fn(cell, x, y)` for every cell whose centre lies in the rectangle. */
  private forCells(xa: number, ya: number, xb: number, yb: number, fn: (k: number, x: number, y: number) => void): void {
    const i0 = Math.max(0, Math.floor((xa - this.x0) / CELL));
    const i1 = Math.min(this.nx - 1, Math.ceil((xb - this.x0) / CELL));
    const j0 = Math.max(0, Math.floor((ya - this.y0) / CELL));
    const j1 = Math.min(this.ny - 1, Math.ceil((yb - this.y0) / CELL));
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) fn(j * this.nx + i, this.x0 + (i + 0.5) * CELL, this.y0 + (j + 0.5) * CELL);
  }

  private cellOf(x: number, y: number): number {
    const i = Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.x0) / CELL)));
    const j = Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.y0) / CELL)));
    return j * this.nx + i;
  }

  private centre(k: number): [number, number] {
    const i = k % this.nx;
    return [this.x0 + (i + 0.5) * CELL, this.y0 + ((k - i) / this.nx + 0.5) * CELL];
  }

  private climbable(a: number, b: number, run: number): boolean {
    return Math.abs(this.height[a] - this.height[b]) <= MAX_GRADE * run + 1e-9;
  }

  /** Shortest route from (sx, sy) to (gx, gy): its length (m) and corner points, or null. The
   * start and goal cells count as free (a robot may start against a wall). */
  route(sx: number, sy: number, gx: number, gy: number): { length: number; points: [number, number][] } | null {
    const { nx, ny, blocked } = this;
    const start = this.cellOf(sx, sy);
    const goal = this.cellOf(gx, gy);
    const free = (k: number) => k === start || k === goal || !blocked[k];
    const cells = octileAStar({
      nx,
      ny,
      start,
      goal,
      canEnter: (from, to, diagonal) => free(to) && this.climbable(from, to, diagonal ? CELL * Math.SQRT2 : CELL),
      cornerFree: free,
    });
    if (!cells) return null;
    // String pulling: from each corner, jump to the farthest cell in line of sight.
    const pts = cells.map((c, n) => (n === 0 ? ([sx, sy] as [number, number]) : n === cells.length - 1 ? ([gx, gy] as [number, number]) : this.centre(c)));
    const points: [number, number][] = [pts[0]];
    let at = 0;
    while (at < pts.length - 1) {
      let next = at + 1;
      for (let m = pts.length - 1; m > at + 1; m--) {
        if (this.visible(pts[at], pts[m], free)) {
          next = m;
          break;
        }
      }
      points.push(pts[next]);
      at = next;
    }
    let length = 0;
    for (let n = 1; n < points.length; n++) length += Math.hypot(points[n][0] - points[n - 1][0], points[n][1] - points[n - 1][1]);
    return { length, points };
  }

  /** True when the straight segment a→b crosses only free cells and climbable height changes. */
  private visible(a: [number, number], b: [number, number], free: (k: number) => boolean): boolean {
    const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / (CELL / 4)));
    let prev = this.cellOf(a[0], a[1]);
    for (let s = 1; s <= steps; s++) {
      const k = this.cellOf(a[0] + ((b[0] - a[0]) * s) / steps, a[1] + ((b[1] - a[1]) * s) / steps);
      if (k === prev) continue;
      if (!free(k) || !this.climbable(prev, k, CELL)) return false;
      prev = k;
    }
    return true;
  }
}
