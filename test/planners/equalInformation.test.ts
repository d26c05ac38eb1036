/**
 * Equal information by construction: planners get the public task view, never the scenario file
 * (so no planner can read the shove schedule or the moving obstacles' paths), and the observation
 * tier — the same for every planner of a run — decides which objects observations list.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { RunManifest } from '../../core/records.ts';
import { loadRun } from '../../core/runStore.ts';
import { taskSpec, type ActResult, type Planner, type TaskSpec } from '../../planners/Planner.ts';
import { episodeLoop } from '../../runner/episodeLoop.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { createEnv, SENSOR_RANGE } from '../../sim/Env.ts';
import type { Observation } from '../../sim/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-equal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the public task view', () => {
  it('holds what every planner may know and nothing of the scenario file', async () => {
    const shove = loadScenario('shove');
    expect(shove.perturbations.length).toBeGreaterThan(0);
    const env = await createEnv(shove);
    try {
      const task = taskSpec(shove, env.actionSpace);
      expect(Object.keys(task).filter((k) => k !== 'hint').sort()).toEqual(['actionSpace', 'arena', 'controlPeriod', 'instruction', 'maxSteps', 'robot', 'scenarioId', 'timeLimit']);
      const text = JSON.stringify(task);
      for (const secret of ['perturbations', 'impulse', 'movingObstacles', 'randomize', 'objects', 'obstacles']) expect(text).not.toContain(secret);
      expect(Object.isFrozen(task)).toBe(true);

      // A planner that goes looking for the schedule finds nothing, however it looks.
      let seen: TaskSpec | undefined;
      const snooper: Planner = {
        name: 'snooper',
        reset: async (t) => void (seen = t),
        act: async (): Promise<ActResult> => ({ action: new Array(env.actionSpace.dim).fill(0), info: {} }),
        dispose: () => {},
      };
      const first = env.reset({ seed: 0 });
      for await (const s of episodeLoop(env, snooper, task, 0, first.obs, { clock: 'turn', maxSteps: 3 })) if (s.result.obs.step >= 2) break;
      expect((seen as unknown as Record<string, unknown>).scenario).toBeUndefined();
      expect((seen as unknown as Record<string, unknown>).perturbations).toBeUndefined();
    } finally {
      env.dispose();
    }
  });
});

describe('observation tiers', () => {
  it('sensor lists only objects within the lidar range (and the pushed object); state lists them all', async () => {
    const scenario = loadScenario('cluttered-field');
    const state = await createEnv(scenario, { observation: 'state' });
    const sensor = await createEnv(scenario, { observation: 'sensor' });
    try {
      const all = state.reset({ seed: 2 }).obs;
      const near = sensor.reset({ seed: 2 }).obs;
      const reach = (o: Observation['objects'][number]) => Math.hypot(o.x - all.robot.pose.x, o.y - all.robot.pose.y) - 0.5 * Math.hypot(o.size[0], o.size[1]);
      const expected = all.objects.filter((o) => reach(o) <= SENSOR_RANGE).map((o) => o.id);
      expect(all.objects.some((o) => reach(o) > SENSOR_RANGE)).toBe(true);
      expect(near.objects.map((o) => o.id)).toEqual(expected);
      // Same world: the tier changes what is listed, not the physics or the lidar.
      expect(near.lidar.ranges).toEqual(all.lidar.ranges);
    } finally {
      state.dispose();
      sensor.dispose();
    }
  });

  it('is chosen per run, recorded in the manifest, and every planner family runs under each', async () => {
    // `state` is the default every other test runs under.
    for (const tier of ['sensor'] as const) {
      const out = join(tmp, tier);
      const code = await main([
        'run', '--scenarios', 'push-box,arm-reach', '--planners', 'random,scripted,oracle,world-model,llm', '--seeds', '1',
        '--observation', tier, '--llm-cassette', 'planners/llm/cassettes/ci.json', '--llm-replay', '--set', 'oracle-samples=4', '--out', out,
      ]);
      expect(code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as RunManifest;
      expect(manifest.config.observation).toBe(tier);
      const records = loadRun(out).records;
      expect(records).toHaveLength(10);
      for (const r of records) expect(r.failure === 'planner_error' || r.failure === 'error' ? `${r.planner}: ${r.error}` : 'ran').toBe('ran');
    }
  });
});
