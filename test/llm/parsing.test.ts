import { describe, expect, it } from 'vitest';
import { extractJson } from '../../planners/llm/extractJson.ts';
import { directActionSchema, validateDirectAction } from '../../planners/llm/ReplyValidator.ts';
import type { ActionSpace } from '../../sim/types.ts';

const space: ActionSpace = { dim: 2, names: ['left', 'right'], low: [-1, -1], high: [1, 1] };

describe('extractJson', () => {
  it('reads a bare JSON reply', () => {
    expect(extractJson(' {"plan": []} ')).toEqual({ ok: true, value: { plan: [] }, how: 'whole' });
  });

  it('finds JSON in a code fence', () => {
    const r = extractJson('Here you go:\n```json\n{"plan": [{"skill": "stop"}]}\n```\nGood luck!');
    expect(r).toEqual({ ok: true, value: { plan: [{ skill: 'stop' }] }, how: 'fence' });
  });

  it('finds JSON embedded in prose, ignoring braces inside strings', () => {
    const r = extractJson('Sure! My plan: {"reasoning": "avoid {the} wall", "plan": []} -- done.');
    expect(r).toEqual({ ok: true, value: { reasoning: 'avoid {the} wall', plan: [] }, how: 'embedded' });
  });

  it('skips a non-JSON brace span and takes the next valid one', () => {
    const r = extractJson('Consider {x, y} first. Then {"plan": [1]}');
    expect(r.ok && r.value).toEqual({ plan: [1] });
  });

  it('ignores <think> blocks of reasoning models', () => {
    const r = extractJson('<think>Maybe {"plan": ["wrong"]}? No, move first.</think>\n{"plan": [{"skill": "stop"}]}');
    expect(r.ok && r.value).toEqual({ plan: [{ skill: 'stop' }] });
  });

  it('reports a truncated reply as invalid JSON', () => {
    const r = extractJson('{"reasoning": "go", "plan": [{"skill": "move_to", "args": {"x": 1.0, "y": ');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/no valid JSON/);
  });

  it('reports prose without JSON, and empty replies', () => {
    expect(extractJson('I would drive forward.')).toEqual({ ok: false, error: expect.stringMatching(/contains no JSON object/) });
    expect(extractJson('   ')).toEqual({ ok: false, error: expect.stringMatching(/empty/) });
  });
});

describe('validateDirectAction', () => {
  it('accepts a list of numbers within bounds, or one named by component', () => {
    expect(validateDirectAction('{"reasoning": "go", "action": [0.5, -0.25]}', space)).toEqual({ ok: true, value: [0.5, -0.25], reasoning: 'go' });
    expect(validateDirectAction('{"action": {"left": 1, "right": "0.5"}}', space)).toMatchObject({ ok: true, value: [1, 0.5] });
  });

  it('classifies out-of-range numbers and wrong lengths as invalid_action', () => {
    expect(validateDirectAction('{"action": [3, 0]}', space)).toMatchObject({ ok: false, category: 'invalid_action', reason: expect.stringMatching(/left = 3 is out of range/) });
    expect(validateDirectAction('{"action": [0.1]}', space)).toMatchObject({ ok: false, category: 'invalid_action', reason: expect.stringMatching(/exactly 2 numbers/) });
    expect(validateDirectAction('{"action": [0.1, null]}', space)).toMatchObject({ ok: false, category: 'invalid_action' });
  });

  it('classifies missing or malformed structure as format_error', () => {
    expect(validateDirectAction('{"left": 1, "right": 1}', space)).toMatchObject({ ok: false, category: 'format_error' });
    expect(validateDirectAction('{"action": "forward"}', space)).toMatchObject({ ok: false, category: 'format_error' });
    expect(validateDirectAction('forward please', space)).toMatchObject({ ok: false, category: 'format_error' });
  });
});

describe('output schemas', () => {
  it('direct schema pins the action length and bounds (the embedded grammar enforces both, see grammar.test.ts)', () => {
    const s = directActionSchema(space).schema as { properties: { action: Record<string, unknown> } };
    expect(s.properties.action).toMatchObject({ minItems: 2, maxItems: 2, items: { type: 'number', minimum: -1, maximum: 1 } });
  });
});
