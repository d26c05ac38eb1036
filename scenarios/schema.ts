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
import { MAX_ARENA_SIZE, MAX_FRICTION, MAX_IMPULSE, MAX_ITEMS, MAX_MASS, MAX_MOVER_SPEED, MAX_SHAPE_SIZE, MAX_SUITE_SEEDS, MAX_TEXT, MAX_WALL, MIN_PHYSICS_DT } from './limits.ts';

const num = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const pos = z.number().positive();
const vec2 = z.tuple([num, num]);
const vec3 = z.tuple([num, num, num]);
/** A length of a shape, ramp or step: positive and at most {@link MAX_SHAPE_SIZE}. */
const extent = pos.max(MAX_SHAPE_SIZE);
/** A bounded list; the message names the limit and where all limits are listed. */
const list = <T extends z.ZodType>(item: T, max: number, what: string) => z.array(item).max(max, `allows at most ${max} ${what} (limits: docs/limits.md)`);
/** Free text with a length limit (it reaches prompts, reports and the viewer). */
const text = z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters (limits: docs/limits.md)`);
const impulse = z.number().min(-MAX_IMPULSE).max(MAX_IMPULSE);
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
  id: id.describe('Unique name of this body; used in observations, events and perturbation targets.'),
  /** Centre of the shape's footprint on the ground plane. */
  position: vec2.describe('Centre of the footprint on the ground plane [x, y], metres.'),
  /** Yaw in degrees. */
  yaw: num.default(0).describe('Heading in degrees, counter-clockwise from +x.'),
  color,
};
const shapeFields = {
  shape: z.enum(['box', 'cylinder', 'sphere']).describe('box needs "size"; cylinder needs "radius" and "height" (upright); sphere needs "radius".'),
  size: z.tuple([extent, extent, extent]).optional().describe('Box only: full extents [x, y, z], metres.'),
  radius: extent.optional().describe('Cylinder or sphere radius, metres.'),
  height: extent.optional().describe('Cylinder height, metres.'),
};

/** Shapes: boxes use full extents `size: [x, y, z]`; cylinders (`radius`, `height`) stand upright; spheres take `radius`. */
/** Static obstacle: never moves. Box, cylinder or sphere resting on the ground. */
export const StaticObstacle = z
  .object({ ...placed, ...shapeFields })
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
    ...shapeFields,
    mass: pos.max(MAX_MASS).describe('Mass in kilograms.'),
    friction: z.number().min(0).max(MAX_FRICTION).default(0.6).describe('Friction coefficient against the floor and other bodies.'),
  })
  .strict()
  .superRefine(shapeChecks);
export type ObjectSpec = z.infer<typeof ObjectSpec>;

/** Kinematic obstacle following a path at constant speed; it pushes whatever it meets. */
export const MovingObstacleSpec = z
  .object({
    id: placed.id,
    ...shapeFields,
    color,
    /** Waypoints on the ground plane, at least two; the obstacle starts at the first. */
    path: list(vec2, MAX_ITEMS.path, 'waypoints').min(2, 'a path needs at least two waypoints').describe('Waypoints [x, y] on the ground plane, at least two; the obstacle starts at the first.'),
    /** Metres per second along the path. */
    speed: pos.max(MAX_MOVER_SPEED).describe('Speed along the path, metres per second.'),
    /** pingpong: back and forth; loop: last waypoint joins the first. */
    mode: z.enum(['pingpong', 'loop']).default('pingpong').describe('pingpong: back and forth; loop: the last waypoint joins the first.'),
    /** Start offset along the path, a range in metres (randomised per seed). */
    phase: Range.default([0, 0]).describe('Start offset along the path in metres, [lo, hi], sampled per seed.'),
  })
  .strict()
  .superRefine(shapeChecks);
export type MovingObstacleSpec = z.infer<typeof MovingObstacleSpec>;

/** A timed shove: an impulse (N·s) applied to the robot or a movable object. */
export const PerturbationSpec = z
  .object({
    /** Simulated time in seconds; a range is sampled per seed. */
    at: z.union([num.nonnegative(), Range]).describe('Simulated time of the shove in seconds, or a range [lo, hi] sampled per seed.'),
    /** "robot" or a movable object's id. */
    target: z.string().max(128).describe('"robot" or the id of a movable object.'),
    /** Impulse [x, y, z] in N·s, world frame. */
    impulse: z.tuple([impulse, impulse, impulse]).describe(`Impulse [x, y, z] in newton-seconds, world frame; each at most ${MAX_IMPULSE} in magnitude.`),
    /** Random extra impulse magnitude per axis, sampled per seed. */
    jitter: num.nonnegative().max(MAX_IMPULSE).default(0).describe('Random extra impulse per axis, uniform in [-jitter, jitter], sampled per seed.'),
  })
  .strict();
export type PerturbationSpec = z.infer<typeof PerturbationSpec>;

/** Slope: a tilted box ramp. `angle` is the incline in degrees, rising along the ramp's yaw direction. */
export const SlopeSpec = z
  .object({
    ...placed,
    length: extent.describe('Length of the ramp surface along its yaw direction, metres.'),
    width: extent.describe('Width of the ramp, metres.'),
    angle: z.number().gt(0).lt(45).describe('Incline in degrees, rising along the yaw direction.'),
  })
  .strict();
/** Step: a flat raised platform of the given height. */
export const StepSpec = z
  .object({ ...placed, size: z.tuple([extent, extent]).describe('Footprint [x, y], metres.'), height: extent.describe('Height of the platform top above the floor, metres.') })
  .strict();

export const ArenaSpec = z
  .object({
    /** Full extents [x, y] of the floor in metres. */
    size: z.tuple([pos.max(MAX_ARENA_SIZE), pos.max(MAX_ARENA_SIZE)]).describe(`Full extents [x, y] of the floor in metres, centred on the origin; each at most ${MAX_ARENA_SIZE}.`),
    friction: z.number().min(0).max(MAX_FRICTION).default(0.8).describe('Floor friction coefficient.'),
    /** Perimeter walls (height in metres) or none: leaving the arena is then a failure. */
    walls: z
      .union([z.literal(false), z.object({ height: pos.max(MAX_WALL), thickness: pos.max(MAX_WALL).default(0.1) }).strict()])
      .default(false)
      .describe('Perimeter walls {height, thickness} standing just outside the floor, or false: leaving the arena is then a failure.'),
    slopes: list(SlopeSpec, MAX_ITEMS.slopes, 'slopes').default([]).describe('Tilted ramps.'),
    steps: list(StepSpec, MAX_ITEMS.steps, 'steps').default([]).describe('Raised flat platforms.'),
  })
  .strict();

export const RobotSpec = z
  .object({
    type: z.enum(['diffdrive', 'pusher', 'arm']).describe('diffdrive: two-wheeled base; pusher: holonomic disc; arm: fixed-base three-joint arm.'),
    /** Start pose: position on the ground plane (arm: its base), yaw in degrees. */
    start: z.object({ position: vec2, yaw: num.default(0) }).strict().describe('Start pose: position [x, y] (the arm: its base) and yaw in degrees.'),
    /** Arm only: initial joint angles in degrees (defaults to the robot's home pose). */
    joints: z.array(num).length(3, 'an arm has 3 joints: list 3 angles [yaw, shoulder, elbow] in degrees').optional().describe('Arm only: initial joint angles in degrees (yaw, shoulder, elbow); default: the home pose.'),
  })
  .strict();

/** Goal region. `reach`: robot centre within `tolerance` of `position`; `push`: the object's centre
 * within `tolerance`; `ee_reach`: the arm's end effector within `tolerance` of a 3-D point. */
export const GoalSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reach'), position: vec2, tolerance: pos.default(0.3) }).strict().describe('Succeeds when the robot centre is within tolerance of position [x, y].'),
  z
    .object({ type: z.literal('push'), object: z.string().max(128).describe('Id of the movable object to deliver.'), position: vec2, tolerance: pos.default(0.3) })
    .strict()
    .describe("Succeeds when the object's centre is within tolerance of position [x, y]."),
  z.object({ type: z.literal('ee_reach'), position: vec3, tolerance: pos.default(0.05) }).strict().describe("Arm only: succeeds when the end effector is within tolerance of position [x, y, z]."),
]);
export type GoalSpec = z.infer<typeof GoalSpec>;

/** The splits of a procedural family: train levels are a fixed set; test levels come from the
 * same factor ranges but other streams; ood levels from factor values never seen in training. */
export const SPLITS = ['train', 'test', 'ood'] as const;
export type Split = (typeof SPLITS)[number];

/** Where a generated scenario comes from (see scenarios/generator/). */
export const GeneratedInfo = z
  .object({
    family: id.describe('The family (scenarios/families/<family>.json) that generated this level.'),
    split: z.enum(SPLITS).describe('train, test or ood.'),
    level: z.number().int().nonnegative().describe('Level number within the split.'),
    difficulty: num.describe("Mean of the family's difficulty knobs, each scaled to 0 (easiest) .. 1 (hardest) over the train range; ood levels may fall outside 0..1."),
    factors: z.record(z.string(), z.union([num, z.string()])).describe('The factor values drawn for this level.'),
  })
  .strict();
export type GeneratedInfo = z.infer<typeof GeneratedInfo>;

/** Randomisation per seed, drawn from the layout stream. Offsets are added to the file's values. */
export const RandomizeSpec = z
  .object({
    robotPosition: z.tuple([Range, Range]).optional().describe('Offsets [[lo, hi], [lo, hi]] added to the start x and y.'),
    robotYaw: Range.optional().describe('Offset [lo, hi] in degrees added to the start yaw.'),
    goalPosition: z.union([z.tuple([Range, Range]), z.tuple([Range, Range, Range])]).optional().describe('One offset range [lo, hi] per goal coordinate.'),
    /** Uniform jitter radius (metres) added to every movable object's position. */
    objectJitter: num.nonnegative().optional().describe('Every movable object moves by a uniform random point in a disc of this radius (metres).'),
    /** Uniform jitter radius (metres) added to every static obstacle's position. */
    obstacleJitter: num.nonnegative().optional().describe('Every static obstacle moves by a uniform random point in a disc of this radius (metres).'),
  })
  .strict();

export const ScenarioSpec = z
  .object({
    $schema: z.string().optional().describe('Path to scenario.schema.json, for editors.'),
    id: id.describe('Scenario id; must equal the file name without .json.'),
    title: text.min(1).describe('Short display title.'),
    description: text.min(1).describe('What the task tests, for people and reports.'),
    /** Natural-language task statement given to language planners. */
    instruction: text.min(1).describe('Natural-language task statement given to language planners: what to do, never how.'),
    /** Strategy advice; reaches language planners only with --llm-hints (an ablation, never the default). */
    hint: text.min(1).optional().describe('Optional strategy advice ("go round the outside of the wall"); a language planner sees it only with --llm-hints, an ablation.'),
    /** Free tags for grouping in reports, e.g. ["navigation"], ["pushing"], ["arm"]. */
    tags: list(z.string().max(64), MAX_ITEMS.tags, 'tags').default([]).describe('Tags for grouping in reports: navigation, pushing, arm, dynamic.'),
    generated: GeneratedInfo.optional().describe('Set by the level generator (scenarios/generator/): the family, split and level this scenario is, and its difficulty.'),
    robot: RobotSpec.describe('The robot and its start pose.'),
    arena: ArenaSpec.describe('Floor, perimeter walls, slopes and steps.'),
    obstacles: list(ObstacleSpec, MAX_ITEMS.obstacles, 'obstacles').default([]).describe('Static obstacles resting on the floor.'),
    objects: list(ObjectSpec, MAX_ITEMS.objects, 'objects').default([]).describe('Movable bodies, e.g. the box to push.'),
    movingObstacles: list(MovingObstacleSpec, MAX_ITEMS.movingObstacles, 'moving obstacles').default([]).describe('Kinematic obstacles following paths; they push whatever they meet.'),
    perturbations: list(PerturbationSpec, MAX_ITEMS.perturbations, 'perturbations').default([]).describe('Timed shoves applied to the robot or a movable object.'),
    goal: GoalSpec.describe('The success predicate: reach, push or ee_reach.'),
    randomize: RandomizeSpec.default({}).describe('Per-seed variation, drawn from the seeded layout stream; offsets are added to the values above.'),
    /** Physics step in seconds. */
    physicsDt: z.number().min(MIN_PHYSICS_DT).max(0.1).default(1 / 60).describe('Physics step in seconds.'),
    /** Seconds between planner decisions; must be a whole number of physics steps. */
    controlPeriod: pos.default(0.1).describe('Seconds between planner decisions; a whole number of physics steps.'),
    /** Episode time limit in seconds (truncation). */
    timeLimit: pos.max(600).describe('Episode time limit in seconds (truncation, not failure).'),
  })
  .strict();

/** A scenario exactly as validated from its file (defaults filled in). Frozen once loaded. */
export type Scenario = z.infer<typeof ScenarioSpec>;
export type RobotType = Scenario['robot']['type'];

export const SuiteSpec = z
  .object({
    $schema: z.string().optional().describe('Path to suite.schema.json, for editors.'),
    id: id.describe('Suite id; must equal the file name without .json.'),
    description: text.min(1).describe('What the suite is for.'),
    /** Scenario ids (files in scenarios/files/<id>.json, or generated level ids <family>-<split>-<level>). */
    scenarios: list(id, MAX_ITEMS.scenarios, 'scenarios').default([]).describe('Scenario ids (files in scenarios/files/<id>.json, or generated levels <family>-<split>-<level>), each once.'),
    /** Ranges of generated levels, appended to `scenarios` in order. */
    generate: z
      .array(
        z
          .object({
            family: id.describe('A family id (scenarios/families/<family>.json).'),
            split: z.enum(SPLITS).describe('train, test or ood.'),
            start: z.number().int().nonnegative().default(0).describe('First level.'),
            count: z.number().int().positive().max(100_000).describe('Number of levels: start .. start + count - 1.'),
          })
          .strict(),
      )
      .default([])
      .describe('Generated levels: each entry adds levels start .. start + count - 1 of a family split, after the listed scenarios.'),
    /** Seeds used when `--seeds` is not given. */
    defaultSeeds: z.number().int().positive().max(MAX_SUITE_SEEDS).default(5).describe('Seeds used when --seeds is not given.'),
  })
  .strict();
export type Suite = z.infer<typeof SuiteSpec>;
