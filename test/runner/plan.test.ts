import { describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { parseSeeds } from '../../cli/args.ts';
import { expandPlan, type ScenarioCatalog } from '../../runner/plan.ts';
import { parseRunFlags, plannerConfigFromFlags } from '../../cli/runFlags.ts';
import { camelCase, dashed, redactSettings, validateSettings } from '../../core/settings.ts';
import { PLANNER_SETTINGS } from '../../planners/registry.ts';
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
    expect(parseSeeds('3')).toEqual([0, 1, 2]);
    expect(parseSeeds('3,7,9')).toEqual([3, 7, 9]);
    expect(parseSeeds('0-2,10')).toEqual([0, 1, 2, 10]);
    expect(parseSeeds('7-7')).toEqual([7]);
  });
  it('rejects bad seeds with the flag and the syntax', () => {
    expect(userErrorOf(() => parseSeeds('0'))).toMatch(/--seeds "0".*--seeds 3,7,9/);
    expect(userErrorOf(() => parseSeeds('a,b'))).toMatch(/"a" is not a seed/);
    expect(userErrorOf(() => parseSeeds('1,1'))).toMatch(/seed 1 appears twice/);
    expect(userErrorOf(() => parseSeeds('5-2'))).toMatch(/backwards/);
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
    const plan = expandPlan({ scenarios: ['two'], planners: ['random'], seeds: [4, 2] }, catalog);
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
  it('forwards planner flags and --set under their declared keys', () => {
    const config = plannerConfigFromFlags({
      'llm-url': 'http://127.0.0.1:1/v1',
      'llm-timeout': '3000',
      'llm-replay': true,
      checkpoint: 'wm-dir',
      set: ['wm-max-std=0.8', 'oracle_prior=false', 'llmHistory=3'],
    });
    expect(config).toEqual({ llmUrl: 'http://127.0.0.1:1/v1', llmTimeout: '3000', llmReplay: true, checkpoint: 'wm-dir', wmMaxStd: '0.8', oraclePrior: 'false', llmHistory: '3' });
    // Typed by the declarations: numbers are numbers, booleans are booleans.
    expect(validateSettings(PLANNER_SETTINGS, config)).toEqual({ llmUrl: 'http://127.0.0.1:1/v1', llmTimeout: 3000, llmReplay: true, checkpoint: 'wm-dir', wmMaxStd: 0.8, oraclePrior: false, llmHistory: 3 });
    expect(userErrorOf(() => plannerConfigFromFlags({ set: ['novalue'] }))).toMatch(/--set "novalue": expected key=value, e\.g\. --set wm-samples=128/);
  });
  it('refuses an unknown --set key, naming it and the closest known one', () => {
    expect(userErrorOf(() => plannerConfigFromFlags({ set: ['wm-samplez=2'] }))).toMatch(/--set wm-samplez: unknown planner setting; did you mean "wm-samples"\?/);
    expect(userErrorOf(() => plannerConfigFromFlags({ set: ['samples=256'] }))).toMatch(/--set samples: unknown planner setting/);
    expect(userErrorOf(() => validateSettings(PLANNER_SETTINGS, { wmSamplez: 2 }))).toMatch(/unknown planner setting "wm-samplez"; did you mean "wm-samples"\?/);
    expect(userErrorOf(() => validateSettings(PLANNER_SETTINGS, { oraclePrior: 'maybe' }))).toMatch(/--set oracle-prior must be true or false \(default true\); got "maybe"/);
    expect(userErrorOf(() => validateSettings(PLANNER_SETTINGS, { wmSamples: '2.5' }))).toMatch(/--set wm-samples must be an integer >= 1/);
  });
  it('declares every setting once, with a doc line and a planner prefix', () => {
    const keys = PLANNER_SETTINGS.flatMap((g) => g.settings.map((s) => s.key));
    expect(new Set(keys).size).toBe(keys.length);
    for (const g of PLANNER_SETTINGS) for (const s of g.settings) expect(s.doc.length).toBeGreaterThan(10);
    expect(camelCase('wm-actor-samples')).toBe('wmActorSamples');
    expect(dashed('wmActorSamples')).toBe('wm-actor-samples');
    expect(redactSettings(PLANNER_SETTINGS, { llmApiKey: 'sk-1', llmUrl: 'u' })).toEqual({ llmApiKey: '***', llmUrl: 'u' });
  });
  it('validates choices and defaults pacing to real time only when live', () => {
    expect(parseRunFlags({ planners: 'random' }).exec.pace).toBe(0);
    expect(parseRunFlags({ planners: 'random', live: true }).exec.pace).toBe(1);
    expect(parseRunFlags({ planners: 'random' }, { live: true }).exec.live).toBeDefined();
    expect(parseRunFlags({ planners: 'random', 'no-live': true }, { live: true }).exec.live).toBeUndefined();
    // Race mode follows live unless said otherwise; the demo's defaults (live, recorded, paced).
    expect(parseRunFlags({ planners: 'random', live: true }).exec.race).toBe(true);
    expect(parseRunFlags({ planners: 'random' }).exec.race).toBe(false);
    expect(parseRunFlags({ planners: 'random', live: true, 'no-race': true }).exec.race).toBe(false);
    expect(parseRunFlags({ planners: 'random', race: true }).exec.race).toBe(true);
    expect(userErrorOf(() => parseRunFlags({ planners: 'random', race: true, 'no-race': true }))).toMatch(/pass either --race or --no-race, not both/);
    const demo = parseRunFlags({ planners: 'random', suite: 'demo' }, { live: true, record: true, livePace: 2 });
    expect([demo.exec.pace, demo.exec.race, demo.source.kind === 'request' && demo.source.request.record]).toEqual([2, true, true]);
    const quiet = parseRunFlags({ planners: 'random', suite: 'demo', 'no-record': true, 'no-live': true }, { live: true, record: true, livePace: 2 });
    expect([quiet.exec.pace, quiet.exec.race, quiet.source.kind === 'request' && quiet.source.request.record]).toEqual([0, false, false]);
    expect(userErrorOf(() => parseRunFlags({ clock: 'wall' }))).toMatch(/--clock must be one of turn, realtime; got "wall"/);
    expect(userErrorOf(() => parseRunFlags({ physics: 'x' }))).toMatch(/--physics must be one of deterministic, fast/);
    expect(userErrorOf(() => parseRunFlags({ from: 'x/manifest.json', seeds: '3' }))).toMatch(/--from runs what the manifest recorded; drop --seeds/);
  });
});
