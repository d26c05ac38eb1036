/**
 * A hard-wired route cost for the world model's planner: the length of the shortest way to the
 * goal around the obstacles the observation lists (the map every planner is given), as a field
 * over the arena. Straight-line goal distance is myopic: in a U-shaped trap or a cluttered field
 * its cheapest imagined futures drive into the wall between the robot and the goal; the route
 * length is not fooled. The world model still imagines where each action sequence takes the
 * robot (the learned predictor, decoded by the probe); this field only says how far from the
 * goal each imagined position is, as LeCun's intrinsic cost is fixed while the critic learns.
 *
 * The field is the oracle's cost-to-go (`distanceField` in planners/baselines/RoutePlanner.ts):
 * Dijkstra from the goal over 0.1 m cells around the listed obstacles and walls, kept `inflate`
 * from them, with slopes and steps as a height map, so a goal up on a platform is reached by its
 * ramp and not through its wall. Cells inside the margin cost `ROUTE_MARGIN_COST` times their length
 * to cross, so an imagined path through a wall is never cheaper than the way round (the field
 * stays finite and points the way out); cut-off cells cost their straight-line distance plus 100.
 * Moving obstacles are not in the field (the clearance cost handles them).
 */
import type { SceneObject } from '../../../sim/types.ts';
import { CELL, distanceField, type DistanceField } from '../../baselines/RoutePlanner.ts';

/** The grid's cell (m), the oracle's. */
export const ROUTE_CELL = CELL;
/** Clearance a route keeps from obstacles (m): about the widest half of the ground robots'
 * footprints (diffdrive 0.205 m with its wheels, pusher 0.2 m) plus a little. */
export const ROUTE_INFLATE = 0.25;
/** Cost per metre inside the margin, relative to free space (the oracle uses 10). */
export const ROUTE_MARGIN_COST = 100;

/** How the field is drawn and read: the planner's settings `wm-cost-route-inflate`,
 * `wm-cost-route-margin` and `wm-cost-route-slack`. */
export interface RouteShape {
  /** Clearance (m) a cell centre needs to be free. */
  inflate: number;
  /** Cost per metre inside the margin, relative to free space. */
  marginCost: number;
  /** Reading slack (m) at the horizon: an imagined position reads the lowest field value within
   * the slack of it (the centre and 8 points round it), so an imagined path that grazes the
   * margin by less than the imagination's own error is not costed as if it drove into the
   * obstacle. The planner grows it with the imagined step as that error grows: (t + 1)/H of it
   * after step t (Imagination.ts `addRouteCost`). 0: the cell's value. */
  slack: number;
}

export const DEFAULT_ROUTE_SHAPE: Readonly<RouteShape> = { inflate: ROUTE_INFLATE, marginCost: ROUTE_MARGIN_COST, slack: 0 };

/** A shape, or a clearance alone with the default margin cost and no slack. */
function shapeOf(shape: number | Readonly<RouteShape>): RouteShape {
  return typeof shape === 'number' ? { ...DEFAULT_ROUTE_SHAPE, inflate: shape } : { ...shape };
}

export class RouteField {
  private readonly field: DistanceField;

  /**
   * @param arena full extents [x, y], centred on the origin
   * @param goal goal position (x, y)
   * @param objects the objects the observation lists (obstacles, walls and terrain shape routes)
   * @param shape clearance (m) a cell centre needs to be free (about the robot's radius), or the
   *   whole shape (clearance, margin cost, reading slack)
   * @param except an object that does not block (the crate being pushed)
   */
  constructor(arena: readonly [number, number], readonly goal: readonly number[], objects: readonly SceneObject[], shape: number | Readonly<RouteShape>, except?: string) {
    this.shape = shapeOf(shape);
    this.field = distanceField({ objects: routeObstacles(objects, except) }, goal[0], goal[1], { arena, clearance: this.shape.inflate, marginCost: this.shape.marginCost });
  }

  readonly shape: Readonly<RouteShape>;

  /** The reading slack at the horizon (m). */
  get slack(): number {
    return this.shape.slack;
  }

  /** Route length (m) from (x, y) to the goal; with slack, the least within `slack` m of it. */
  distance(x: number, y: number, slack = this.shape.slack): number {
    const r = slack;
    let best = this.at(x, y);
    if (r > 0) {
      for (let k = 0; k < 8; k++) {
        const a = (k * Math.PI) / 4;
        best = Math.min(best, this.at(x + r * Math.cos(a), y + r * Math.sin(a)));
      }
    }
    return best;
  }

  private at(x: number, y: number): number {
    const straight = Math.hypot(x - this.goal[0], y - this.goal[1]);
    // Within the goal's cell and its neighbours the straight line is exact enough and smooth.
    if (straight < 1.5 * ROUTE_CELL) return straight;
    return this.field.at(x, y);
  }
}

/** Objects that shape routes: obstacles and walls (blocking) and slopes and steps (terrain),
 * except `except`; moving obstacles and movable crates are left out, as the scripted
 * controller's routes leave them out. */
export function routeObstacles(objects: readonly SceneObject[], except?: string): SceneObject[] {
  return objects.filter((o) => (o.kind === 'obstacle' || o.kind === 'wall' || o.kind === 'slope' || o.kind === 'step') && o.id !== except);
}

/** A field per episode, rebuilt only when the goal or the static obstacles move. */
export class RouteFieldCache {
  private key = '';
  private field: RouteField | null = null;

  get(arena: readonly [number, number], goal: readonly number[], objects: readonly SceneObject[], shape: number | Readonly<RouteShape>, except?: string): RouteField {
    const obstacles = routeObstacles(objects, except);
    const s = shapeOf(shape);
    const key = [arena[0], arena[1], goal[0], goal[1], s.inflate, s.marginCost, s.slack, ...obstacles.map((o) => `${o.id}:${o.x.toFixed(2)}:${o.y.toFixed(2)}:${o.yaw.toFixed(2)}`)].join('|');
    if (!this.field || key !== this.key) {
      this.field = new RouteField(arena, goal, obstacles, s);
      this.key = key;
    }
    return this.field;
  }

  clear(): void {
    this.key = '';
    this.field = null;
  }
}
