/**
 * Deep copy of a controller's state (class instances keep their prototypes), so the oracle can
 * roll a copy of the scripted planner forward in imagination without disturbing the original.
 * Functions are shared, not copied: the skills keep only stateless callbacks.
 */
export function cloneState<T>(value: T, seen = new Map<unknown, unknown>()): T {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value) as T;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(cloneState(v, seen));
    return out as T;
  }
  if (value instanceof Map || value instanceof Set) throw new Error('cloneState: Map and Set are not supported in controller state');
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = cloneState((value as Record<string, unknown>)[key], seen);
  return out as T;
}
