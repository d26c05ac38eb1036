/**
 * Planners say what they intend in one plain sentence (`info.intent`): the scripted planner its
 * skill call and route, the oracle its best simulated future, random that it has no plan, and the
 * world model what its imagined futures promise.
 */
import { describe, expect, it } from 'vitest';
import { getPlannerFactory } from '../../planners/registry.ts';
import { taskSpec, type Planner } from '../../planners/Planner.ts';
import { worldModelIntent } from '../../planners/world-model/intent.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv } from '../../sim/Env.ts';
import type { Observation } from '../../sim/types.ts';

/** The intents a planner states over the first `steps` steps of a real episode. */
async function intents(planner: string, scenario: string, steps: number): Promise<string[]> {
  const sc = loadScenario(scenario);
  const env = await createEnv(sc, { physics: 'deterministic' });
  const scratch: { env?: ReturnType<typeof env.fork> } = {};
  const f = await getPlannerFactory(planner);
  const p: Planner = await f.create({ config: {} });
  try {
    const reset = env.reset({ seed: 0 });
    const task = taskSpec(sc, env.actionSpace, f.privileged ? { snapshot: () => env.snapshot(), scratch: () => (scratch.env ??= env.fork()) } : undefined);
    await p.reset(task, 0);
    let obs = reset.obs;
    const out: string[] = [];
    for (let i = 0; i < steps; i++) {
      const { action, info } = await p.act(obs);
      out.push(String(info.intent));
      obs = env.step(action).obs;
    }
    return out;
  } finally {
    await p.dispose();
    scratch.env?.dispose();
    env.dispose();
  }
}

describe('planner intent', () => {
  it('scripted: the skill call in words and why it aims there', async () => {
    const said = await intents('scripted', 'u-trap', 3);
    expect(said[0]).toMatch(/^Drive to \(-?\d+\.\d, -?\d+\.\d\), a corner of its route round the obstacles \(\d more before the goal\)\.$/);
    expect((await intents('scripted', 'push-box', 1))[0]).toMatch(/^Push crate to \(-?\d+\.\d, -?\d+\.\d\), the goal\.$/);
  });

  it('oracle and random say what they do', async () => {
    expect((await intents('oracle', 'open-field', 1))[0]).toMatch(/^Tried \d+ futures in the true physics \(privileged access\); following the best, which brings the robot from \d+\.\d m to \d+\.\d m of the goal in \d+\.\d s\.$/);
    expect(await intents('random', 'open-field', 2)).toEqual(['No plan: a uniformly random action (the baseline that scores 0).', 'No plan: a uniformly random action (the baseline that scores 0).']);
  });

  it('world model: expected time and side from the best imagined future, or that none gets closer', () => {
    const obs = { goal: { type: 'reach', position: [4, 0, 0], tolerance: 0.3 } } as unknown as Observation;
    const path = (ys: number[]) => ys.map((y, i) => [i * 0.1, y, 0]);
    const base = { obs, imagined: 64, controlPeriod: 0.1, predictedGoalDistance: 3.9, stuck: false };
    // 10 steps (1 s) closing 1 m of 4: ~4 s; bulging 0.5 m to the left (+y, facing +x).
    const left = worldModelIntent({ ...base, rollouts: [{ points: path([0, 0.3, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0, 0, 0]), cost: 1, elite: true }, { points: path(new Array(11).fill(-1)), cost: 5, elite: false }] });
    expect(left).toBe('Expects to bring the robot to the goal in ~4.0 s, passing on the left (best of 64 imagined futures; it thinks the goal is 3.9 m away).');
    const right = worldModelIntent({ ...base, rollouts: [{ points: path([0, -0.4, -0.5, -0.3, 0, 0, 0, 0, 0, 0, 0]), cost: 1, elite: true }] });
    expect(right).toMatch(/passing on the right/);
    const straight = worldModelIntent({ ...base, rollouts: [{ points: path(new Array(11).fill(0.1)), cost: 1, elite: true }] });
    expect(straight).toMatch(/heading straight for it/);
    const stalled = worldModelIntent({ ...base, stuck: true, rollouts: [{ points: new Array(11).fill([0, 0, 0]), cost: 1, elite: true }] });
    expect(stalled).toBe('It thinks it is stuck (its imagined state stopped changing), so it searches wider; no imagined future brings the robot closer to the goal within 1.0 s, so it takes the least bad (best of 64 imagined futures; it thinks the goal is 3.9 m away).');
    // The stall response on: it says why it searches every action.
    const wide = worldModelIntent({ ...base, stalled: true, rollouts: [{ points: path(new Array(11).fill(0.1)), cost: 1, elite: true }] });
    expect(wide).toMatch(/^It has come no nearer the goal for a while, so it searches every action, not just near its actor's; expects to bring the robot to the goal/);
    // The actor alone (world-model-actor) imagines one future, its own plan, and searches nothing.
    const actor = worldModelIntent({ ...base, imagined: 1, stuck: true, rollouts: [{ points: path([0, 0.3, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0, 0, 0]), cost: 1, elite: true }] });
    expect(actor).toBe("It thinks it is stuck (its imagined state stopped changing); expects to bring the robot to the goal in ~4.0 s, passing on the left (its actor's plan, imagined; no search; it thinks the goal is 3.9 m away).");
  });
});
