/**
 * Layout resolution: a scenario plus a seed → the concrete initial conditions of one episode.
 *
 * Everything random about an episode's start is drawn here, from two seeded streams:
 * `Rng.stream(id, seed, 'layout')` (robot start, goal, object and obstacle jitter, moving-obstacle
 * phases, in that order) and `Rng.stream(id, seed, 'perturbation')` (shove times and jitter).
 * Angles leave here in radians. The result is frozen: the world builder only reads it.
 */
import type { MovingObstacleSpec, ObjectSpec, ObstacleSpec, Scenario } from '../scenarios/schema.ts';
import { Rng } from './rng.ts';
import type { Pose2, ResolvedGoal } from './types.ts';

const DEG = Math.PI / 180;

export interface PlacedObstacle {
  spec: ObstacleSpec;
  x: number;
  y: number;
  /** Radians. */
  yaw: number;
}

export interface PlacedObject {
  spec: ObjectSpec;
  x: number;
  y: number;
  yaw: number;
}

export interface PlacedMoving {
  spec: MovingObstacleSpec;
  /** Start offset along the path in metres. */
  phase: number;
}

export interface ResolvedPerturbation {
  /** Simulated time (s) at which the impulse is applied (at the first physics step at or after it). */
  at: number;
  target: string;
  impulse: [number, number, number];
}

export interface ResolvedLayout {
  scenarioId: string;
  seed: number;
  start: Pose2;
  /** Arm only: initial joint angles in radians. */
  joints?: number[];
  goal: ResolvedGoal;
  obstacles: PlacedObstacle[];
  objects: PlacedObject[];
  moving: PlacedMoving[];
  /** Sorted by time (stable for equal times, in file order). */
  perturbations: ResolvedPerturbation[];
}

/** A point uniformly inside a disc of radius r (rejection sampling: integer-free, no trig). */
function discJitter(rng: Rng, r: number): [number, number] {
  if (r <= 0) return [0, 0];
  for (;;) {
    const dx = rng.uniform(-1, 1);
    const dy = rng.uniform(-1, 1);
    if (dx * dx + dy * dy <= 1) return [dx * r, dy * r];
  }
}

export function resolveLayout(scenario: Scenario, seed: number): ResolvedLayout {
  const rng = Rng.stream(scenario.id, seed, 'layout');
  const rz = scenario.randomize;

  // Robot start
  let sx = scenario.robot.start.position[0];
  let sy = scenario.robot.start.position[1];
  let syaw = scenario.robot.start.yaw;
  if (rz.robotPosition) {
    sx += rng.uniform(rz.robotPosition[0][0], rz.robotPosition[0][1]);
    sy += rng.uniform(rz.robotPosition[1][0], rz.robotPosition[1][1]);
  }
  if (rz.robotYaw) syaw += rng.uniform(rz.robotYaw[0], rz.robotYaw[1]);

  // Goal
  const g = scenario.goal;
  const gp = [...g.position];
  if (rz.goalPosition) rz.goalPosition.forEach((r, i) => { if (i < gp.length) gp[i] += rng.uniform(r[0], r[1]); });
  const goal: ResolvedGoal =
    g.type === 'push'
      ? { type: 'push', position: gp, tolerance: g.tolerance, object: g.object }
      : { type: g.type, position: gp, tolerance: g.tolerance };

  // Objects and obstacles
  const objects = scenario.objects.map((spec): PlacedObject => {
    const [jx, jy] = discJitter(rng, rz.objectJitter ?? 0);
    return { spec, x: spec.position[0] + jx, y: spec.position[1] + jy, yaw: spec.yaw * DEG };
  });
  const obstacles = scenario.obstacles.map((spec): PlacedObstacle => {
    const [jx, jy] = discJitter(rng, rz.obstacleJitter ?? 0);
    return { spec, x: spec.position[0] + jx, y: spec.position[1] + jy, yaw: spec.yaw * DEG };
  });
  const moving = scenario.movingObstacles.map((spec): PlacedMoving => ({ spec, phase: rng.uniform(spec.phase[0], spec.phase[1]) }));

  // Perturbations, from their own stream so adding one never moves the layout.
  const prng = Rng.stream(scenario.id, seed, 'perturbation');
  const perturbations = scenario.perturbations
    .map((p): ResolvedPerturbation => {
      const at = typeof p.at === 'number' ? p.at : prng.uniform(p.at[0], p.at[1]);
      const j = p.jitter;
      const impulse: [number, number, number] = [
        p.impulse[0] + (j > 0 ? prng.uniform(-j, j) : 0),
        p.impulse[1] + (j > 0 ? prng.uniform(-j, j) : 0),
        p.impulse[2] + (j > 0 ? prng.uniform(-j, j) : 0),
      ];
      return { at, target: p.target, impulse };
    })
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.at - b.p.at || a.i - b.i)
    .map(({ p }) => p);

  const layout: ResolvedLayout = {
    scenarioId: scenario.id,
    seed,
    start: { x: sx, y: sy, yaw: syaw * DEG },
    goal,
    obstacles,
    objects,
    moving,
    perturbations,
  };
  if (scenario.robot.joints) layout.joints = scenario.robot.joints.map((d) => d * DEG);
  return deepFreeze(layout);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
