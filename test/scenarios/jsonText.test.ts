import { describe, expect, it } from 'vitest';
import { lineColumn, parseJsonText } from '../../scenarios/jsonText.ts';

describe('parseJsonText', () => {
  it('parses what JSON.parse parses, to the same value', () => {
    const text = '{"a": [1, -2.5e3, 0.25, true, false, null], "b": {"c": "x\\n\\u00e9"}, "__proto__": 1}';
    const r = parseJsonText(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(JSON.parse(text));
    if (r.ok) expect(Object.keys(r.value as object)).toContain('__proto__');
  });

  it('accepts a leading byte-order mark', () => {
    expect(parseJsonText('\ufeff{"a": 1}')).toMatchObject({ ok: true, value: { a: 1 } });
  });

  it.each([
    ['{\n  "a": 1,\n}', 3, 1, 'trailing comma before "}"'],
    ['[1, 2,]', 1, 7, 'trailing comma before "]"'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}" after the value of "a"'],
    ['{ a: 1 }', 1, 3, 'expected a property name in double quotes, found "a"'],
    ['{"a": NaN}', 1, 7, 'NaN, Infinity and unquoted words are not JSON'],
    ['{"a": 1', 1, 8, 'expected "," or "}"'],
    ['{"a": "x\n"}', 1, 7, 'line break inside a string'],
    ['{"a": 1} x', 1, 10, 'after the end of the document'],
    ['/* c */ {}', 1, 1, 'comments are not allowed'],
  ])('%j fails at line %i, column %i: %s', (text, line, column, message) => {
    const r = parseJsonText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.at).toEqual({ line, column });
      expect(r.problem.message).toContain(message);
    }
  });

  it('reports duplicate keys with both lines and the JSON path', () => {
    const r = parseJsonText('{\n "o": {\n  "k": 1,\n  "k": 2\n }\n}');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.duplicates).toHaveLength(1);
      expect(r.duplicates[0].path).toEqual(['o', 'k']);
      expect(r.duplicates[0].message).toContain('lines 3 and 4');
    }
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
