/**
 * `planarena generate --family F --split S --count N [--start K] --out DIR`: writes generated
 * levels as ordinary scenario files (`DIR/<family>-<split>-<level>.json`). A written file is
 * the generated scenario itself, so `validate` accepts it and running it by path is the same
 * episode as running the level by id.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { choiceFlag, intFlag, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { displayPath, listFamilies, loadFamily } from '../../scenarios/load.ts';
import { generateLevel } from '../../scenarios/generator/generateLevel.ts';
import { SPLITS } from '../../scenarios/schema.ts';

export const usage = `usage: planarena generate --family F --split train|test|ood --count N [--start K] --out DIR [--force]

Writes N generated levels of a procedural family as scenario files DIR/<family>-<split>-<level>.json,
levels K .. K+N-1 (K defaults to 0). The same (family, split, level) gives the same file on every
machine. The files are ordinary scenarios: planarena validate DIR, planarena run --scenarios
DIR/rooms-test-3.json. A level id (rooms-test-3) also works anywhere a scenario id does, with no file.

  --family F    a family id (planarena list families), "all", or a path to a family .json file
  --split S     train (levels 0 .. trainLevels-1), test (same factor ranges, other levels) or ood
  --count N     how many levels
  --start K     first level (default 0)
  --out DIR     folder to write to (created if missing)
  --force       overwrite existing files`;

const FLAGS = {
  family: { type: 'string' },
  split: { type: 'string' },
  count: { type: 'string' },
  start: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export const command: Command = {
  name: 'generate',
  summary: 'write generated levels of a procedural family as scenario files',
  usage,
  async run(argv) {
    const { values } = parseFlags('generate', argv, FLAGS, false);
    if (!values.family) throw new UserError('E_BAD_FLAG', `--family is required; one of: ${listFamilies().join(', ')}, all (or a path to a family .json file).`);
    if (!values.split) throw new UserError('E_BAD_FLAG', `--split is required: ${SPLITS.join(', ')}.`);
    if (!values.out) throw new UserError('E_BAD_FLAG', '--out DIR is required: the folder to write the scenario files to.');
    if (values.count === undefined) throw new UserError('E_BAD_FLAG', '--count N is required: how many levels to write.');
    const split = choiceFlag('split', values.split, SPLITS, 'test');
    const count = intFlag('count', values.count, 1, 1);
    const start = intFlag('start', values.start, 0, 0);
    const families = values.family === 'all' ? listFamilies().map((id) => loadFamily(id)) : [loadFamily(values.family)];
    if (count > 100_000) throw new UserError('E_BAD_FLAG', `--count must be at most 100000, got ${count}.`);
    const dir = resolve(values.out);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UserError('E_WRITE', `--out ${values.out}: cannot create the folder (${(e as Error).message}); choose a writable folder`);
    }
    let written = 0;
    for (const family of families) {
      if (split === 'train' && start + count > family.trainLevels) {
        throw new UserError('E_BAD_FLAG', `family "${family.id}" has ${family.trainLevels} train levels (0-${family.trainLevels - 1}); --start ${start} --count ${count} runs to level ${start + count - 1}. Use --split test for more levels from the same ranges.`);
      }
      for (let level = start; level < start + count; level++) {
        const scenario = generateLevel(family, split, level);
        const file = join(dir, `${scenario.id}.json`);
        if (existsSync(file) && !values.force) throw new UserError('E_EXISTS', `${displayPath(file)} exists; pass --force to overwrite it, or choose another --out`);
        writeFileSync(file, `${JSON.stringify(scenario, null, 2)}\n`);
        written++;
      }
    }
    console.log(`wrote ${written} scenario file${written === 1 ? '' : 's'} to ${displayPath(dir) || '.'}`);
    return 0;
  },
};
