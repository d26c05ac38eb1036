/**
 * Generated levels in real episodes: the privileged oracle solves a sample level of every
 * family (the solvability check's proof in physics), the three baselines order as they should
 * on `open-smoke` (oracle >= scripted >= random), and the scripted planner solves most of a
 * wider sample of test levels.
 */
import { describe, expect, it } from 'vitest';
import { parseLevelId } from '../../scenarios/generator/levelId.ts';
import { listFamilies, loadSuite } from '../../scenarios/load.ts';
import { runEpisode, successes } from './runEpisode.ts';

const SMOKE = loadSuite('open-smoke').scenarios;

describe('open-smoke', () => {
  it('holds one test level of every family', () => {
    expect(SMOKE.map((id) => parseLevelId(id)!.family).sort()).toEqual(listFamilies());
  });

  it.each(SMOKE)('%s: the oracle solves it; oracle >= scripted >= random, and scripted beats random', async (id) => {
    const oracle = (await runEpisode(id, 'oracle', 0)).success ? 1 : 0;
    expect(oracle).toBe(1);
    const scripted = (await successes(id, 'scripted', 2)) / 2;
    const random = (await successes(id, 'random', 2)) / 2;
    expect(oracle).toBeGreaterThanOrEqual(scripted);
    expect(scripted).toBeGreaterThan(random);
  });
});

describe('a wider sample', () => {
  it.each(listFamilies())('%s: scripted solves at least 4 of test levels 1-5', async (family) => {
    let solved = 0;
    for (let level = 1; level <= 5; level++) if ((await runEpisode(`${family}-test-${level}`, 'scripted', 0)).success) solved++;
    expect(solved).toBeGreaterThanOrEqual(4);
  });
});
