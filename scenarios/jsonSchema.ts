/**
 * JSON Schemas of scenario, suite and family files, generated from the zod schemas (the source of
 * truth) so that editors complete and check files that carry `"$schema": "../scenario.schema.json"`.
 * The generated files are committed; a test keeps them equal to a fresh generation.
 */
import { z } from 'zod';
import { FamilySpec } from './generator/FamilySpec.ts';
import { ScenarioSpec, SuiteSpec } from './schema.ts';

type Json = Record<string, unknown>;

/** zod writes tuples as `prefixItems` without a length; pin it so editors flag [1] or [1, 2, 3]. */
function pinTupleLengths(node: unknown): void {
  if (Array.isArray(node)) node.forEach(pinTupleLengths);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    if (Array.isArray(o.prefixItems) && o.items === undefined) {
      o.minItems = o.prefixItems.length;
      o.maxItems = o.prefixItems.length;
    }
    Object.values(o).forEach(pinTupleLengths);
  }
}

function generate(schema: z.ZodType, title: string, description: string): Json {
  // `io: 'input'`: files may omit fields that have defaults, so those are not required.
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  pinTupleLengths(json);
  const { $schema, ...rest } = json;
  return { $schema, title, description, ...rest };
}

export function scenarioJsonSchema(): Json {
  return generate(ScenarioSpec, 'planarena scenario', 'One planarena task: robot, arena, obstacles, objects, goal, randomisation and timing. Generated from scenarios/schema.ts by `planarena schema`; do not edit.');
}

export function suiteJsonSchema(): Json {
  return generate(SuiteSpec, 'planarena suite', 'A named list of planarena scenario ids (and ranges of generated levels) run together. Generated from scenarios/schema.ts by `planarena schema`; do not edit.');
}

export function familyJsonSchema(): Json {
  return generate(FamilySpec, 'planarena family', 'A procedural scene family: a builder and its factor values per split. Generated from scenarios/generator/FamilySpec.ts by `planarena schema`; do not edit.');
}

/** File name → exact file text, as `planarena schema` writes them. */
export function schemaFiles(): Record<string, string> {
  return {
    'scenario.schema.json': `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`,
    'suite.schema.json': `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`,
    'family.schema.json': `${JSON.stringify(familyJsonSchema(), null, 2)}\n`,
  };
}
