/**
 * From reply text to something the robot can run, or to a failure category and a reason the
 * model can act on. The categories follow the taxonomy in planners/Planner.ts:
 *
 * | category            | when                                                                  |
 * |---------------------|-----------------------------------------------------------------------|
 * | format_error        | no JSON in the reply, or JSON without the required shape              |
 * | invalid_action      | unknown skill, wrong/missing/extra argument, number out of range      |
 * | hallucinated_object | an argument names an object that is not in the scene                 |
 * | infeasible          | the call is well-formed but this robot or object cannot do it         |
 *
 * The output JSON schemas (sent as `response_format`) are built here too, so that what we ask
 * for and what we accept cannot drift apart.
 */
import type { FailureCategory } from '../Planner.ts';
import { SkillArgError, type SkillSpec } from '../skills/Skill.ts';
import type { ActionSpace, Observation } from '../../sim/types.ts';
import type { OutputSchema } from './ChatProvider.ts';
import { extractJson } from './extractJson.ts';

export interface SkillCall {
  spec: SkillSpec;
  args: Record<string, unknown>;
}

export type Validated<T> = { ok: true; value: T; reasoning: string } | { ok: false; category: FailureCategory; reason: string };

function fail(category: FailureCategory, reason: string): { ok: false; category: FailureCategory; reason: string } {
  return { ok: false, category, reason };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks a skills-mode reply against the skills on offer and the current scene. */
export function validateSkillPlan(reply: string, skills: readonly SkillSpec[], obs: Observation): Validated<SkillCall[]> {
  const parsed = extractJson(reply);
  if (!parsed.ok) return fail('format_error', parsed.error);
  const root = parsed.value;
  if (!isRecord(root)) return fail('format_error', 'expected one JSON object with a "plan" list, got ' + (Array.isArray(root) ? 'a list' : typeof root));
  const plan = root.plan;
  if (!Array.isArray(plan)) return fail('format_error', 'the object has no "plan" list; answer {"reasoning": "...", "plan": [{"skill": ..., "args": {...}}]}');
  const reasoning = typeof root.reasoning === 'string' ? root.reasoning : '';
  const names = skills.map((s) => s.name).join(', ');
  const calls: SkillCall[] = [];
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i];
    const where = `plan[${i}]`;
    if (!isRecord(item) || typeof item.skill !== 'string') return fail('format_error', `${where} must be an object {"skill": "<name>", "args": {...}}`);
    const spec = skills.find((s) => s.name === item.skill);
    if (!spec) return fail('invalid_action', `${where}: there is no skill "${item.skill}"; the skills are ${names}`);
    const args = argsByName(item.args, spec);
    if (typeof args === 'string') return fail(args.startsWith('format:') ? 'format_error' : 'invalid_action', `${where} ${spec.name}: ${args.replace(/^format:/, '')}`);
    // Building the skill runs its own checks (ranges, object ids, robot type) without moving anything.
    try {
      spec.create(args, obs);
    } catch (e) {
      if (e instanceof SkillArgError) return fail(e.kind, `${where}: ${e.message}`);
      // A skill that throws anything else on bad input still rejected the call: count it as invalid.
      return fail('invalid_action', `${where} ${spec.name}: ${(e as Error).message}`);
    }
    calls.push({ spec, args });
  }
  return { ok: true, value: calls, reasoning };
}

/** Accepts args as an object by name, a list in call order, or absent for skills without parameters. */
function argsByName(raw: unknown, spec: SkillSpec): Record<string, unknown> | string {
  const params = spec.params.map((p) => p.name);
  if (raw === undefined || raw === null) return params.length === 0 ? {} : `format:"args" is missing; give ${params.join(', ')}`;
  if (Array.isArray(raw)) {
    if (raw.length !== params.length) return `takes ${params.length} argument(s) (${params.join(', ')}), got ${raw.length}`;
    return Object.fromEntries(params.map((p, i) => [p, raw[i]]));
  }
  if (!isRecord(raw)) return `format:"args" must be an object of named arguments (${params.join(', ')})`;
  const extra = Object.keys(raw).filter((k) => !params.includes(k));
  if (extra.length) return `has no argument${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}; its arguments are ${params.join(', ') || 'none'}`;
  return raw;
}

/** Parses and checks a direct-mode reply: exactly `space.dim` numbers within the bounds. */
export function validateDirectAction(reply: string, space: ActionSpace): Validated<number[]> {
  const parsed = extractJson(reply);
  if (!parsed.ok) return fail('format_error', parsed.error);
  const root = parsed.value;
  if (!isRecord(root) || !('action' in root)) return fail('format_error', `expected one JSON object {"reasoning": "...", "action": [${space.names.join(', ')}]}`);
  const reasoning = typeof root.reasoning === 'string' ? root.reasoning : '';
  let raw = root.action;
  if (isRecord(raw)) raw = space.names.map((n) => (raw as Record<string, unknown>)[n]); // {"left": .., "right": ..}
  if (!Array.isArray(raw)) return fail('format_error', `"action" must be a list of ${space.dim} numbers (${space.names.join(', ')})`);
  if (raw.length !== space.dim) return fail('invalid_action', `"action" needs exactly ${space.dim} numbers (${space.names.join(', ')}), got ${raw.length}`);
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const v = typeof raw[i] === 'string' && raw[i].trim() !== '' ? Number(raw[i]) : raw[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail('invalid_action', `action ${space.names[i]} must be a number, got ${JSON.stringify(raw[i])}`);
    if (v < space.low[i] || v > space.high[i]) return fail('invalid_action', `action ${space.names[i]} = ${v} is out of range; it must be within [${space.low[i]}, ${space.high[i]}]`);
    out.push(v);
  }
  return { ok: true, value: out, reasoning };
}

/** The JSON schema of a skills-mode reply: one variant per skill with its named arguments. */
export function skillPlanSchema(skills: readonly SkillSpec[]): OutputSchema {
  const variants = skills.map((s) => ({
    type: 'object',
    properties: {
      skill: { const: s.name },
      args: {
        type: 'object',
        properties: Object.fromEntries(s.params.map((p) => [p.name, { type: p.type, description: p.description }])),
        required: s.params.map((p) => p.name),
        additionalProperties: false,
      },
    },
    required: ['skill', 'args'],
    additionalProperties: false,
  }));
  return {
    name: 'skill_plan',
    schema: {
      type: 'object',
      properties: { reasoning: { type: 'string' }, plan: { type: 'array', items: { anyOf: variants } } },
      required: ['reasoning', 'plan'],
      additionalProperties: false,
    },
  };
}

/** The JSON schema of a direct-mode reply. */
export function directActionSchema(space: ActionSpace): OutputSchema {
  return {
    name: 'robot_action',
    schema: {
      type: 'object',
      properties: {
        reasoning: { type: 'string' },
        action: { type: 'array', items: { type: 'number', minimum: -1, maximum: 1 }, minItems: space.dim, maxItems: space.dim },
      },
      required: ['reasoning', 'action'],
      additionalProperties: false,
    },
  };
}
