/**
 * Skill calls in plain words, for `PlannerInfo.intent`: "drive to (2.0, 1.5)", "push crate-1 to
 * (3.0, 0.0)". The scripted planner and the LLM planner call the same skills, so both say them
 * the same way.
 */

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? (Math.round(v * 10) / 10).toFixed(1) : '?');

/** A skill call as a verb phrase (no capital, no full stop). */
export function describeCall(name: string, args: Readonly<Record<string, unknown>>): string {
  const at = args.z !== undefined ? `(${num(args.x)}, ${num(args.y)}, ${num(args.z)})` : `(${num(args.x)}, ${num(args.y)})`;
  const object = typeof args.object_id === 'string' ? args.object_id : 'the object';
  switch (name) {
    case 'move_to':
      return `drive to ${at}`;
    case 'push':
      return `push ${object} to ${at}`;
    case 'reach':
      return `move the hand to ${at}`;
    case 'arm_push':
      return `push ${object} with the arm to ${at}`;
    case 'turn_to':
      return `turn to face ${num(args.deg)}°`;
    case 'wait':
      return `wait ${num(args.s)} s`;
    case 'stop':
      return 'stop and hold still';
    default:
      return `${name}(${Object.entries(args).map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : JSON.stringify(v)}`).join(', ')})`;
  }
}

/** A sentence from its parts: the first letter capitalised, one full stop at the end. */
export function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return t ? `${t[0].toUpperCase()}${t.slice(1)}.` : '';
}
