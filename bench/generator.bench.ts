/**
 * Level generator speed, against the targets (measured, not assumed, on this machine):
 * - generating one level: the median over levels of every family and split, each built afresh
 *   (no cache), redraws included; target <= 5 ms. Per-level times are wall clock: a level takes
 *   a few milliseconds, so the median shrugs off the odd one another process slowed down.
 * - validating a 1,000-level split: generating all 1,000 open-train levels afresh and checking
 *   each as `planarena validate` checks a file (its JSON text through the schema and the
 *   semantic rules); target <= 10 s. The fastest of 3 passes counts (other work can only slow a
 *   pass down).
 * A baseline from the same run puts them in scale: checking one hand-written scenario file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLevel } from '../scenarios/generator/generateLevel.ts';
import { checkScenarioText, listFamilies, loadFamily, SCENARIO_DIR } from '../scenarios/load.ts';
import type { Split } from '../scenarios/schema.ts';
import { rate, type Bench, type BenchLine } from './types.ts';

const LEVELS_PER_SPLIT = 40;
const GENERATE_TARGET_MS = 5;
const VALIDATE_TARGET_S = 10;
const PASSES = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const benches: Bench[] = [
  {
    name: 'level generator',
    async run(): Promise<BenchLine[]> {
      const families = listFamilies().map((id) => loadFamily(id));
      // Warm-up: every builder's code optimised before timing.
      for (const f of families) for (let l = 0; l < 10; l++) buildLevel(f, 'test', 10_000 + l);

      const perFamily = new Map<string, number[]>();
      const all: number[] = [];
      for (const f of families) {
        for (const split of ['train', 'test', 'ood'] as Split[]) {
          for (let l = 0; l < LEVELS_PER_SPLIT; l++) {
            const t0 = performance.now();
            buildLevel(f, split, l);
            const ms = performance.now() - t0;
            all.push(ms);
            (perFamily.get(f.id) ?? perFamily.set(f.id, []).get(f.id)!).push(ms);
          }
        }
      }
      const text = readFileSync(join(SCENARIO_DIR, 'cluttered-field.json'), 'utf8');
      const checkMs = 1000 / rate(() => checkScenarioText(text, 'cluttered-field'), 500);
      const gen = median(all);

      const train = listFamilies().map((id) => loadFamily(id));
      const passes: number[] = [];
      let levels = 0;
      for (let pass = 0; pass < PASSES; pass++) {
        levels = 0;
        const t0 = performance.now();
        for (const f of train) {
          for (let l = 0; l < f.trainLevels; l++) {
            const s = buildLevel(f, 'train', l);
            const checked = checkScenarioText(`${JSON.stringify(s, null, 2)}\n`, s.id);
            if (!checked.ok) throw new Error(`${s.id} does not validate: ${checked.problems[0].message}`);
            levels++;
          }
        }
        passes.push((performance.now() - t0) / 1000);
      }
      const validateS = Math.min(...passes);
      return [
        {
          figure: `generate one level, median of ${all.length} (${families.length} families × 3 splits)`,
          value: gen,
          unit: 'ms',
          baseline: { name: 'target', value: GENERATE_TARGET_MS },
          ratio: gen / GENERATE_TARGET_MS,
          target: 1,
          targetBelow: true,
        },
        ...[...perFamily].map(([id, ms]): BenchLine => ({ figure: `  ${id}: median per level (p95 ${[...ms].sort((a, b) => a - b)[Math.floor(ms.length * 0.95)].toFixed(1)} ms)`, value: median(ms), unit: 'ms' })),
        { figure: 'check one hand-written scenario file (cluttered-field), for scale', value: checkMs, unit: 'ms' },
        {
          figure: `validate the ${levels}-level open-train split (generate + schema + semantics)`,
          value: validateS,
          unit: 's',
          baseline: { name: 'target', value: VALIDATE_TARGET_S },
          ratio: validateS / VALIDATE_TARGET_S,
          target: 1,
          targetBelow: true,
        },
      ];
    },
  },
];
