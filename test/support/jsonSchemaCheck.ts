/**
 * An independent JSON Schema check for tests, for the keywords planarena's reply schemas use
 * (type, properties, required, additionalProperties, items, minItems, maxItems, anyOf/oneOf,
 * const, enum, minimum, maximum, minLength, maxLength). Written apart from JsonGrammar.ts, so
 * a grammar that drifts from the schema is caught rather than agreed with.
 * Returns the first violation as "path: what", or null when `value` is valid.
 */
export function schemaViolation(schema: Record<string, unknown>, value: unknown, path = '$'): string | null {
  const alts = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (alts) {
    const ok = alts.filter((a) => schemaViolation(a, value, path) === null).length;
    if (schema.oneOf ? ok !== 1 : ok === 0) return `${path}: matches ${ok} of the ${alts.length} alternatives`;
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return `${path}: is not ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return `${path}: not in the enum`;
  const type = schema.type as string | undefined;
  if (type !== undefined && !hasType(value, type)) return `${path}: is not of type ${type}`;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${path}: ${value} < ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${path}: ${value} > ${schema.maximum}`;
  }
  if (typeof value === 'string') {
    const n = [...value].length;
    if (typeof schema.minLength === 'number' && n < schema.minLength) return `${path}: shorter than ${schema.minLength}`;
    if (typeof schema.maxLength === 'number' && n > schema.maxLength) return `${path}: longer than ${schema.maxLength}`;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${path}: fewer than ${schema.minItems} items`;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return `${path}: more than ${schema.maxItems} items`;
    const items = schema.items as Record<string, unknown> | undefined;
    if (items) {
      for (let i = 0; i < value.length; i++) {
        const v = schemaViolation(items, value[i], `${path}[${i}]`);
        if (v) return v;
      }
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) return `${path}: missing "${r}"`;
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) {
        const bad = schemaViolation(props[k], v, `${path}.${k}`);
        if (bad) return bad;
      } else if (schema.additionalProperties === false) {
        return `${path}: unexpected "${k}"`;
      }
    }
  }
  return null;
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      return false;
  }
}
