/**
 * Decoy-goal collection (`scripted-decoy` seed data of the pusher and the diffdrive): the scripted controller is
 * shown random goals and pushes the real crate there, while what is stored is the true
 * observation and the teacher's label for the true goal. Real Rapier, real controller.
 */
import { describe, expect, it } from 'vitest';
import { factory as scripted } from '../../planners/baselines/scripted.ts';
import { clearance } from '../../planners/world-model/io/sceneFeatures.ts';
import { obstaclesOf } from '../../planners/world-model/planning/Imagination.ts';
import { collectEpisode, drawDecoy, type CollectOptions } from '../../planners/world-model/training/collect.ts';
import { createEnv } from '../../sim/Env.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { Rng } from '../../sim/rng.ts';

const scenario = { ...loadScenario('push-box'), timeLimit: 12 };

async function episode(decoy: boolean, key = 'decoy-test') {
  const planner = await scripted.create({ config: { scriptedRetries: 100 } });
  const teacher = await scripted.create({ config: { scriptedRetries: 100 } });
  const opts: CollectOptions = decoy ? { objects: true, teacher, decoy: { every: 40, reached: 0.3, margin: 0.8, rng: Rng.fromKey(key) } } : { objects: true, teacher: planner };
  const ep = await collectEpisode(scenario, planner, 1_000_000, decoy ? 'scripted-decoy' : 'scripted', 'deterministic', undefined, opts);
  await planner.dispose();
  await teacher.dispose();
  return ep.data;
}

/** The crate's positions (relative to the true goal) as the probe targets store them. */
function crate(d: { subject?: Float32Array; length: number }): [number, number][] {
  return Array.from({ length: d.length + 1 }, (_, t) => [d.subject![3 * t], d.subject![3 * t + 1]]);
}

describe('decoy-goal collection', () => {
  it('pushes the crate somewhere other than the goal, stores the true observation and labels the true goal, bit for bit again', async () => {
    const plain = await episode(false);
    const decoy = await episode(true);
    const again = await episode(true);
    const other = await episode(true, 'another key');

    // Same start: the stored observation is the true one, not the decoy's.
    const D = plain.obs.length / (plain.length + 1);
    expect(Array.from(decoy.obs.subarray(0, D))).toEqual(Array.from(plain.obs.subarray(0, D)));
    expect(decoy.goalDistance[0]).toBe(plain.goalDistance[0]);
    // The teacher labels the first state as the controller acts for the true goal ...
    expect(Array.from(decoy.expert!.subarray(0, 2))).toEqual(Array.from(plain.actions.subarray(0, 2)));
    // ... while the acting controller heads for its decoy.
    expect(Array.from(decoy.actions.subarray(0, 2))).not.toEqual(Array.from(plain.actions.subarray(0, 2)));

    // The crate is really pushed, and not along the task's line: its path differs from the plain one.
    const moved = (c: [number, number][]) => c.slice(1).reduce((s, p, i) => s + Math.hypot(p[0] - c[i][0], p[1] - c[i][1]), 0);
    expect(moved(crate(decoy))).toBeGreaterThan(0.5);
    const end = (c: [number, number][]) => c[c.length - 1];
    const [pe, de] = [end(crate(plain)), end(crate(decoy))];
    expect(Math.hypot(pe[0] - de[0], pe[1] - de[1])).toBeGreaterThan(0.3);

    // Deterministic for a key; another key draws other decoys.
    expect(Array.from(again.actions)).toEqual(Array.from(decoy.actions));
    expect(Array.from(other.actions)).not.toEqual(Array.from(decoy.actions));
  }, 60_000);

  it('with a dwell, a driving robot stops at its decoys, away from the goal, and stays there (diffdrive)', async () => {
    const field = loadScenario('open-field');
    const planner = await scripted.create({ config: { scriptedRetries: 100 } });
    const teacher = await scripted.create({ config: { scriptedRetries: 100 } });
    const run = async (dwell: number) =>
      (await collectEpisode(field, planner, 1_000_000, 'scripted-decoy', 'deterministic', undefined, { objects: true, teacher, decoy: { every: 60, reached: 0.2, margin: 0.5, dwell, rng: Rng.fromKey('dwell-test') } })).data;
    // Stops: runs of at least 10 steps at rest (under 3 mm per step), with how far from the true goal each was.
    const stops = (d: { position: Float32Array; length: number }) => {
      const found: number[] = [];
      let run = 0;
      for (let t = 0; t < d.length; t++) {
        const p = d.position.subarray(3 * t, 3 * t + 6);
        run = Math.hypot(p[3] - p[0], p[4] - p[1]) < 0.003 ? run + 1 : 0;
        if (run === 10) found.push(Math.hypot(p[3], p[4]));
      }
      return found;
    };
    const dwelt = stops(await run(15));
    const passing = stops(await run(0));
    await planner.dispose();
    await teacher.dispose();
    expect(dwelt.length).toBeGreaterThanOrEqual(2);
    for (const fromGoal of dwelt) expect(fromGoal).toBeGreaterThan(1); // at decoys, not at the task's goal
    // Without the dwell the next decoy is drawn on arrival: it drives on.
    expect(passing).toEqual([]);
  }, 60_000);
});

describe('decoy placement', () => {
  it('with `clear`, draws decoys only in free space: at least that far from every obstacle the observation lists', async () => {
    const field = loadScenario('cluttered-field');
    const env = await createEnv(field, { physics: 'deterministic' });
    const { obs } = env.reset({ seed: 3 });
    env.dispose();
    const obstacles = obstaclesOf(obs.objects);
    expect(obstacles.length).toBeGreaterThan(3);
    const [w, h] = field.arena.size;
    const nearest = (p: [number, number]) => Math.min(...obstacles.map((o) => clearance(o, p[0], p[1])));
    const rng = Rng.fromKey('clear-test');
    const clear = Array.from({ length: 200 }, () => drawDecoy(w / 2 - 0.5, h / 2 - 0.5, obstacles, 0.45, rng));
    for (const p of clear) expect(nearest(p)).toBeGreaterThanOrEqual(0.45);
    // Unconstrained draws do land on or beside the boxes.
    const loose = Array.from({ length: 200 }, () => drawDecoy(w / 2 - 0.5, h / 2 - 0.5, [], 0, rng));
    expect(loose.filter((p) => nearest(p) < 0.45).length).toBeGreaterThan(10);
    // With nothing to keep clear of, a draw is the plain uniform pair (the pusher's decoys as before).
    const a = Rng.fromKey('same');
    const b = Rng.fromKey('same');
    expect(drawDecoy(2, 3, [], 0, a)).toEqual([b.uniform(-2, 2), b.uniform(-3, 3)]);
  });
});
