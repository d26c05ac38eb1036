/**
 * The run configuration: one typed, schema-validated value that says what a run is — which
 * scenarios, planners and seeds, on which simulator settings, with which planner settings. It is
 * what `manifest.json` stores under `config`, and the only way back from a manifest to a run:
 *
 *     manifest.json ──parseRunConfig──▶ RunConfig ──manifestConfig──▶ manifest.json
 *
 * `run --from`, `run --resume`, `merge`, `ci` and `baseline update` all go through this pair, so
 * a field added here is carried by every one of them (the copies that once translated the
 * manifest by hand, and disagreed, are gone). The round trip is tested for every field.
 *
 * Seeds are always a list of seed numbers here; the `--seeds` text ("5" = seeds 0-4) is parsed
 * once, by the plan, and never rebuilt from a list.
 */
import { z } from 'zod';
import { UserError } from './errors.ts';
import { describeIssues } from './schemaIssues.ts';

/** Which Rapier build runs the physics. `deterministic`: bit-identical across machines (default).
 * `fast`: SIMD build, bit-identical only on the same machine. */
export type PhysicsFlavor = 'deterministic' | 'fast';
export const PHYSICS: readonly PhysicsFlavor[] = ['deterministic', 'fast'];

/** How lidar ranges are computed (see sim/lidar.ts): `analytic` (default) intersects the rays in
 * closed form with the primitives Rapier simulates; `rapier` asks Rapier (`Collider.castRay`). The
 * two agree to within 1e-3 m (tested on every scenario); `analytic` is about 10× cheaper. */
export type LidarMethod = 'analytic' | 'rapier';
export const LIDAR_METHODS: readonly LidarMethod[] = ['analytic', 'rapier'];

/** What observations hold, for every planner alike (docs/observations.md):
 * - `state` (default): the pose, size and velocity of every object in the scene, as the LLM reads them;
 * - `sensor`: only objects within the lidar's range (5 m) of the robot, plus the object a push
 *   task names; the lidar and proprioception as always. */
export type ObservationTier = 'state' | 'sensor';
export const OBSERVATION_TIERS: readonly ObservationTier[] = ['state', 'sensor'];

/** `turn`: the world waits while a planner thinks. `realtime`: thinking costs simulated time. */
export type Clock = 'turn' | 'realtime';
export const CLOCKS: readonly Clock[] = ['turn', 'realtime'];

export interface Shard {
  /** 0-based, like `$SLURM_ARRAY_TASK_ID`. */
  index: number;
  count: number;
}

const SEED_MAX = 2 ** 31 - 1;

const shardSchema = z
  .object({ index: z.number().int().min(0), count: z.number().int().min(1) })
  .refine((s) => s.index < s.count, { message: 'shard index must be below the shard count' });

/** The schema of `manifest.json`'s `config`. Fields added after the first manifests were written
 * have defaults, so old run directories still open; keys it does not know are dropped. */
export const RunConfigSchema = z
  .object({
    suite: z.string().nullable(),
    scenarios: z.array(z.string().min(1)).min(1),
    scenarioFiles: z.record(z.string(), z.string()).optional(),
    planners: z.array(z.string().min(1)).min(1),
    seeds: z.array(z.number().int().min(0).max(SEED_MAX)).min(1),
    physics: z.enum(['deterministic', 'fast']),
    lidar: z.enum(['analytic', 'rapier']).default('analytic'),
    observation: z.enum(['state', 'sensor']).default('state'),
    record: z.boolean(),
    clock: z.enum(['turn', 'realtime']),
    plannerConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    shard: shardSchema.optional(),
    scenarioHashes: z.record(z.string(), z.string()).default({}),
    inputHashes: z.record(z.string(), z.string()).default({}),
    skippedPlanners: z.record(z.string(), z.string()).optional(),
    observationSpecs: z
      .record(z.string(), z.object({ tier: z.enum(['state', 'sensor']), reads: z.string(), inputLayout: z.record(z.string(), z.array(z.string())).optional() }))
      .optional(),
  });

/** The resolved, frozen configuration of a run (what `manifest.json` holds under `config`). */
export interface RunConfig {
  /** The suite the scenarios came from, or null when they were listed. */
  suite: string | null;
  /** Scenario ids, in plan order. */
  scenarios: string[];
  /** Where scenarios given as files (not shipped ids) were read from, by id (absolute paths), so
   * `--from` and `--resume` find them again. */
  scenarioFiles?: Record<string, string>;
  /** Planners that ran, in plan order (planners that could not run are in `skippedPlanners`). */
  planners: string[];
  seeds: number[];
  physics: PhysicsFlavor;
  lidar: LidarMethod;
  /** What every planner observes (see `ObservationTier`). */
  observation: ObservationTier;
  /** Whether every episode was recorded. */
  record: boolean;
  clock: Clock;
  /** Planner settings as given (flags and `--set`), typed by their declarations; secrets "***". */
  plannerConfig: Record<string, string | number | boolean>;
  /** With `--shard K/N`: this run holds only shard K (0-based) of N of the planned episodes. */
  shard?: Shard;
  /** SHA-256 (hex) of each scenario as resolved (defaults filled in), by id: two runs with equal
   * hashes ran the same task definitions, whatever the files' formatting. */
  scenarioHashes: Record<string, string>;
  /** SHA-256 of every other input that shapes results, by `<planner>:<label>` (checkpoints, prompt
   * templates, a replayed cassette, price tables; see `PlannerFactory.inputs`). */
  inputHashes: Record<string, string>;
  /** Planners that were asked for but could not run here, with the factory's one-line reason. */
  skippedPlanners?: Record<string, string>;
  /** What each planner that ran reads of the observation (`PlannerFactory.observes`), at the
   * run's tier: learned planners list their checkpoints' input layouts by robot. Absent in
   * manifests written before it was recorded. */
  observationSpecs?: Record<string, PlannerObservation>;
}

/** One planner's entry of `RunConfig.observationSpecs`. */
export interface PlannerObservation {
  tier: ObservationTier;
  reads: string;
  inputLayout?: Record<string, string[]>;
}

/**
 * A manifest's `config` as a `RunConfig`, or a one-line error naming the file, the field and what
 * is wrong with it.
 */
export function parseRunConfig(value: unknown, where: string): RunConfig {
  const parsed = RunConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError('E_RUN_DIR', `${where}: ${describeIssues(parsed.error.issues, value, ['config'])}; this is not an intact planarena run manifest: restore it, or start a new run with --out`);
  }
  return deepFreeze(orderedConfig(parsed.data as RunConfig));
}

/** The config as `manifest.json` stores it (fields in a fixed order, optional ones only when set). */
export function manifestConfig(config: RunConfig): RunConfig {
  return orderedConfig(config);
}

function orderedConfig(c: RunConfig): RunConfig {
  return {
    suite: c.suite,
    scenarios: [...c.scenarios],
    ...(c.scenarioFiles && Object.keys(c.scenarioFiles).length > 0 ? { scenarioFiles: { ...c.scenarioFiles } } : {}),
    planners: [...c.planners],
    seeds: [...c.seeds],
    physics: c.physics,
    lidar: c.lidar,
    observation: c.observation,
    record: c.record,
    clock: c.clock,
    plannerConfig: { ...c.plannerConfig },
    ...(c.shard && c.shard.count > 1 ? { shard: { index: c.shard.index, count: c.shard.count } } : {}),
    scenarioHashes: { ...c.scenarioHashes },
    inputHashes: { ...c.inputHashes },
    ...(c.skippedPlanners && Object.keys(c.skippedPlanners).length > 0 ? { skippedPlanners: { ...c.skippedPlanners } } : {}),
    ...(c.observationSpecs ? { observationSpecs: structuredClone(c.observationSpecs) } : {}),
  };
}

/** Planner settings as recorded, without the redacted secrets (they must be given again). */
export function usablePlannerConfig(config: Readonly<RunConfig['plannerConfig']>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== '***'));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
