import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFiles, scenarioJsonSchema } from '../../scenarios/jsonSchema.ts';

const DIR = resolve(import.meta.dirname, '..', '..', 'scenarios');

describe('committed JSON Schemas', () => {
  it.each(Object.keys(schemaFiles()))('scenarios/%s equals a fresh generation (run `planarena schema` if not)', (name) => {
    expect(readFileSync(join(DIR, name), 'utf8')).toBe(schemaFiles()[name]);
  });

  it('is strict, pins tuple lengths and leaves defaulted fields optional', () => {
    const s = scenarioJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: { robot: { properties: { start: { properties: { position: { minItems: number; maxItems: number } } } } } };
    };
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(['id', 'robot', 'arena', 'goal', 'timeLimit']));
    expect(s.required).not.toContain('obstacles');
    expect(s.required).not.toContain('physicsDt');
    const position = s.properties.robot.properties.start.properties.position;
    expect([position.minItems, position.maxItems]).toEqual([2, 2]);
  });
});
