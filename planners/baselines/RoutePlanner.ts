/**
 * Global routes for the scripted baseline: A* on an occupancy grid of the observed static
 * footprints (obstacles, walls), inflated by the clearance the moving thing needs, then
 * shortened by line-of-sight so the route is a few corner waypoints.
 *
 * Slopes and steps make a height map: a move between neighbouring cells is allowed when the
 * height changes by at most MAX_RISE per cell (a 12° ramp rises 0.02 m per 0.1 m cell), and
 * cells near a drop (a platform's edge, a ramp's side) are blocked, so the route to a goal up
 * on a platform climbs the ramp from its low end. The skills stay reactive;
 * this is the "look past the greedy direction" part a hand-written planner adds on top
 * (u-traps, passages off the straight line, pushing a crate round a wall).
 */
import { octileAStar } from '../../core/gridSearch.ts';
import { MinHeap } from '../../core/MinHeap.ts';
import type { Observation, SceneObject } from '../../sim/types.ts';
import { boxDistance, cos, hypot2, sin } from '../skills/geometry.ts';

/** Grid cell size (m) of routes and distance fields. */
export const CELL = 0.1;
const SQRT2 = Math.SQRT2;
/** Largest height change (m) between neighbouring cells a wheeled robot can drive over. */
const MAX_RISE = 0.04;
/** Steepest grade (rise/run) the robots can climb: a drop steeper than this near a cell blocks it. */
const MAX_GRADE = 0.27;

export interface RouteOptions {
  /** Full arena extents [x, y] (m), centred on the origin. */
  arena: readonly [number, number];
  /** Keep this far (m) from every blocking footprint. */
  clearance: number;
  /** Object ids that do not block (the crate being pushed). */
  ignore?: readonly string[];
  /** `distanceField` only: how many times a cell inside the clearance margin costs to cross
   * (default 10). */
  marginCost?: number;
}

/** Waypoints from (sx, sy) to (gx, gy), excluding the start and ending at the goal; null when
 * the grid has no route (then the caller goes straight and lets the skills cope). */
export function planRoute(obs: Observation, sx: number, sy: number, gx: number, gy: number, opts: RouteOptions): [number, number][] | null {
  const { nx, ny, x0, y0, blocked, climbable, cell } = buildGrid(obs, opts);
  const [si, sj] = cell(sx, sy);
  const [gi, gj] = cell(gx, gy);
  // The start may sit inside the inflated margin (robot against a wall): let it out.
  blocked[sj * nx + si] = 0;
  if (blocked[gj * nx + gi]) return null;

  // A* with octile moves.
  const cells = octileAStar({
    nx,
    ny,
    start: sj * nx + si,
    goal: gj * nx + gi,
    canEnter: (from, to) => !blocked[to] && climbable(from, to),
    cornerFree: (k) => !blocked[k],
  });
  if (!cells) return null;
  const centre = (c: number): [number, number] => [x0 + ((c % nx) + 0.5) * CELL, y0 + (Math.floor(c / nx) + 0.5) * CELL];
  const free = (a: [number, number], b: [number, number]) => {
    const steps = Math.ceil(hypot2(b[0] - a[0], b[1] - a[1]) / (CELL / 2));
    let prev = -1;
    for (let s = 0; s <= steps; s++) {
      const [i, j] = cell(a[0] + ((b[0] - a[0]) * s) / steps, a[1] + ((b[1] - a[1]) * s) / steps);
      const k = j * nx + i;
      if (blocked[k] && !(i === si && j === sj)) return false;
      if (prev >= 0 && !climbable(prev, k)) return false;
      prev = k;
    }
    return true;
  };
  // Line-of-sight shortening: from each kept point, jump to the farthest visible cell.
  const route: [number, number][] = [];
  let from: [number, number] = [sx, sy];
  let k = 0;
  while (k < cells.length - 1) {
    let far = k + 1;
    for (let m = cells.length - 1; m > k + 1; m--) {
      if (free(from, m === cells.length - 1 ? [gx, gy] : centre(cells[m]))) {
        far = m;
        break;
      }
    }
    from = far === cells.length - 1 ? [gx, gy] : centre(cells[far]);
    route.push(from);
    k = far;
  }
  if (route.length === 0 || route[route.length - 1][0] !== gx || route[route.length - 1][1] !== gy) route.push([gx, gy]);
  return route;
}

interface Grid {
  nx: number;
  ny: number;
  x0: number;
  y0: number;
  blocked: Uint8Array;
  height: Float64Array;
  climbable: (a: number, b: number) => boolean;
  cell: (x: number, y: number) => readonly [number, number];
}

/** The occupancy grid and height map of the observed scene. */
function buildGrid(obs: Pick<Observation, 'objects'>, opts: RouteOptions): Grid {
  const nx = Math.max(1, Math.round(opts.arena[0] / CELL));
  const ny = Math.max(1, Math.round(opts.arena[1] / CELL));
  const x0 = -opts.arena[0] / 2;
  const y0 = -opts.arena[1] / 2;
  const blocking = obs.objects.filter((o) => (o.kind === 'obstacle' || o.kind === 'wall') && !opts.ignore?.includes(o.id));
  const terrain = obs.objects.filter((o) => o.kind === 'slope' || o.kind === 'step');
  const blocked = new Uint8Array(nx * ny);
  const height = new Float64Array(nx * ny);
  // Each footprint only visits the cells of its bounding square (grown by the clearance), so the
  // grid costs O(cells + obstacles × their area) rather than O(cells × obstacles): 10,000
  // obstacles took seconds per route the other way.
  const square = (o: SceneObject, grow: number, visit: (k: number, cx: number, cy: number) => void) => {
    const r = 0.5 * hypot2(o.size[0], o.size[1]) + grow + CELL;
    const i0 = Math.max(0, Math.floor((o.x - r - x0) / CELL));
    const i1 = Math.min(nx - 1, Math.ceil((o.x + r - x0) / CELL));
    const j0 = Math.max(0, Math.floor((o.y - r - y0) / CELL));
    const j1 = Math.min(ny - 1, Math.ceil((o.y + r - y0) / CELL));
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) visit(j * nx + i, x0 + (i + 0.5) * CELL, y0 + (j + 0.5) * CELL);
  };
  for (const o of blocking) {
    square(o, opts.clearance, (k, cx, cy) => {
      if (!blocked[k] && footprintDistance(cx, cy, o) < opts.clearance) blocked[k] = 1;
    });
  }
  for (const o of terrain) {
    square(o, 0, (k, cx, cy) => {
      height[k] = Math.max(height[k], terrainHeight(cx, cy, [o]));
      if (o.kind === 'slope' && onRampSide(cx, cy, o, opts.clearance)) blocked[k] = 1;
    });
  }
  if (terrain.length > 0) blockNearDrops(blocked, height, nx, ny, opts.clearance);
  const climbable = (a: number, b: number) => Math.abs(height[a] - height[b]) <= MAX_RISE;
  const cell = (x: number, y: number) => [clampInt(Math.floor((x - x0) / CELL), nx), clampInt(Math.floor((y - y0) / CELL), ny)] as const;
  return { nx, ny, x0, y0, blocked, height, climbable, cell };
}

/** Path length (m) to a goal from anywhere in the arena, on the same grid as `planRoute`. */
export interface DistanceField {
  /** Route distance from (x, y) to the goal; cells inside the clearance margin cost 10× to cross, so
   * the field is finite (and still points the way out) even right against a wall. */
  at(x: number, y: number): number;
  /** Unit direction (world frame) in which the route distance falls fastest at (x, y). */
  downhill(x: number, y: number): [number, number];
}

const MARGIN_COST = 10;

/** Dijkstra from the goal over the grid: the cost-to-go the oracle adds to its rollouts, so its
 * short horizon is not lured into dead ends by straight-line distance (and the world model's
 * hard-wired route cost, `planners/world-model/planning/routeCost.ts`). Reads only the objects
 * the observation lists. */
export function distanceField(obs: Pick<Observation, 'objects'>, gx: number, gy: number, opts: RouteOptions): DistanceField {
  const { nx, ny, blocked, climbable, cell } = buildGrid(obs, opts);
  const marginCost = opts.marginCost ?? MARGIN_COST;
  const n = nx * ny;
  const dist = new Float64Array(n).fill(Infinity);
  const open = new MinHeap();
  const [gi, gj] = cell(gx, gy);
  dist[gj * nx + gi] = 0;
  open.push(gj * nx + gi, 0);
  const done = new Uint8Array(n);
  while (open.size > 0) {
    const c = open.pop();
    if (done[c]) continue;
    done[c] = 1;
    const ci = c % nx;
    const cj = (c - ci) / nx;
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        if (di === 0 && dj === 0) continue;
        const i = ci + di;
        const j = cj + dj;
        if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
        const k = j * nx + i;
        if (done[k] || !climbable(c, k)) continue;
        const step = (di !== 0 && dj !== 0 ? SQRT2 : 1) * CELL * (blocked[k] || blocked[c] ? marginCost : 1);
        if (dist[c] + step < dist[k]) {
          dist[k] = dist[c] + step;
          open.push(k, dist[k]);
        }
      }
    }
  }
  const at = (x: number, y: number) => {
    const [i, j] = cell(x, y);
    const d = dist[j * nx + i];
    // Unreachable cells (cut off by drops): straight-line distance plus a large penalty.
    return Number.isFinite(d) ? d : hypot2(x - gx, y - gy) + 100;
  };
  return {
    at,
    downhill(x, y) {
      const here = at(x, y);
      let best = here;
      let dir: [number, number] = [gx - x, gy - y];
      for (let k = 0; k < 16; k++) {
        const a = (k * Math.PI) / 8;
        const px = x + 0.3 * cos(a);
        const py = y + 0.3 * sin(a);
        const v = at(px, py);
        if (v < best) {
          best = v;
          dir = [px - x, py - y];
        }
      }
      const len = hypot2(dir[0], dir[1]) || 1;
      return [dir[0] / len, dir[1] / len];
    },
  };
}

function footprintDistance(x: number, y: number, o: SceneObject): number {
  if (o.shape !== 'box') return hypot2(x - o.x, y - o.y) - o.size[0] / 2;
  return boxDistance(x, y, o.x, o.y, o.yaw, o.size[0] / 2, o.size[1] / 2);
}

/** Ground height (m) at (x, y): a step's top inside its footprint, a ramp's surface on a slope. */
function terrainHeight(x: number, y: number, terrain: readonly SceneObject[]): number {
  let h = 0;
  for (const o of terrain) {
    const c = cos(o.yaw);
    const s = sin(o.yaw);
    const lx = c * (x - o.x) + s * (y - o.y);
    const ly = -s * (x - o.x) + c * (y - o.y);
    if (Math.abs(lx) > o.size[0] / 2 || Math.abs(ly) > o.size[1] / 2) continue;
    // Slopes rise along their local +x from 0 to size[2]; steps are flat at size[2].
    const here = o.kind === 'slope' ? ((lx + o.size[0] / 2) / o.size[0]) * o.size[2] : o.size[2];
    h = Math.max(h, here);
  }
  return h;
}

/** True on the strip along a ramp's open sides where a wheel would run off the edge: the drop
 * grows all the way up, so the route keeps to the ramp's middle from its foot. */
function onRampSide(x: number, y: number, o: SceneObject, clearance: number): boolean {
  const c = cos(o.yaw);
  const s = sin(o.yaw);
  const lx = c * (x - o.x) + s * (y - o.y);
  const ly = -s * (x - o.x) + c * (y - o.y);
  return Math.abs(lx) <= o.size[0] / 2 && Math.abs(ly) <= o.size[1] / 2 && Math.abs(ly) > o.size[1] / 2 - 0.8 * clearance;
}

/** Blocks cells within `clearance` of a drop steeper than the robots can drive. */
function blockNearDrops(blocked: Uint8Array, height: Float64Array, nx: number, ny: number, clearance: number): void {
  const r = Math.ceil(clearance / CELL);
  const src = blocked.slice();
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      if (src[k]) continue;
      search: for (let dj = -r; dj <= r; dj++) {
        for (let di = -r; di <= r; di++) {
          const ii = i + di;
          const jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= nx || jj >= ny) continue;
          const d = hypot2(di, dj) * CELL;
          if (d > clearance) continue;
          if (Math.abs(height[jj * nx + ii] - height[k]) > MAX_GRADE * d + MAX_RISE) {
            blocked[k] = 1;
            break search;
          }
        }
      }
    }
  }
}

function clampInt(v: number, n: number): number {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}
