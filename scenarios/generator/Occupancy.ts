/**
 * Solvability checks of the level generator: a ground-plane occupancy grid of static footprints
 * (boxes at any yaw, discs) inside the arena, and A* routes for a disc of a given clearance.
 *
 * A cell is free for clearance c when its centre is at least c from every footprint and from
 * the arena's edge (walls stand just outside the floor; without walls, leaving is a failure).
 * Routes move between the centres of free cells, 8-connected, never cutting the corner between
 * two blocked cells. Distance is 1-Lipschitz, so every point of a step lies within cell/√2 of a
 * free centre: a disc of radius c - 0.071 m (0.1 m cells) can follow the whole polyline, and a
 * disc of radius c fits at every cell centre on it (where a diffdrive would turn on the spot).
 *
 * Only `+ - * /`, `Math.sqrt`, `Math.abs`, `Math.floor` and deterministic trig (`sim/detmath.ts`)
 * are used, so every machine finds the same routes and so redraws the same levels.
 */
import { octileAStar } from '../../core/gridSearch.ts';
import { dcos, dsin } from '../../sim/detmath.ts';

const DEG = Math.PI / 180;

interface BoxShape {
  kind: 'box';
  cx: number;
  cy: number;
  hx: number;
  hy: number;
  c: number;
  s: number;
}
interface DiscShape {
  kind: 'disc';
  cx: number;
  cy: number;
  r: number;
}
type Shape = BoxShape | DiscShape;

export interface Route {
  /** Length of the cell-centre polyline from start to goal, metres (start and goal points included). */
  length: number;
  /** The polyline, start point first, goal point last. */
  points: [number, number][];
}

export class Occupancy {
  readonly nx: number;
  readonly ny: number;
  private readonly shapes: Shape[] = [];
  private readonly grids = new Map<number, Uint8Array>();

  constructor(
    /** Full floor extents (m), centred on the origin. */
    readonly width: number,
    readonly height: number,
    readonly cell = 0.1,
  ) {
    this.nx = Math.max(1, Math.floor(width / cell));
    this.ny = Math.max(1, Math.floor(height / cell));
  }

  /** A box footprint: centre, full extents, yaw in degrees. */
  box(cx: number, cy: number, sx: number, sy: number, yawDeg = 0): this {
    const a = yawDeg * DEG;
    this.shapes.push({ kind: 'box', cx, cy, hx: sx / 2, hy: sy / 2, c: yawDeg === 0 ? 1 : dcos(a), s: yawDeg === 0 ? 0 : dsin(a) });
    this.grids.clear();
    return this;
  }

  disc(cx: number, cy: number, r: number): this {
    this.shapes.push({ kind: 'disc', cx, cy, r });
    this.grids.clear();
    return this;
  }

  /** Distance from (x, y) to the nearest footprint or the arena edge (0 inside either). */
  clearance(x: number, y: number): number {
    let best = Math.min(this.width / 2 - Math.abs(x), this.height / 2 - Math.abs(y));
    if (best <= 0) return 0;
    for (const sh of this.shapes) {
      const d = distance(sh, x, y);
      if (d < best) best = d;
    }
    return best;
  }

  /** Distance from (x, y) to the nearest footprint only (ignoring the arena edge). */
  distanceToShapes(x: number, y: number): number {
    let best = Infinity;
    for (const sh of this.shapes) best = Math.min(best, distance(sh, x, y));
    return best;
  }

  /** Cell centre of column i / row j. */
  centre(i: number, j: number): [number, number] {
    return [-this.width / 2 + (i + 0.5) * this.cell, -this.height / 2 + (j + 0.5) * this.cell];
  }

  private cellOf(x: number, y: number): [number, number] {
    const i = Math.min(this.nx - 1, Math.max(0, Math.floor((x + this.width / 2) / this.cell)));
    const j = Math.min(this.ny - 1, Math.max(0, Math.floor((y + this.height / 2) / this.cell)));
    return [i, j];
  }

  /** 1 where a disc of radius `clearance` centred on the cell centre would touch something. */
  blocked(clearance: number): Uint8Array {
    const cached = this.grids.get(clearance);
    if (cached) return cached;
    const { nx, ny } = this;
    const grid = new Uint8Array(nx * ny);
    // The arena edge.
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const [x, y] = this.centre(i, j);
        if (this.width / 2 - Math.abs(x) < clearance || this.height / 2 - Math.abs(y) < clearance) grid[j * nx + i] = 1;
      }
    }
    // Each footprint, over the cells of its bounding box grown by the clearance.
    for (const sh of this.shapes) {
      const [ex, ey] = sh.kind === 'disc' ? [sh.r, sh.r] : [Math.abs(sh.c) * sh.hx + Math.abs(sh.s) * sh.hy, Math.abs(sh.s) * sh.hx + Math.abs(sh.c) * sh.hy];
      const [i0, j0] = this.cellOf(sh.cx - ex - clearance, sh.cy - ey - clearance);
      const [i1, j1] = this.cellOf(sh.cx + ex + clearance, sh.cy + ey + clearance);
      for (let j = j0; j <= j1; j++) {
        for (let i = i0; i <= i1; i++) {
          const k = j * nx + i;
          if (grid[k]) continue;
          const [x, y] = this.centre(i, j);
          if (distance(sh, x, y) < clearance) grid[k] = 1;
        }
      }
    }
    this.grids.set(clearance, grid);
    return grid;
  }

  /** Whether a disc of radius `clearance` fits at (x, y). */
  fits(x: number, y: number, clearance: number): boolean {
    return this.clearance(x, y) >= clearance;
  }

  /**
   * The shortest 8-connected route for a disc of radius `clearance` from a to b, or null.
   * Both end points must fit; their cells are then taken as free. With `leadIn`, cells within
   * `leadIn.radius` of a need only `leadIn.clearance`: a pushed object may start close to
   * something as long as it can be moved clear of it.
   */
  route(a: readonly [number, number], b: readonly [number, number], clearance: number, leadIn?: { radius: number; clearance: number }): Route | null {
    if (!this.fits(a[0], a[1], leadIn ? Math.min(leadIn.clearance, clearance) : clearance) || !this.fits(b[0], b[1], clearance)) return null;
    const { nx, ny } = this;
    const blocked = this.blocked(clearance);
    const near = leadIn ? this.blocked(leadIn.clearance) : blocked;
    const [si, sj] = this.cellOf(a[0], a[1]);
    const [gi, gj] = this.cellOf(b[0], b[1]);
    const start = sj * nx + si;
    const goal = gj * nx + gi;
    const r2 = leadIn ? leadIn.radius * leadIn.radius : 0;
    const inLead = (k: number) => {
      const [x, y] = this.centre(k % nx, Math.floor(k / nx));
      return (x - a[0]) * (x - a[0]) + (y - a[1]) * (y - a[1]) <= r2;
    };
    const free = (k: number) => k === start || k === goal || blocked[k] === 0 || (leadIn !== undefined && near[k] === 0 && inLead(k));
    const cells = octileAStar({ nx, ny, start, goal, canEnter: (_from, to) => free(to), cornerFree: free });
    if (!cells) return null;
    const points: [number, number][] = [[a[0], a[1]]];
    for (const k of cells.slice(1, -1)) points.push(this.centre(k % nx, Math.floor(k / nx)));
    points.push([b[0], b[1]]);
    let length = 0;
    for (let k = 1; k < points.length; k++) length += Math.sqrt(sq(points[k][0] - points[k - 1][0]) + sq(points[k][1] - points[k - 1][1]));
    return { length, points };
  }
}

function sq(x: number): number {
  return x * x;
}

function distance(sh: Shape, x: number, y: number): number {
  const dx = x - sh.cx;
  const dy = y - sh.cy;
  if (sh.kind === 'disc') return Math.max(0, Math.sqrt(dx * dx + dy * dy) - sh.r);
  const lx = Math.abs(sh.c * dx + sh.s * dy) - sh.hx;
  const ly = Math.abs(-sh.s * dx + sh.c * dy) - sh.hy;
  const qx = lx > 0 ? lx : 0;
  const qy = ly > 0 ? ly : 0;
  return Math.sqrt(qx * qx + qy * qy);
}
