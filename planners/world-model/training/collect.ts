/**
 * Data collection: runs one episode of any planner in the simulator and records it as replay
 * data (observations, actions, rewards, goal distances, failures, probe targets). A small loop
 * of its own rather than the runner's `runEpisode`: training needs the raw observation vectors,
 * not recordings, hashes or timing.
 */
import { taskSpec, type Planner, type TaskSpec } from '../../Planner.ts';
import type { Scenario } from '../../../scenarios/schema.ts';
import { createEnv } from '../../../sim/Env.ts';
import type { Observation, PhysicsFlavor } from '../../../sim/types.ts';
import type { Rng } from '../../../sim/rng.ts';
import type { DataSource, EpisodeData } from './ReplayBuffer.ts';

export interface CollectOptions {
  /** Labels every visited state with this planner's action (`EpisodeData.expert`), whoever acts
   * (DAgger). It may be the acting planner itself (with `explore`). */
  teacher?: Planner;
  /** Exploration bursts (DART-style): with probability `prob` per step, the next `hold` steps
   * execute uniform random actions instead of the planner's; the teacher keeps labelling. */
  explore?: { prob: number; hold: number; rng: Rng };
}

/** Skills that mean the teacher has nothing to teach (pausing after a failure, given up). */
const NO_LABEL = new Set(['wait', 'stop']);

export interface CollectedEpisode {
  data: EpisodeData;
  success: boolean;
  failure: string | null;
  return: number;
  finalGoalDistance: number;
}

/** The probe head's target: the task subject (chassis; the arm's end effector) relative to the goal, world frame. */
export function subjectOffset(obs: Observation): [number, number, number] {
  const g = obs.goal.position;
  const s = obs.robot.type === 'arm' && obs.robot.ee ? obs.robot.ee : { x: obs.robot.pose.x, y: obs.robot.pose.y, z: obs.robot.pose.z };
  return [s.x - g[0], s.y - g[1], s.z - (g[2] ?? 0)];
}

/**
 * Runs one episode and returns its data. With `signal.stop` set (Ctrl-C) the episode ends early
 * and what was collected so far is still returned (its last transition is not terminal).
 */
export async function collectEpisode(
  scenario: Scenario,
  planner: Planner,
  seed: number,
  source: DataSource,
  physics: PhysicsFlavor = 'deterministic',
  signal?: { stop: boolean },
  opts: CollectOptions = {},
): Promise<CollectedEpisode> {
  const { teacher, explore } = opts;
  const env = await createEnv(scenario, { physics });
  try {
    const task = taskSpec(scenario, env.actionSpace);
    const first = env.reset({ seed });
    await planner.reset(task, seed);
    if (teacher && teacher !== planner) await teacher.reset(task, seed);
    const D = first.obs.flat.length;
    const A = env.actionSpace.dim;
    const obs: number[] = Array.from(first.obs.flat);
    const dist: number[] = [first.info.goalDistance];
    const pos: number[] = subjectOffset(first.obs);
    const actions: number[] = [];
    const expert: number[] = [];
    let burst = 0;
    const rewards: number[] = [];
    const failure: number[] = [];
    const terminal: number[] = [];
    let current = first.obs;
    let last = first.info;
    let ret = 0;
    let success = first.info.success;
    let failed: string | null = first.info.failure;
    for (let t = 0; t < task.maxSteps && !success && !failed; t++) {
      const prev = t === 0 ? undefined : last;
      const acted = await planner.act(current, prev);
      const action = acted.action;
      let clipped = clip(action, A);
      if (teacher) {
        const taught = teacher === planner ? acted : await teacher.act(current, prev);
        const skill = (taught.info as { skill?: { name?: string } } | undefined)?.skill?.name;
        expert.push(...(skill && NO_LABEL.has(skill) ? new Array<number>(A).fill(Number.NaN) : clip(taught.action, A)));
      }
      if (explore) {
        if (burst === 0 && explore.rng.uniform(0, 1) < explore.prob) burst = explore.hold;
        if (burst > 0) {
          clipped = Array.from({ length: A }, () => explore.rng.uniform(-1, 1));
          burst--;
        }
      }
      const r = env.step(clipped);
      actions.push(...clipped);
      rewards.push(r.reward);
      failure.push(r.info.failure ? 1 : 0);
      terminal.push(r.terminated ? 1 : 0);
      obs.push(...r.obs.flat);
      dist.push(r.info.goalDistance);
      pos.push(...subjectOffset(r.obs));
      ret += r.reward;
      success = r.info.success;
      failed = r.info.failure;
      current = r.obs;
      last = r.info;
      if (r.terminated || r.truncated) break;
      // Let a Ctrl-C handler run: planner promises alone never turn the event loop.
      if (signal) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.stop) break;
      }
    }
    const length = rewards.length;
    if (obs.length !== (length + 1) * D) throw new Error(`observation length changed during an episode of ${scenario.id}`);
    return {
      data: {
        scenario: scenario.id,
        seed,
        source,
        length,
        obs: Float32Array.from(obs),
        actions: Float32Array.from(actions),
        rewards: Float32Array.from(rewards),
        goalDistance: Float32Array.from(dist),
        failure: Float32Array.from(failure),
        terminal: Float32Array.from(terminal),
        position: Float32Array.from(pos),
        ...(teacher ? { expert: Float32Array.from(expert) } : {}),
      },
      success,
      failure: failed,
      return: ret,
      finalGoalDistance: dist[dist.length - 1],
    };
  } finally {
    env.dispose();
  }
}

function clip(action: readonly number[], A: number): number[] {
  return Array.from({ length: A }, (_, i) => (Number.isFinite(action[i]) ? Math.max(-1, Math.min(1, action[i])) : 0));
}
