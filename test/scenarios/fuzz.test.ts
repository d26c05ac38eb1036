/**
 * Robustness: thousands of seeded random corruptions of the shipped files (deleted fields,
 * wrong types, extreme numbers, swapped ranges, cut text) must each come back as located
 * problems or a valid scenario, never as an exception, and every problem must read as
 * `$.path: message` with a non-empty message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScenarioText, checkSuiteText, shippedFiles } from '../../scenarios/load.ts';
import { Rng } from '../../sim/rng.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const WEIRD: Json[] = [null, true, 0, -1, 1e308, -1e-9, 0.5, 601, '', 'x', 'robot', [], [1], [1, 2], [1, 2, 3], [[1, 0], [0, 1]], {}, { id: 'a' }];

/** All paths to values inside a document. */
function paths(doc: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(doc: Json, rng: Rng): Json {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  const path = all[rng.int(all.length)];
  let parent: Json = copy;
  for (const part of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[part];
  const key = path[path.length - 1];
  const container = parent as Record<string | number, Json>;
  switch (rng.int(5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete container[key];
      break;
    case 1:
      container[key] = WEIRD[rng.int(WEIRD.length)];
      break;
    case 2: {
      const v = container[key];
      if (typeof v === 'number') container[key] = v * (rng.next() < 0.5 ? -1 : 100);
      else if (Array.isArray(v)) v.reverse();
      else container[key] = WEIRD[rng.int(WEIRD.length)];
      break;
    }
    case 3:
      if (!Array.isArray(parent)) container[`extra${rng.int(3)}`] = 1;
      break;
    default: {
      const v = container[key];
      if (Array.isArray(v) && v.length) v.push(structuredClone(v[0]));
      else container[key] = structuredClone(copy);
    }
  }
  return copy;
}

describe('validation never throws on corrupted files', () => {
  const files = shippedFiles().map((f) => ({ f, text: readFileSync(f, 'utf8'), suite: f.includes('/suites/') }));

  it('survives 1500 structural corruptions with located, readable problems', () => {
    const rng = Rng.fromKey('scenario-fuzz');
    let rejected = 0;
    for (let n = 0; n < 1500; n++) {
      const { text, suite } = files[n % files.length];
      let doc = JSON.parse(text) as Json;
      for (let m = 1 + rng.int(3); m > 0; m--) doc = mutate(doc, rng);
      const body = JSON.stringify(doc);
      const result = suite ? checkSuiteText(body) : checkScenarioText(body);
      if (!result.ok) {
        rejected++;
        for (const p of result.problems) {
          expect(Array.isArray(p.path)).toBe(true);
          expect(p.message.length).toBeGreaterThan(10);
          expect(p.message).not.toMatch(/undefined|\[object Object\]|NaN/);
        }
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });

  it('survives every truncation of a scenario file with a line and column', () => {
    const { text } = files.find((x) => !x.suite)!;
    for (let cut = 0; cut < text.trimEnd().length - 1; cut += 7) {
      const result = checkScenarioText(text.slice(0, cut));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems[0].at?.line).toBeGreaterThan(0);
    }
  });

  it('rejects documents that are not objects with one clear problem', () => {
    for (const body of ['[]', 'null', '42', '"scenario"', '']) {
      const result = checkScenarioText(body);
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(1);
    }
  });
});
