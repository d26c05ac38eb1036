/**
 * Limits on what a scenario or suite file may ask for. Every limit here is far above what a
 * sensible task needs (the shipped scenarios use a few percent of each) and far below what makes
 * validation, the simulator or a planner hang, allocate without bound or lose precision. Each is
 * enforced with a one-line error naming the field and the limit; `docs/limits.md` lists them all,
 * with the limits of the viewer, the LLM client and run directories.
 */

/** Largest scenario or suite file read (bytes). The biggest shipped file is under 3 KB. */
export const MAX_SCENARIO_FILE_BYTES = 1 << 20;
/** Deepest nesting of arrays and objects in a scenario file (the schema needs 5). */
export const MAX_JSON_DEPTH = 64;
/** Longest side of the arena (m): the route planners grid the floor at 0.1 m, so 100 m is 1e6 cells. */
export const MAX_ARENA_SIZE = 100;
/** Largest extent of any shape, ramp or step (m). */
export const MAX_SHAPE_SIZE = 50;
/** Heaviest movable object (kg): the robots weigh a few kg; more only makes Rapier stiff. */
export const MAX_MASS = 10_000;
/** Largest friction coefficient. */
export const MAX_FRICTION = 10;
/** Largest scripted impulse per axis, and largest jitter (N·s). A robot weighs 2-20 kg; 100 N·s
 * throws it at 5-50 m/s, the diverged threshold. */
export const MAX_IMPULSE = 100;
/** Fastest moving obstacle (m/s). */
export const MAX_MOVER_SPEED = 20;
/** Largest wall height and thickness (m). */
export const MAX_WALL = 10;
/** Longest text field (title, description, instruction) in characters: the instruction goes into
 * every LLM prompt. */
export const MAX_TEXT = 4000;

/** Shortest physics step (s): 0.001 s is 1000 substeps per simulated second; smaller steps make
 * an episode of the 600 s limit run for hours. */
export const MIN_PHYSICS_DT = 0.001;
/** Most default seeds a suite may ask for (the same cap as `--seeds N`). */
export const MAX_SUITE_SEEDS = 100_000;

/** Longest array per field. */
export const MAX_ITEMS = {
  obstacles: 1000,
  objects: 100,
  movingObstacles: 100,
  /** Waypoints of one moving obstacle. */
  path: 100,
  perturbations: 1000,
  slopes: 100,
  steps: 100,
  tags: 32,
  /** Scenarios of one suite. */
  scenarios: 1000,
} as const;
