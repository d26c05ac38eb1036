/**
 * A hard-wired route cost for the world model's planner: the length of the shortest way to the
 * goal around the obstacles the observation lists (the map every planner is given), as a field
 * over the arena. Straight-line goal distance is myopic: in a U-shaped trap or a cluttered field
 * its cheapest imagined futures drive into the wall between the robot and the goal; the route
 * length is not fooled. The world model still imagines where each action sequence takes the
 * robot (the learned predictor, decoded by the probe); this field only says how far from the
 * goal each imagined position is, as LeCun's intrinsic cost is fixed while the critic learns.
 *
 * The field is Dijkstra from the goal over square cells (octile moves); a cell is blocked when
 * its centre is closer than `inflate` to a static obstacle. Positions in blocked or unreachable
 * cells cost their straight-line distance plus `BLOCKED_PENALTY`, so a search never prefers them.
 * Moving obstacles are not in the field (the clearance cost handles them).
 */
import { MinHeap } from '../../../core/MinHeap.ts';
import type { SceneObject } from '../../../sim/types.ts';
import { clearance } from '../io/sceneFeatures.ts';

export const ROUTE_CELL = 0.1;
/** Clearance a route keeps from obstacles (m): about the widest half of the ground robots'
 * footprints (diffdrive 0.205 m with its wheels, pusher 0.2 m) plus a little. */
export const ROUTE_INFLATE = 0.25;
const BLOCKED_PENALTY = 5;

export class RouteField {
  private readonly dist: Float64Array;
  private readonly nx: number;
  private readonly ny: number;
  private readonly x0: number;
  private readonly y0: number;

  /**
   * @param arena full extents [x, y], centred on the origin
   * @param goal goal position (x, y)
   * @param obstacles static obstacles (walls, fixed obstacles, movables not being pushed)
   * @param inflate clearance (m) a cell centre needs to be free: about the robot's radius
   */
  constructor(arena: readonly [number, number], readonly goal: readonly number[], obstacles: readonly SceneObject[], readonly inflate: number) {
    this.nx = Math.max(1, Math.ceil(arena[0] / ROUTE_CELL));
    this.ny = Math.max(1, Math.ceil(arena[1] / ROUTE_CELL));
    this.x0 = -arena[0] / 2;
    this.y0 = -arena[1] / 2;
    const n = this.nx * this.ny;
    const blocked = new Uint8Array(n);
    for (let j = 0; j < this.ny; j++) {
      for (let i = 0; i < this.nx; i++) {
        const x = this.x0 + (i + 0.5) * ROUTE_CELL;
        const y = this.y0 + (j + 0.5) * ROUTE_CELL;
        for (const o of obstacles) {
          // Cheap reject: farther than the object's half-diagonal plus the inflation.
          const r = 0.5 * Math.hypot(o.size[0], o.size[1]) + inflate;
          if (Math.abs(x - o.x) > r || Math.abs(y - o.y) > r) continue;
          if (clearance(o, x, y) < inflate) {
            blocked[j * this.nx + i] = 1;
            break;
          }
        }
      }
    }
    this.dist = new Float64Array(n).fill(Infinity);
    const start = this.cellOf(goal[0], goal[1]);
    // The goal cell is always a source, even when an obstacle's inflation covers it.
    blocked[start] = 0;
    this.dist[start] = 0;
    const open = new MinHeap();
    open.push(start, 0);
    while (open.size > 0) {
      const c = open.pop();
      const ci = c % this.nx;
      const cj = (c - ci) / this.nx;
      const dc = this.dist[c];
      for (let dj = -1; dj <= 1; dj++) {
        for (let di = -1; di <= 1; di++) {
          if (di === 0 && dj === 0) continue;
          const i = ci + di;
          const j = cj + dj;
          if (i < 0 || j < 0 || i >= this.nx || j >= this.ny) continue;
          const k = j * this.nx + i;
          if (blocked[k]) continue;
          const diagonal = di !== 0 && dj !== 0;
          if (diagonal && (blocked[cj * this.nx + i] || blocked[j * this.nx + ci])) continue;
          const d = dc + (diagonal ? Math.SQRT2 : 1) * ROUTE_CELL;
          if (d < this.dist[k]) {
            this.dist[k] = d;
            open.push(k, d);
          }
        }
      }
    }
  }

  private cellOf(x: number, y: number): number {
    const i = Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.x0) / ROUTE_CELL)));
    const j = Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.y0) / ROUTE_CELL)));
    return j * this.nx + i;
  }

  /** Route length (m) from (x, y) to the goal; straight line + penalty where there is no route. */
  distance(x: number, y: number): number {
    const d = this.dist[this.cellOf(x, y)];
    const straight = Math.hypot(x - this.goal[0], y - this.goal[1]);
    // Within the goal's cell and its neighbours the straight line is exact enough and smooth.
    if (straight < 1.5 * ROUTE_CELL) return straight;
    return Number.isFinite(d) ? d : straight + BLOCKED_PENALTY;
  }
}

/** Objects that shape routes: everything fixed or pushable except the push target; moving
 * obstacles, slopes and steps are left out. */
export function routeObstacles(objects: readonly SceneObject[], except?: string): SceneObject[] {
  return objects.filter((o) => (o.kind === 'obstacle' || o.kind === 'wall' || o.kind === 'movable') && o.id !== except);
}

/** A field per episode, rebuilt only when the goal or the static obstacles move. */
export class RouteFieldCache {
  private key = '';
  private field: RouteField | null = null;

  get(arena: readonly [number, number], goal: readonly number[], objects: readonly SceneObject[], inflate: number, except?: string): RouteField {
    const obstacles = routeObstacles(objects, except);
    const key = [arena[0], arena[1], goal[0], goal[1], inflate, ...obstacles.map((o) => `${o.id}:${o.x.toFixed(2)}:${o.y.toFixed(2)}:${o.yaw.toFixed(2)}`)].join('|');
    if (!this.field || key !== this.key) {
      this.field = new RouteField(arena, goal, obstacles, inflate);
      this.key = key;
    }
    return this.field;
  }

  clear(): void {
    this.key = '';
    this.field = null;
  }
}
