/**
 * `planarena schema [--out DIR] [--check]`: writes scenario.schema.json, suite.schema.json and family.schema.json
 * (generated from the zod schemas) into DIR, by default the shipped `scenarios/` folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { displayPath, SCENARIO_DIR } from '../../scenarios/load.ts';
import { schemaFiles } from '../../scenarios/jsonSchema.ts';

const DEFAULT_DIR = resolve(SCENARIO_DIR, '..');

export const command: Command = {
  name: 'schema',
  summary: 'write the JSON Schema of scenario files',
  usage: [
    'usage: planarena schema [--out DIR] [--check]',
    '',
    'Writes scenario.schema.json, suite.schema.json and family.schema.json, generated from the zod',
    'schemas (scenarios/schema.ts, scenarios/generator/FamilySpec.ts). Files point at them with',
    '"$schema" so editors complete and check them.',
    '',
    '  --out DIR   folder to write to (default: the scenarios/ folder of planarena)',
    '  --check     write nothing; exit 1 if the files in DIR differ from a fresh generation',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags('schema', argv, { out: { type: 'string' }, check: { type: 'boolean' } }, false);
    const dir = values.out ? resolve(values.out) : DEFAULT_DIR;
    const files = schemaFiles();
    if (values.check) {
      const stale = Object.entries(files).filter(([name, text]) => {
        const file = join(dir, name);
        return !existsSync(file) || readFileSync(file, 'utf8') !== text;
      });
      for (const [name] of stale) console.error(`${displayPath(join(dir, name))}: out of date; run \`planarena schema${values.out ? ` --out ${values.out}` : ''}\``);
      if (!stale.length) console.log(`schemas in ${displayPath(dir) || '.'} are up to date`);
      return stale.length ? 1 : 0;
    }
    try {
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(dir, name), text);
        console.log(`wrote ${displayPath(join(dir, name))}`);
      }
    } catch (e) {
      throw new UserError('E_WRITE', `--out ${values.out ?? dir}: cannot write there (${(e as Error).message}); choose a writable folder`);
    }
    return 0;
  },
};
