/**
 * The reply's JSON schema compiled into a GBNF grammar for llama.cpp's constrained sampler, so an
 * embedded model can only write replies that parse and match the schema: a small model cannot
 * produce an unparseable plan, an unknown skill or a direct action outside [-1, 1].
 *
 * Why not node-llama-cpp's own JSON-schema grammar: it ignores numeric bounds, and its strings,
 * numbers and lists are unbounded, so a degenerate model can run into the token limit mid-reply.
 * Here every part has a finite length, and `maxBytes` is the longest reply the grammar accepts.
 * Every generated token carries at least one byte, so generating up to `maxBytes` tokens means
 * the limit can never cut a reply short: every reply the model ends is complete and valid.
 *
 * | schema                        | grammar                                                            |
 * |-------------------------------|--------------------------------------------------------------------|
 * | object, properties            | every property, in declared order (our schemas require all)        |
 * | string (maxLength)            | printable ASCII and the escapes \" \\ \/ \n \t, at most maxLength     |
 * |                               | characters (default `STRING_CAP`, `ITEM_STRING_CAP` inside lists)  |
 * | number/integer, min/max       | no exponent; bounds exact for integer bounds in [-9, 9] (so        |
 * |                               | [-1, 1] is exact), otherwise the digit count is bounded            |
 * | array (items, minItems, max)  | at most maxItems (default `ARRAY_CAP`) items                       |
 * | anyOf / oneOf / enum / const  | alternatives / literal values                                      |
 *
 * Whitespace: none, except one optional space after ":" and ",", so both compact and spaced JSON
 * read naturally to the model. Keywords outside this table (pattern, format, …) are not enforced
 * here; the planner's validator still checks every reply.
 *
 * The caps keep the longest reply, and so the context it needs, small: a skill plan is at most
 * ~2.6 kB. Strings are ASCII (the prompts are English; a UTF-8 character would count 4 bytes),
 * free text (the reasoning) sits at the top of a reply, and list items carry names and ids,
 * hence their shorter cap.
 */

/** Longest string when the schema sets no maxLength (the reasoning). */
export const STRING_CAP = 400;
/** Longest string inside a list item when the schema sets no maxLength (skill names, object ids). */
export const ITEM_STRING_CAP = 64;
/** Most items when the schema sets no maxItems (skill plans). */
export const ARRAY_CAP = 8;
/** Integer digits of an unbounded number, and fraction digits of any number. */
const INT_DIGITS = 7;
const FRAC_DIGITS = 6;

export interface CompiledGrammar {
  /** GBNF text with `root` as the start rule. */
  gbnf: string;
  /** Longest accepted reply in UTF-8 bytes (an upper bound on its tokens). */
  maxBytes: number;
}

type Schema = Record<string, unknown>;
interface Part {
  expr: string;
  max: number;
}

export function compileJsonGrammar(schema: Schema): CompiledGrammar {
  const c = new Compiler();
  const root = c.part(schema, '$', false);
  return { gbnf: [`root ::= ${root.expr}`, ...c.rules].join('\n'), maxBytes: root.max };
}

class Compiler {
  readonly rules: string[] = [];
  private readonly memo = new Map<string, Part>();
  private readonly shared = new Set<string>();

  /** A sub-schema as a rule reference (identical sub-schemas share one rule). `item`: inside a list. */
  part(s: Schema, where: string, item: boolean): Part {
    const key = `${item}${JSON.stringify(s)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const body = this.body(s, where, item);
    const name = `r${this.memo.size}`;
    this.rules.push(`${name} ::= ${body.expr}`);
    const p = { expr: name, max: body.max };
    this.memo.set(key, p);
    return p;
  }

  private body(s: Schema, where: string, item: boolean): Part {
    const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (alts) return alternatives(alts.map((a, i) => this.part(a, `${where}.anyOf[${i}]`, item)));
    if ('const' in s) return literal(JSON.stringify(s.const));
    if (Array.isArray(s.enum)) return alternatives(s.enum.map((v) => literal(JSON.stringify(v))));
    const type = s.type;
    if (Array.isArray(type)) return alternatives(type.map((t) => this.part({ ...s, type: t }, where, item)));
    switch (type) {
      case 'object':
        return this.object(s, where, item);
      case 'array':
        return this.array(s, where);
      case 'string':
        return this.string(s, item);
      case 'number':
      case 'integer':
        return number(s.minimum as number | undefined, s.maximum as number | undefined, type === 'integer');
      case 'boolean':
        return { expr: '("true" | "false")', max: 5 };
      case 'null':
        return literal('null');
      default:
        throw new Error(`JsonGrammar: ${where} has no type this compiler handles (${JSON.stringify(type)})`);
    }
  }

  private object(s: Schema, where: string, item: boolean): Part {
    const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
    if (props.length === 0) return literal('{}');
    const parts = props.map(([k, v], i) => {
      const key = literal(`${JSON.stringify(k)}:`);
      const value = this.part(v, `${where}.${k}`, item);
      const sep = i > 0 ? `"," ${this.sp()} ` : '';
      return { expr: `${sep}${key.expr} ${this.sp()} ${value.expr}`, max: (i > 0 ? 2 : 0) + key.max + 1 + value.max };
    });
    return { expr: `"{" ${parts.map((p) => p.expr).join(' ')} "}"`, max: 2 + parts.reduce((n, p) => n + p.max, 0) };
  }

  private array(s: Schema, where: string): Part {
    const min = (s.minItems as number | undefined) ?? 0;
    const max = (s.maxItems as number | undefined) ?? Math.max(min, ARRAY_CAP);
    if (max === 0) return literal('[]');
    const item = this.part((s.items ?? {}) as Schema, `${where}[]`, true);
    const more = `("," ${this.sp()} ${item.expr})`;
    const rest = max - 1 === 0 ? '' : ` ${more}{${Math.max(0, min - 1)},${max - 1}}`;
    const seq = `${item.expr}${rest}`;
    return { expr: min === 0 ? `"[" (${seq})? "]"` : `"[" ${seq} "]"`, max: 2 + max * item.max + (max - 1) * 2 };
  }

  private string(s: Schema, item: boolean): Part {
    const min = (s.minLength as number | undefined) ?? 0;
    const max = (s.maxLength as number | undefined) ?? Math.max(min, item ? ITEM_STRING_CAP : STRING_CAP);
    // Printable ASCII except " and backslash, or a 2-byte escape.
    this.define('char', '[ !#-\\[\\]-~] | "\\\\" ["\\\\/nt]');
    return { expr: `"\\"" char{${min},${max}} "\\""`, max: 2 + 2 * max };
  }

  /** The optional space after ":" and ",". */
  private sp(): string {
    this.define('sp', '" "?');
    return 'sp';
  }

  private define(name: string, body: string): void {
    if (this.shared.has(name)) return;
    this.shared.add(name);
    this.rules.push(`${name} ::= ${body}`);
  }
}

function alternatives(parts: Part[]): Part {
  return { expr: `(${parts.map((p) => p.expr).join(' | ')})`, max: Math.max(0, ...parts.map((p) => p.max)) };
}

/** A GBNF literal matching exactly `text`. */
function literal(text: string): Part {
  const escaped = [...text].map((ch) => (ch === '"' || ch === '\\' ? `\\${ch}` : ch < ' ' ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : ch)).join('');
  return { expr: `"${escaped}"`, max: Buffer.byteLength(text, 'utf8') };
}

/** A JSON number within [min, max] (see the table above for what is exact). */
function number(min: number | undefined, max: number | undefined, integer: boolean): Part {
  const sides: Part[] = [];
  if (min === undefined || min < 0) {
    const m = magnitude(min === undefined ? undefined : -min, integer);
    sides.push({ expr: `"-" ${m.expr}`, max: 1 + m.max });
  }
  if (max === undefined || max >= 0) sides.push(magnitude(max, integer));
  return alternatives(sides);
}

/** A non-negative magnitude up to `hi` (undefined: unbounded). A positive lower bound, or an upper
 * bound below the other side's, is left to the validator. */
function magnitude(hi: number | undefined, integer: boolean): Part {
  const frac = (digits: string) => (integer ? '' : ` ("." ${digits}{1,${FRAC_DIGITS}})?`);
  const fracMax = integer ? 0 : 1 + FRAC_DIGITS;
  if (hi !== undefined && Number.isInteger(hi) && hi <= 9) {
    if (hi === 0) return { expr: `("0"${frac('"0"')})`, max: 1 + fracMax };
    const below = hi === 1 ? '"0"' : `[0-${hi - 1}]`;
    return { expr: `(${below}${frac('[0-9]')} | "${hi}"${frac('"0"')})`, max: 1 + fracMax };
  }
  const digits = hi === undefined ? INT_DIGITS : Math.max(1, String(Math.ceil(hi)).length);
  const tail = digits > 1 ? ` [0-9]{0,${digits - 1}}` : '';
  return { expr: `("0" | [1-9]${tail})${frac('[0-9]')}`, max: digits + fracMax };
}
