/**
 * Imagined futures land where the robot is: the shipped checkpoints' probe head decodes the
 * current latent (the first point of every imagined path) to within a probe's error of the
 * robot's true position, in world coordinates, as the viewer draws them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { taskSpec, type Planner } from '../../planners/Planner.ts';
import { factory } from '../../planners/world-model/WorldModelPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv, type SimEnv } from '../../sim/Env.ts';

let planner: Planner | undefined;
let env: SimEnv | undefined;
afterAll(async () => {
  await planner?.dispose();
  env?.dispose();
});

describe('imagined futures', () => {
  it('start at the robot, in world coordinates (open-field, shipped diffdrive checkpoint)', async () => {
    const scenario = loadScenario('open-field');
    env = await createEnv(scenario);
    planner = await factory.create({ config: {} });
    let { obs } = env.reset({ seed: 4 });
    await planner.reset(taskSpec(scenario, env.actionSpace), 4);
    const errors: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { action, info } = await planner.act(obs);
      const first = (info!.imagined as { rollouts: { points: number[][] }[] }).rollouts[0].points[0];
      errors.push(Math.hypot(first[0] - obs.robot.pose.x, first[1] - obs.robot.pose.y));
      obs = env.step(action).obs;
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(mean).toBeLessThan(0.5);
  });
});
