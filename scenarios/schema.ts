/**
 * Scenario file schema: the one declarative description of a task.
 *
 * Frames and units (everywhere in planarena):
 * - World frame is right-handed, **z up**, ground plane z = 0, arena centred on the origin.
 * - Lengths in metres, masses in kilograms, time in seconds, angles in **degrees** in files
 *   (radians inside the code), yaw measured counter-clockwise from +x.
 * - A `[lo, hi]` range is sampled uniformly from the scenario's seeded layout stream.
 *
 * The zod schema below is the source of truth: the TypeScript types are inferred from it and
 * `scenarios/scenario.schema.json` (for editors) is generated from it by `planarena schema`.
 */
import { z } from 'zod';

const num = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const pos = z.number().positive();
const vec2 = z.tuple([num, num]);
const vec3 = z.tuple([num, num, num]);
/** A closed interval [lo, hi] with lo <= hi. */
export const Range = z
  .tuple([num, num])
  .refine(([lo, hi]) => lo <= hi, { message: 'range [lo, hi] needs lo <= hi' });
const id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'ids are lower-case letters, digits, "_" or "-", starting with a letter');
const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'colours are "#rrggbb"')
  .optional();

const placed = {
  id,
  /** Centre of the shape's footprint on the ground plane. */
  position: vec2,
  /** Yaw in degrees. */
  yaw: num.default(0),
  color,
};

/** Shapes: boxes use full extents `size: [x, y, z]`; cylinders (`radius`, `height`) stand upright; spheres take `radius`. */
/** Static obstacle: never moves. Box, cylinder or sphere resting on the ground. */
export const StaticObstacle = z
  .object({ ...placed, shape: z.enum(['box', 'cylinder', 'sphere']), size: z.tuple([pos, pos, pos]).optional(), radius: pos.optional(), height: pos.optional() })
  .strict();

function shapeChecks<T extends { shape: string; size?: unknown; radius?: unknown; height?: unknown }>(o: T, ctx: z.RefinementCtx) {
  if (o.shape === 'box' && o.size === undefined) ctx.addIssue({ code: 'custom', path: ['size'], message: 'a box needs "size": [x, y, z] in metres' });
  if ((o.shape === 'cylinder' || o.shape === 'sphere') && o.radius === undefined) ctx.addIssue({ code: 'custom', path: ['radius'], message: `a ${o.shape} needs "radius" in metres` });
  if (o.shape === 'cylinder' && o.height === undefined) ctx.addIssue({ code: 'custom', path: ['height'], message: 'a cylinder needs "height" in metres' });
}

export const ObstacleSpec = StaticObstacle.superRefine(shapeChecks);
export type ObstacleSpec = z.infer<typeof ObstacleSpec>;

/** Movable (dynamic) object, e.g. a box to push. */
export const ObjectSpec = z
  .object({
    ...placed,
    shape: z.enum(['box', 'cylinder', 'sphere']),
    size: z.tuple([pos, pos, pos]).optional(),
    radius: pos.optional(),
    height: pos.optional(),
    mass: pos,
    friction: z.number().min(0).default(0.6),
  })
  .strict()
  .superRefine(shapeChecks);
export type ObjectSpec = z.infer<typeof ObjectSpec>;

/** Kinematic obstacle following a path at constant speed; it pushes whatever it meets. */
export const MovingObstacleSpec = z
  .object({
    id,
    shape: z.enum(['box', 'cylinder', 'sphere']),
    size: z.tuple([pos, pos, pos]).optional(),
    radius: pos.optional(),
    height: pos.optional(),
    color,
    /** Waypoints on the ground plane, at least two; the obstacle starts at the first. */
    path: z.array(vec2).min(2, 'a path needs at least two waypoints'),
    /** Metres per second along the path. */
    speed: pos,
    /** pingpong: back and forth; loop: last waypoint joins the first. */
    mode: z.enum(['pingpong', 'loop']).default('pingpong'),
    /** Start offset along the path, a range in metres (randomised per seed). */
    phase: Range.default([0, 0]),
  })
  .strict()
  .superRefine(shapeChecks);
export type MovingObstacleSpec = z.infer<typeof MovingObstacleSpec>;

/** A timed shove: an impulse (N·s) applied to the robot or a movable object. */
export const PerturbationSpec = z
  .object({
    /** Simulated time in seconds; a range is sampled per seed. */
    at: z.union([num.nonnegative(), Range]),
    /** "robot" or a movable object's id. */
    target: z.string(),
    /** Impulse [x, y, z] in N·s, world frame. */
    impulse: vec3,
    /** Random extra impulse magnitude per axis, sampled per seed. */
    jitter: num.nonnegative().default(0),
  })
  .strict();
export type PerturbationSpec = z.infer<typeof PerturbationSpec>;

/** Slope: a tilted box ramp. `angle` is the incline in degrees, rising along the ramp's yaw direction. */
export const SlopeSpec = z
  .object({ id, position: vec2, yaw: num.default(0), length: pos, width: pos, angle: z.number().gt(0).lt(45), color })
  .strict();
/** Step: a flat raised platform of the given height. */
export const StepSpec = z
  .object({ id, position: vec2, yaw: num.default(0), size: z.tuple([pos, pos]), height: pos, color })
  .strict();

export const ArenaSpec = z
  .object({
    /** Full extents [x, y] of the floor in metres. */
    size: z.tuple([pos, pos]),
    friction: z.number().min(0).default(0.8),
    /** Perimeter walls (height in metres) or none: leaving the arena is then a failure. */
    walls: z.union([z.literal(false), z.object({ height: pos, thickness: pos.default(0.1) }).strict()]).default(false),
    slopes: z.array(SlopeSpec).default([]),
    steps: z.array(StepSpec).default([]),
  })
  .strict();

export const RobotSpec = z
  .object({
    type: z.enum(['diffdrive', 'pusher', 'arm']),
    /** Start pose: position on the ground plane (arm: its base), yaw in degrees. */
    start: z.object({ position: vec2, yaw: num.default(0) }).strict(),
    /** Arm only: initial joint angles in degrees (defaults to the robot's home pose). */
    joints: z.array(num).optional(),
  })
  .strict();

/** Goal region. `reach`: robot centre within `tolerance` of `position`; `push`: the object's centre
 * within `tolerance`; `ee_reach`: the arm's end effector within `tolerance` of a 3-D point. */
export const GoalSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reach'), position: vec2, tolerance: pos.default(0.3) }).strict(),
  z.object({ type: z.literal('push'), object: z.string(), position: vec2, tolerance: pos.default(0.3) }).strict(),
  z.object({ type: z.literal('ee_reach'), position: vec3, tolerance: pos.default(0.05) }).strict(),
]);
export type GoalSpec = z.infer<typeof GoalSpec>;

/** Randomisation per seed, drawn from the layout stream. Offsets are added to the file's values. */
export const RandomizeSpec = z
  .object({
    robotPosition: z.tuple([Range, Range]).optional(),
    robotYaw: Range.optional(),
    goalPosition: z.union([z.tuple([Range, Range]), z.tuple([Range, Range, Range])]).optional(),
    /** Uniform jitter radius (metres) added to every movable object's position. */
    objectJitter: num.nonnegative().optional(),
    /** Uniform jitter radius (metres) added to every static obstacle's position. */
    obstacleJitter: num.nonnegative().optional(),
  })
  .strict();

export const ScenarioSpec = z
  .object({
    $schema: z.string().optional(),
    id,
    title: z.string().min(1),
    description: z.string().min(1),
    /** Natural-language task statement given to language planners. */
    instruction: z.string().min(1),
    /** Free tags for grouping in reports, e.g. ["navigation"], ["pushing"], ["arm"]. */
    tags: z.array(z.string()).default([]),
    robot: RobotSpec,
    arena: ArenaSpec,
    obstacles: z.array(ObstacleSpec).default([]),
    objects: z.array(ObjectSpec).default([]),
    movingObstacles: z.array(MovingObstacleSpec).default([]),
    perturbations: z.array(PerturbationSpec).default([]),
    goal: GoalSpec,
    randomize: RandomizeSpec.default({}),
    /** Physics step in seconds. */
    physicsDt: pos.max(0.1).default(1 / 60),
    /** Seconds between planner decisions; must be a whole number of physics steps. */
    controlPeriod: pos.default(0.1),
    /** Episode time limit in seconds (truncation). */
    timeLimit: pos.max(600),
  })
  .strict();

/** A scenario exactly as validated from its file (defaults filled in). Frozen once loaded. */
export type Scenario = z.infer<typeof ScenarioSpec>;
export type RobotType = Scenario['robot']['type'];

export const SuiteSpec = z
  .object({
    $schema: z.string().optional(),
    id,
    description: z.string().min(1),
    /** Scenario ids (files in scenarios/files/<id>.json). */
    scenarios: z.array(id).min(1),
    /** Seeds used when `--seeds` is not given. */
    defaultSeeds: z.number().int().positive().default(5),
  })
  .strict();
export type Suite = z.infer<typeof SuiteSpec>;
