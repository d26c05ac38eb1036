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
 * ramp and not through its wall. Cells inside the margin cost `MARGIN_COST` times their length
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
const MARGIN_COST = 100;

export class RouteField {
  private readonly field: DistanceField;

  /**
   * @param arena full extents [x, y], centred on the origin
   * @param goal goal position (x, y)
   * @param objects the objects the observation lists (obstacles, walls and terrain shape routes)
   * @param inflate clearance (m) a cell centre needs to be free: about the robot's radius
   * @param except an object that does not block (the crate being pushed)
   */
  constructor(arena: readonly [number, number], readonly goal: readonly number[], objects: readonly SceneObject[], readonly inflate: number, except?: string) {
    this.field = distanceField({ objects: routeObstacles(objects, except) }, goal[0], goal[1], { arena, clearance: inflate, marginCost: MARGIN_COST });
  }

  /** Route length (m) from (x, y) to the goal. */
  distance(x: number, y: number): number {
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
