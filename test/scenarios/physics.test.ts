/**
 * Every shipped scenario in the real simulator: it builds, its start state is calm at several
 * seeds (nothing falls, nothing starts inside something else, nothing flies off), and a run
 * repeats bit for bit. This cross-checks the semantic checks' footprints against Rapier's
 * colliders and the robot constants against the sim's robots.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEnv } from '../../sim/Env.ts';
import type { SimEnv } from '../../sim/Env.ts';
import { listScenarios, loadScenario } from '../../scenarios/load.ts';
import { ARM_REACH, ARM_SHOULDER_HEIGHT, MAX_SPEED, ROBOT_SIZE } from '../../scenarios/semantics.ts';
import { MAX_WHEEL_SPEED, PUSHER_RADIUS, WHEEL_RADIUS } from '../../sim/index.ts';
import { MAX_SPEED as PUSHER_MAX_SPEED } from '../../sim/robots/pusher.ts';
import type { Scenario } from '../../scenarios/schema.ts';

const SEEDS = [0, 1, 2, 3];
const IDLE_STEPS = 10; // one simulated second at the default control period

describe.each(listScenarios())('%s in the simulator', (id) => {
  let env: SimEnv | undefined;
  afterAll(() => env?.dispose());

  it('starts calm at every tested seed: no contact, no fall, objects at rest', async () => {
    const scenario = loadScenario(id);
    env = await createEnv(scenario);
    const idle = env.actionSpace.low.map(() => 0);
    for (const seed of SEEDS) {
      const { obs, info } = env.reset({ seed });
      expect(info.success, `seed ${seed}: goal met before any action`).toBe(false);
      const z0 = obs.robot.pose.z;
      const start = new Map(obs.objects.filter((o) => o.kind === 'movable').map((o) => [o.id, [o.x, o.y]]));
      const events: string[] = [];
      let last = obs;
      for (let k = 0; k < IDLE_STEPS; k++) {
        const r = env.step(idle);
        for (const e of r.info.events) if (e.type === 'collision' || e.type === 'failure') events.push(JSON.stringify(e));
        last = r.obs;
      }
      expect(events, `seed ${seed}`).toEqual([]);
      expect(Math.abs(last.robot.pose.z - z0), `seed ${seed}: robot height drifted`).toBeLessThan(0.01);
      // A robot spawned into something is pushed out of it.
      expect(Math.hypot(last.robot.pose.x - obs.robot.pose.x, last.robot.pose.y - obs.robot.pose.y), `seed ${seed}: robot moved while idle`).toBeLessThan(0.02);
      for (const o of last.objects.filter((o) => o.kind === 'movable')) {
        const [x, y] = start.get(o.id)!;
        expect(Math.hypot(o.x - x, o.y - y), `seed ${seed}: object ${o.id} moved while idle`).toBeLessThan(0.01);
      }
    }
  });
});

describe.each(listScenarios())('%s run twice', (id) => {
  it('gives bit-identical transforms for the same seed and actions', async () => {
    const env = await createEnv(loadScenario(id));
    try {
      const run = () => {
        env.reset({ seed: 7 });
        const frames: number[] = [];
        for (let k = 0; k < 15; k++) {
          // A fixed, varied action sequence that moves every robot type.
          env.step(env.actionSpace.low.map((_, j) => Math.sin(0.7 * k + j)));
          frames.push(...env.transforms());
        }
        return frames;
      };
      expect(run()).toEqual(run());
    } finally {
      env.dispose();
    }
  });
});

describe('the robot model in the semantic checks', () => {
  it('uses the simulated robots\' top speeds and the pusher\'s radius', () => {
    expect(MAX_SPEED.diffdrive).toBeCloseTo(MAX_WHEEL_SPEED * WHEEL_RADIUS, 9);
    expect(MAX_SPEED.pusher).toBe(PUSHER_MAX_SPEED);
    expect(ROBOT_SIZE.pusher.radius).toBeGreaterThanOrEqual(PUSHER_RADIUS);
  });

  it('matches the simulated arm: at full stretch the tip is ARM_REACH from a shoulder ARM_SHOULDER_HEIGHT up', async () => {
    const base = loadScenario('arm-reach');
    const stretched: Scenario = { ...base, robot: { ...base.robot, start: { position: [0.3, -0.2], yaw: 0 }, joints: [0, 0, 0] }, randomize: {} };
    const env = await createEnv(stretched);
    try {
      const ee = env.reset({ seed: 0 }).obs.robot.ee!;
      expect(ee.x).toBeCloseTo(0.3 + ARM_REACH, 2);
      expect(ee.y).toBeCloseTo(-0.2, 2);
      expect(ee.z).toBeCloseTo(ARM_SHOULDER_HEIGHT, 2);
    } finally {
      env.dispose();
    }
  });
});
