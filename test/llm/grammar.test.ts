/**
 * The reply schema compiled to GBNF (JsonGrammar.ts): the shape of the rules and the bound on
 * the reply length. That llama.cpp accepts these grammars and that every reply they allow is
 * valid is proven on the real runtime in embedded.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ARRAY_CAP, compileJsonGrammar, ITEM_STRING_CAP, STRING_CAP } from '../../planners/llm/JsonGrammar.ts';
import { directActionSchema, skillPlanSchema } from '../../planners/llm/ReplyValidator.ts';
import { skillsFor } from '../../planners/skills/index.ts';

describe('JSON schema to GBNF', () => {
  it('bounds a direct action exactly to [-1, 1] and to its length', () => {
    const g = compileJsonGrammar(directActionSchema({ dim: 2, names: ['left', 'right'], low: [-1, -1], high: [1, 1] }).schema);
    expect(g.gbnf).toMatch(/^root ::= /);
    // Below 1 any fraction; 1 itself only with zeros; the same after a minus sign.
    expect(g.gbnf).toContain('("0" ("." [0-9]{1,6})? | "1" ("." "0"{1,6})?)');
    expect(g.gbnf).toMatch(/"-" \("0"/);
    expect(g.gbnf).toMatch(/"\[" r\d+ \(",\" sp r\d+\)\{1,1\} "\]"/);
    // {"reasoning": "<400 chars, 2 bytes each at most>", "action": [<-1.000000>, <-1.000000>]}
    expect(g.maxBytes).toBe(2 + 12 + 1 + (2 + 2 * STRING_CAP) + 2 + 9 + 1 + (2 + 2 * 9 + 2));
  });

  it('offers each skill as an alternative with its own arguments, caps plans, ids and text', () => {
    const skills = skillsFor('diffdrive', { arena: [4, 4] });
    const g = compileJsonGrammar(skillPlanSchema(skills).schema);
    for (const s of skills) expect(g.gbnf).toContain(`"\\"${s.name}\\""`);
    expect(g.gbnf).toContain(`char{0,${STRING_CAP}}`);
    expect(g.gbnf).toContain(`char{0,${ITEM_STRING_CAP}}`); // object_id inside a plan item
    expect(g.gbnf).toContain(`{0,${ARRAY_CAP - 1}}`);
    expect(g.gbnf).toMatch(/"\\"args\\":" sp r\d+ "}"/);
    // Small enough that prompt and reply fit the default 8k context of a real tokenizer.
    expect(g.maxBytes).toBeGreaterThan(1000);
    expect(g.maxBytes).toBeLessThan(3000);
  });

  it('handles enums, consts, booleans, nulls, integers and bounded strings; refuses schemas it cannot bound', () => {
    const g = compileJsonGrammar({
      type: 'object',
      properties: { a: { enum: ['x', 1] }, b: { const: true }, c: { type: 'boolean' }, d: { type: ['integer', 'null'], minimum: 0, maximum: 5 }, e: { type: 'string', maxLength: 3 } },
    });
    expect(g.gbnf).toContain('("\\"x\\"" | "1")');
    expect(g.gbnf).toContain('"true"');
    expect(g.gbnf).toContain('[0-4] | "5"');
    expect(g.gbnf).not.toMatch(/"-" \[0-4\]/); // minimum 0: no sign
    expect(g.gbnf).toContain('char{0,3}');
    expect(() => compileJsonGrammar({ type: 'object', properties: { x: {} } })).toThrow(/\$\.x has no type/);
  });
});
