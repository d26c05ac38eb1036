import { describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { expandPlan, parseSeeds, type ScenarioCatalog } from '../../runner/plan.ts';
import { camelCase, parseValue, plannerConfigFromFlags, redactConfig, resolveRunSettings } from '../../runner/settings.ts';
import type { Scenario, Suite } from '../../scenarios/schema.ts';

const catalog: ScenarioCatalog = {
  loadScenario: (id) => {
    if (!['one', 'two'].includes(id)) throw new Error(`unknown scenario ${id}`);
    return { id } as Scenario;
  },
  loadSuite: (id) => ({ id, description: 'd', scenarios: ['one', 'two'], defaultSeeds: 2 }) as Suite,
};

function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('parseSeeds', () => {
  it('reads counts, lists and ranges', () => {
    expect(parseSeeds('3', 5)).toEqual([0, 1, 2]);
    expect(parseSeeds('3,7,9', 5)).toEqual([3, 7, 9]);
    expect(parseSeeds('0-2,10', 5)).toEqual([0, 1, 2, 10]);
    expect(parseSeeds('7-7', 5)).toEqual([7]);
    expect(parseSeeds(undefined, 2)).toEqual([0, 1]);
  });
  it('rejects bad seeds with the flag and the syntax', () => {
    expect(userErrorOf(() => parseSeeds('0', 5))).toMatch(/--seeds "0".*--seeds 3,7,9/);
    expect(userErrorOf(() => parseSeeds('a,b', 5))).toMatch(/"a" is not a seed/);
    expect(userErrorOf(() => parseSeeds('1,1', 5))).toMatch(/seed 1 appears twice/);
    expect(userErrorOf(() => parseSeeds('5-2', 5))).toMatch(/backwards/);
  });
});

describe('expandPlan', () => {
  it('orders episodes scenario, seed, planner', () => {
    const plan = expandPlan({ suite: 'x', planners: ['random', 'oracle'] }, catalog);
    expect(plan.suite).toBe('x');
    expect(plan.seeds).toEqual([0, 1]);
    expect(plan.episodes.map((e) => `${e.scenario}:${e.seed}:${e.planner}`)).toEqual([
      'one:0:random', 'one:0:oracle', 'one:1:random', 'one:1:oracle',
      'two:0:random', 'two:0:oracle', 'two:1:random', 'two:1:oracle',
    ]);
    expect(Object.isFrozen(plan.episodes)).toBe(true);
  });
  it('takes explicit scenarios and seeds', () => {
    const plan = expandPlan({ scenarios: ['two'], planners: ['random'], seeds: '4,2' }, catalog);
    expect(plan.suite).toBeNull();
    expect(plan.episodes).toEqual([
      { scenario: 'two', planner: 'random', seed: 4 },
      { scenario: 'two', planner: 'random', seed: 2 },
    ]);
  });
  it('refuses ambiguous or empty requests', () => {
    expect(userErrorOf(() => expandPlan({ suite: 'x', scenarios: ['one'], planners: ['random'] }, catalog))).toMatch(/either --suite or --scenarios/);
    expect(userErrorOf(() => expandPlan({ planners: ['random'] }, catalog))).toMatch(/--suite S or --scenarios/);
    expect(userErrorOf(() => expandPlan({ scenarios: ['one', 'one'], planners: ['random'] }, catalog))).toMatch(/listed twice/);
  });
});

describe('run settings', () => {
  it('forwards planner flags and --set as camelCase config', () => {
    const config = plannerConfigFromFlags({
      'llm-url': 'http://127.0.0.1:1/v1',
      'llm-timeout': '3000',
      'llm-replay': true,
      checkpoint: 'wm.json',
      set: ['max-std=0.8', 'imagined=true', 'note=hi there'],
    });
    expect(config).toEqual({ llmUrl: 'http://127.0.0.1:1/v1', llmTimeout: 3000, llmReplay: true, checkpoint: 'wm.json', maxStd: 0.8, imagined: true, note: 'hi there' });
    expect(userErrorOf(() => plannerConfigFromFlags({ set: ['novalue'] }))).toMatch(/--set "novalue": expected key=value/);
  });
  it('converts values and keys', () => {
    expect(camelCase('actor-samples')).toBe('actorSamples');
    expect(parseValue('1e3')).toBe(1000);
    expect(parseValue('0.5.1')).toBe('0.5.1');
    expect(redactConfig({ apiKey: 'sk-1', llmUrl: 'u' })).toEqual({ apiKey: '***', llmUrl: 'u' });
  });
  it('validates choices and defaults pacing to real time only when live', () => {
    expect(resolveRunSettings({ planners: 'random' }).pace).toBe(0);
    expect(resolveRunSettings({ planners: 'random', live: true }).pace).toBe(1);
    expect(resolveRunSettings({ planners: 'random' }, true).live).toBe(true);
    expect(resolveRunSettings({ planners: 'random', 'no-live': true }, true).live).toBe(false);
    expect(userErrorOf(() => resolveRunSettings({ clock: 'wall' }))).toMatch(/--clock must be one of turn, realtime; got "wall"/);
    expect(userErrorOf(() => resolveRunSettings({ physics: 'x' }))).toMatch(/--physics must be one of deterministic, fast/);
  });
});
