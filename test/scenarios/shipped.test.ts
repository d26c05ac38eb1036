import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, listScenarios, listSuites, loadScenario, loadSuite, loadSuiteScenarios, SCENARIO_DIR, shippedFiles } from '../../scenarios/load.ts';
import { formatProblem } from '../../scenarios/problems.ts';

const REQUIRED = ['open-field', 'cluttered-field', 'u-trap', 'narrow-passage', 'push-box', 'push-around', 'crossing-traffic', 'slope', 'shove', 'arm-reach', 'arm-push'];

describe('shipped scenarios and suites', () => {
  it('every required scenario and suite ships', () => {
    expect(listScenarios()).toEqual(expect.arrayContaining(REQUIRED));
    expect(listSuites()).toEqual(expect.arrayContaining(['smoke', 'demo', 'core']));
  });

  it.each(shippedFiles())('%s passes schema and semantic checks', (file) => {
    const result = checkFile(file);
    expect(result.problems.map((p) => formatProblem(file, p))).toEqual([]);
  });

  it.each(listScenarios())('%s points at the schema, is tagged and carries an instruction', (id) => {
    const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, `${id}.json`), 'utf8')) as Record<string, unknown>;
    expect(raw.$schema).toBe('../scenario.schema.json');
    const s = loadScenario(id);
    expect(s.id).toBe(id);
    expect(s.tags.some((t) => ['navigation', 'pushing', 'arm', 'dynamic'].includes(t))).toBe(true);
    expect(s.instruction.length).toBeGreaterThan(60);
  });

  it('core runs every scenario; smoke and demo are subsets', () => {
    expect([...loadSuite('core').scenarios].sort()).toEqual(listScenarios());
    for (const id of ['smoke', 'demo']) expect(listScenarios()).toEqual(expect.arrayContaining([...loadSuite(id).scenarios]));
    expect(loadSuiteScenarios(loadSuite('smoke')).map((s) => s.robot.type).sort()).toEqual(['arm', 'diffdrive', 'pusher']);
  });

  it('the scenarios cover each robot, goal type and dynamic feature', () => {
    const all = listScenarios().map((id) => loadScenario(id));
    expect(new Set(all.map((s) => s.robot.type))).toEqual(new Set(['diffdrive', 'pusher', 'arm']));
    expect(new Set(all.map((s) => s.goal.type))).toEqual(new Set(['reach', 'push', 'ee_reach']));
    expect(all.some((s) => s.movingObstacles.length > 0)).toBe(true);
    expect(all.some((s) => s.perturbations.length > 0)).toBe(true);
    expect(all.some((s) => s.arena.slopes.length > 0 && s.arena.steps.length > 0)).toBe(true);
  });
});

describe('loading', () => {
  it('returns deeply frozen scenarios with defaults filled in', () => {
    const s = loadScenario('push-box');
    expect(s.physicsDt).toBeCloseTo(1 / 60, 12);
    expect(s.controlPeriod).toBe(0.1);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.objects[0].position)).toBe(true);
    expect(Object.isFrozen(s.randomize.goalPosition)).toBe(true);
    expect(() => {
      (s.objects[0].position as number[])[0] = 9;
    }).toThrow(TypeError);
    expect(s.objects[0].position[0]).toBe(-1.2);
  });

  it('loads by id or by path, and custom files outside the shipped folder', () => {
    const byPath = loadScenario(join(SCENARIO_DIR, 'u-trap.json'));
    expect(byPath).toEqual(loadScenario('u-trap'));
    expect(loadScenario(join(import.meta.dirname, 'fixtures', 'good', 'custom.json')).id).toBe('custom');
  });

  it('a suite file given as a scenario (and the reverse) says which it is and where it goes', () => {
    expect(() => loadScenario('scenarios/suites/smoke.json')).toThrow(/smoke\.json: is a suite file, not a scenario; .*--suite/);
    expect(() => loadSuite(join(SCENARIO_DIR, 'open-field.json'))).toThrow(/open-field\.json: is a scenario file, not a suite; .*--scenarios/);
  });

  it('an unknown id lists the valid ones', () => {
    expect(() => loadScenario('open-fild')).toThrow(/unknown scenario "open-fild"; valid scenarios: arm-push, .*open-field, .*, or a generated level <family>-<train\|test\|ood>-<level> of a family \(arm, .*rooms\), or a path to a \.json file/);
    expect(() => loadSuite('smok')).toThrow(/unknown suite "smok"; valid suites: core, demo, open-ood, open-smoke, open-test, open-train, smoke/);
  });
});
