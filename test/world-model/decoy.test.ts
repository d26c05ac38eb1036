/**
 * Decoy-goal collection (`scripted-decoy` seed data of the pusher): the scripted controller is
 * shown random goals and pushes the real crate there, while what is stored is the true
 * observation and the teacher's label for the true goal. Real Rapier, real controller.
 */
import { describe, expect, it } from 'vitest';
import { factory as scripted } from '../../planners/baselines/scripted.ts';
import { collectEpisode, type CollectOptions } from '../../planners/world-model/training/collect.ts';
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
});
