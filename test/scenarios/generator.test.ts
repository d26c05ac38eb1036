/**
 * The level generator: the same level in another process, disjoint splits, ood factors outside
 * the train ranges, every level a valid scenario, instruction variety, level ids and suites.
 * (Solvability by the oracle and the baseline ordering run in test/planners/openLevels.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRange } from '../../scenarios/generator/factors.ts';
import { novelFactors } from '../../scenarios/generator/FamilyCatalog.ts';
import { generateLevel } from '../../scenarios/generator/generateLevel.ts';
import { levelId, parseLevelId } from '../../scenarios/generator/levelId.ts';
import { checkScenarioText, listFamilies, loadFamily, loadScenario, loadSuite } from '../../scenarios/load.ts';
import type { Scenario, Split } from '../../scenarios/schema.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FAMILIES = listFamilies();
const tmp = mkdtempSync(join(tmpdir(), 'planarena-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fileText = (s: Scenario) => `${JSON.stringify(s, null, 2)}\n`;

/** The layout alone (no ids, words or colours): what "the same level" means for the splits. */
function layoutKey(s: Scenario): string {
  const shape = (o: { shape?: string; size?: number[]; radius?: number; position?: number[]; yaw?: number; path?: number[][] }) => [o.shape, o.size, o.radius, o.position, o.yaw, o.path];
  return createHash('sha256')
    .update(JSON.stringify([s.arena.size, s.robot.start, s.goal.position, s.obstacles.map(shape), s.objects.map(shape), s.movingObstacles.map(shape)]))
    .digest('hex');
}

describe('families', () => {
  it('ship the five families the issue asks for, each with ood factors train never uses', () => {
    expect(FAMILIES).toEqual(['arm', 'clutter', 'corridor', 'pushing', 'rooms']);
    for (const id of FAMILIES) {
      const f = loadFamily(id);
      expect(f.trainLevels).toBe(200);
      expect(novelFactors(f)).toContain('words');
      expect(novelFactors(f).length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('determinism', () => {
  it('another process writes byte-identical files for the same family, split and levels', () => {
    const out = join(tmp, 'cross');
    for (const split of ['train', 'ood'] as const) {
      const r = spawnSync(process.execPath, ['bin/planarena.mjs', 'generate', '--family', 'all', '--split', split, '--start', '7', '--count', '3', '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(FAMILIES.length * 6);
    for (const file of files) {
      const ref = parseLevelId(file.replace(/\.json$/, ''))!;
      expect(readFileSync(join(out, file), 'utf8')).toBe(fileText(generateLevel(loadFamily(ref.family), ref.split, ref.level)));
    }
  });

  it('a written level loads back as the very scenario its id names', () => {
    const out = join(tmp, 'roundtrip');
    spawnSync(process.execPath, ['bin/planarena.mjs', 'generate', '--family', 'pushing', '--split', 'test', '--count', '2', '--start', '40', '--out', out], { cwd: ROOT });
    const fromFile = loadScenario(join(out, 'pushing-test-41.json'));
    expect(fromFile).toEqual(loadScenario('pushing-test-41'));
  });
});

describe('splits', () => {
  it('no test or ood layout equals a train layout (all 200 train levels against 100 test and 100 ood levels per family)', () => {
    for (const id of FAMILIES) {
      const f = loadFamily(id);
      const train = new Set(Array.from({ length: f.trainLevels }, (_, l) => layoutKey(generateLevel(f, 'train', l))));
      // Train levels are themselves distinct layouts.
      expect(train.size).toBe(f.trainLevels);
      for (const split of ['test', 'ood'] as const) {
        for (let l = 0; l < 100; l++) expect(train.has(layoutKey(generateLevel(f, split, l))), `${id}-${split}-${l}`).toBe(false);
      }
    }
  });

  it('ood levels draw their novel factors outside the train ranges, test levels inside them', () => {
    for (const id of FAMILIES) {
      const f = loadFamily(id);
      const train = f.splits.train as Record<string, unknown>;
      const ood = f.splits.ood as Record<string, unknown>;
      for (const name of novelFactors(f)) {
        const t = train[name];
        const o = ood[name];
        for (let l = 0; l < 30; l++) {
          const v = generateLevel(f, 'ood', l).generated!.factors[name];
          const w = generateLevel(f, 'test', l).generated!.factors[name];
          if (v === undefined || w === undefined) continue;
          if (isRange(t) && isRange(o) && typeof v === 'number' && typeof w === 'number') {
            expect(v < t[0] || v > t[1], `${id}-ood-${l}.${name} = ${v}`).toBe(true);
            expect(w >= t[0] - 1e-3 && w <= t[1] + 1e-3, `${id}-test-${l}.${name} = ${w}`).toBe(true);
          } else if (typeof v === 'string' && Array.isArray(t)) {
            // Choice factors record the choice, or the list offered ("box+cylinder").
            for (const part of v.split('+')) expect(t as string[], `${id}-ood-${l}.${name}`).not.toContain(part);
          }
        }
      }
    }
  });

  it('train levels stop at trainLevels; test and ood levels do not', () => {
    const f = loadFamily('rooms');
    expect(() => generateLevel(f, 'train', 200)).toThrow(/family "rooms" has 200 train levels \(0-199\); level 200 is not one of them. Use split "test"/);
    expect(() => loadScenario('rooms-train-200')).toThrow(/has 200 train levels/);
    expect(generateLevel(f, 'test', 123456).id).toBe('rooms-test-123456');
  });
});

describe('every level is an ordinary, valid scenario', () => {
  it('a sample of every family and split passes the scenario schema and semantic checks from its own JSON', () => {
    for (const id of FAMILIES) {
      for (const split of ['train', 'test', 'ood'] as Split[]) {
        for (let l = 0; l < 25; l++) {
          const s = generateLevel(loadFamily(id), split, l);
          expect(s.id).toBe(levelId(id, split, l));
          expect(s.generated).toMatchObject({ family: id, split, level: l });
          expect(Number.isFinite(s.generated!.difficulty)).toBe(true);
          const checked = checkScenarioText(fileText(s), s.id);
          expect(checked.problems).toEqual([]);
          expect(checked.ok && checked.value).toEqual(s);
        }
      }
    }
  });

  it('difficulty spans the train range: easy and hard train levels both occur, ood levels are harder on average', () => {
    for (const id of FAMILIES) {
      const f = loadFamily(id);
      const d = (split: Split) => Array.from({ length: 60 }, (_, l) => generateLevel(f, split, l).generated!.difficulty);
      const train = d('train');
      expect(Math.min(...train)).toBeLessThan(0.35);
      expect(Math.max(...train)).toBeGreaterThan(0.65);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(d('ood'))).toBeGreaterThan(mean(train));
    }
  });
});

describe('instructions', () => {
  const texts = (family: string, split: Split, n: number) => Array.from({ length: n }, (_, l) => generateLevel(loadFamily(family), split, l).instruction);

  it('at least 5 distinct instructions in every 10 consecutive levels, and in random sets of 10', () => {
    for (const id of FAMILIES) {
      for (const split of ['train', 'test', 'ood'] as Split[]) {
        const all = texts(id, split, 100);
        for (let k = 0; k + 10 <= all.length; k++) expect(new Set(all.slice(k, k + 10)).size, `${id} ${split} levels ${k}-${k + 9}`).toBeGreaterThanOrEqual(5);
        // Sets of 10 picked by a fixed stride pattern, not neighbours.
        for (let s = 1; s <= 9; s++) expect(new Set(Array.from({ length: 10 }, (_, i) => all[(i * (s + 10) + s) % 100])).size).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it('state the task, never the strategy; ood instructions use words no train instruction uses', () => {
    for (const id of FAMILIES) {
      const f = loadFamily(id);
      const train = texts(id, 'train', 200);
      const ood = texts(id, 'ood', 100);
      for (let l = 0; l < 50; l++) {
        const s = generateLevel(f, 'test', l);
        expect(s.hint).toBeTruthy();
        expect(s.instruction).not.toContain(s.hint!.slice(0, 30));
        expect(s.instruction).not.toMatch(/\b(route|doorway to doorway|weave|wait for|get behind|far side of the block|turn the base)\b/i);
      }
      const trainWords = new Set(train.join(' ').toLowerCase().match(/[a-z]+/g));
      for (const text of ood) {
        const fresh = (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => !trainWords.has(w));
        expect(fresh.length, text).toBeGreaterThan(0);
      }
    }
  });

  it('a pushing target with lookalikes is told apart by a relation that holds', () => {
    const f = loadFamily('pushing');
    let seen = 0;
    for (let l = 0; l < 60; l++) {
      const s = generateLevel(f, 'test', l);
      const relation = s.generated!.factors.relation;
      if (relation === 'none') continue;
      seen++;
      const target = s.objects.find((o) => o.id === (s.goal as { object: string }).object)!;
      const twins = s.objects.filter((o) => o !== target && o.color === target.color && o.shape === target.shape && o.size?.[0] === target.size?.[0]);
      expect(twins.length).toBeGreaterThan(0);
      const d = (p: readonly number[]) => Math.hypot(p[0] - s.robot.start.position[0], p[1] - s.robot.start.position[1]);
      const pillar = (p: readonly number[]) => Math.min(...s.obstacles.map((o) => Math.hypot(p[0] - o.position[0], p[1] - o.position[1])));
      for (const t of twins) {
        if (relation === 'nearest') expect(d(t.position)).toBeGreaterThan(d(target.position));
        if (relation === 'farthest') expect(d(t.position)).toBeLessThan(d(target.position));
        if (relation === 'near-landmark') expect(pillar(t.position)).toBeGreaterThan(pillar(target.position) + 0.8);
      }
      expect(s.instruction).toMatch(/closest|nearest|farthest|furthest|next to|beside|by the/);
    }
    expect(seen).toBeGreaterThan(5);
  });
});

describe('level ids and suites', () => {
  it('parse one way, and name nothing for other ids', () => {
    expect(parseLevelId('rooms-test-12')).toEqual({ family: 'rooms', split: 'test', level: 12 });
    for (const id of ['open-field', 'rooms-val-1', 'rooms-test-01', 'rooms-test-', 'my-rooms-test-1x']) expect(parseLevelId(id)).toBeNull();
  });

  it('the open suites expand to their levels; every runner sees plain scenario ids', () => {
    expect(loadSuite('open-train').scenarios).toHaveLength(1000);
    expect(loadSuite('open-test').scenarios).toHaveLength(250);
    expect(loadSuite('open-ood').scenarios).toHaveLength(250);
    const smoke = loadSuite('open-smoke');
    expect(smoke.scenarios).toEqual(FAMILIES.map(() => expect.stringMatching(/-test-0$/)));
    expect(new Set(loadSuite('open-test').scenarios.map((id) => parseLevelId(id)!.split))).toEqual(new Set(['test']));
  });
});
