/**
 * The behaviour-cloning baseline `bc`: a policy network trained to imitate the scripted
 * controller (`planarena train bc`), acting on what it outputs for each observation. No world
 * model, no search, no memory: the floor a learned planner must clear to show that its model or
 * its search adds anything. It reads exactly the world model's input (`obs.flat`, then every
 * listed object as a set).
 *
 * Config (`PlannerOptions.config`):
 * - `bcCheckpoint` (`--bc-checkpoint DIR`): a checkpoint, or one subdirectory per robot as
 *   `train bc --out` writes; default `planners/baselines/bc/checkpoints/<robot>` when shipped;
 * - `bcBackend` (`--set bc-backend=...`): tfjs backend (default wasm: deterministic on CPUs).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';
import type { RobotType } from '../../../scenarios/schema.ts';
import type { Observation } from '../../../sim/types.ts';
import type { ActResult, ObservationSpec, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../../Planner.ts';
import { sentence } from '../../skills/describe.ts';
import { BACKENDS, type BackendChoice, selectBackend } from '../../world-model/io/backend.ts';
import { observationLayout } from '../../world-model/io/observationLayout.ts';
import { BC_META_FILE, loadBcCheckpoint, readBcMeta, validateBcCheckpoint, type BcMeta } from './BcCheckpoint.ts';
import type { BcPolicy } from './BcPolicy.ts';

/** Where shipped bc checkpoints live, one directory per robot type (trained with `planarena train bc --suite wm-train --episodes 1 --steps 3000`, the world model's training suite). */
export const SHIPPED_BC = fileURLToPath(new URL('./checkpoints/', import.meta.url));

const TRAIN_HINT = 'train one with `planarena train bc --suite <suite> --out <dir>` and pass --bc-checkpoint <dir>';

/** The checkpoint directory for `robot` under `config`. */
export function bcCheckpointDir(robot: RobotType, config: Record<string, unknown>): string {
  const c = config.bcCheckpoint;
  if (typeof c === 'string' && c.length > 0) {
    const perRobot = join(c, robot);
    return resolve(existsSync(join(perRobot, BC_META_FILE)) ? perRobot : c);
  }
  return join(SHIPPED_BC, robot);
}

function shippedRobots(): string[] {
  return existsSync(SHIPPED_BC) ? readdirSync(SHIPPED_BC).filter((d) => existsSync(join(SHIPPED_BC, d, BC_META_FILE))) : [];
}

function backendOf(config: Record<string, unknown>): BackendChoice {
  const b = config.bcBackend ?? 'wasm';
  if (typeof b !== 'string' || !(BACKENDS as readonly string[]).includes(b)) throw new UserError('E_PLANNER_CONFIG', `bc: --set bc-backend must be one of ${BACKENDS.join(', ')}; got ${JSON.stringify(b)}.`);
  return b as BackendChoice;
}

class BcPlanner implements Planner {
  readonly name = 'bc';
  private readonly loaded = new Map<string, { policy: BcPolicy; meta: BcMeta }>();
  private current: { policy: BcPolicy; meta: BcMeta } | null = null;

  constructor(private readonly options: Record<string, unknown>) {}

  async reset(task: TaskSpec): Promise<void> {
    const dir = bcCheckpointDir(task.robot, this.options);
    let entry = this.loaded.get(dir);
    if (!entry) {
      entry = loadBcCheckpoint(dir, { robot: task.robot, actionDim: task.actionSpace.dim, obsLayout: observationLayout(task.robot) });
      this.loaded.set(dir, entry);
    }
    this.current = entry;
  }

  async act(obs: Observation): Promise<ActResult> {
    if (!this.current) throw new Error('bc: act() before reset()');
    const { policy, meta } = this.current;
    const x = policy.input(obs);
    if (x.length !== meta.obsDim) throw new UserError('E_CHECKPOINT', `bc: the observation gives ${x.length} input slots but the checkpoint expects ${meta.obsDim}; retrain it for the current simulator.`);
    const out = tf.tidy(() => policy.act(tf.tensor2d(x, [1, meta.obsDim])));
    const action = Array.from(out.dataSync(), (v) => Math.max(-1, Math.min(1, v)));
    out.dispose();
    return { action, info: { intent: sentence('acts as its imitation of the scripted controller does in this situation: no model of the world, no search') } };
  }

  dispose(): void {
    for (const { policy } of this.loaded.values()) policy.dispose();
    this.loaded.clear();
    this.current = null;
  }
}

export const factory: PlannerFactory = {
  name: 'bc',
  description: 'behaviour cloning: a policy network imitating the scripted controller, reading what world-model reads; no model, no search',
  // Deterministic on the default wasm/cpu backends: one forward pass, no sampling.
  deterministic: true,
  observes(opts: PlannerOptions, robots: readonly RobotType[]): ObservationSpec {
    const inputLayout: Record<string, string[]> = {};
    let objects = false;
    for (const robot of robots) {
      const dir = bcCheckpointDir(robot, opts.config);
      if (!existsSync(join(dir, BC_META_FILE))) continue;
      const meta = readBcMeta(dir);
      inputLayout[robot] = [...meta.obsLayout];
      objects ||= meta.config.objects > 0;
    }
    return { reads: objects ? 'obs.flat, then every listed object as a set (io/sceneFeatures.ts)' : 'obs.flat', inputLayout };
  },
  unavailable(opts: PlannerOptions): string | null {
    const c = opts.config.bcCheckpoint;
    if (typeof c === 'string' && c.length > 0) return existsSync(c) ? null : `bc: --bc-checkpoint ${c} does not exist; train one with \`planarena train bc --suite <suite> --out ${c}\``;
    if (shippedRobots().length === 0) return `bc: no behaviour-cloning checkpoint (none shipped); ${TRAIN_HINT}`;
    return null;
  },
  inputs(opts: PlannerOptions, robots: readonly RobotType[]): Record<string, readonly string[]> {
    return Object.fromEntries(robots.map((robot) => {
      const dir = bcCheckpointDir(robot, opts.config);
      return [`checkpoint:${robot}`, [join(dir, BC_META_FILE), join(dir, 'weights.bin')]];
    }));
  },
  preflight(opts: PlannerOptions, robots: readonly RobotType[]): void {
    backendOf(opts.config);
    for (const robot of robots) validateBcCheckpoint(bcCheckpointDir(robot, opts.config), { robot, obsLayout: observationLayout(robot) });
  },
  async create(opts: PlannerOptions): Promise<Planner> {
    await selectBackend(backendOf(opts.config));
    return new BcPlanner(opts.config);
  },
};
