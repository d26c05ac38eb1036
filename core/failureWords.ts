/**
 * Decision failures (`PlannerInfo.failures`: `{ category, detail }`) as short labels in plain
 * words: "LLM reply not valid JSON", "skill failed". The viewer's timeline and the planners'
 * intent sentences use them, so the same failure reads the same everywhere. Pure, and safe in the
 * browser bundle.
 */
import type { FailureCategory } from './records.ts';

/** A label of a few words for one failure; `detail` refines it where the category is broad. */
export function failureLabel(category: FailureCategory | string, detail = ''): string {
  switch (category) {
    case 'format_error':
      return /no valid JSON|no JSON|was empty|JSON at position|Unexpected token/i.test(detail) ? 'LLM reply not valid JSON' : 'LLM reply in the wrong shape';
    case 'invalid_action':
      return /there is no skill/.test(detail) ? 'LLM named a skill that does not exist' : 'LLM asked for an invalid action';
    case 'hallucinated_object':
      return 'LLM named an object that is not there';
    case 'infeasible':
      return 'skill failed';
    case 'llm_error':
      return 'LLM call failed';
    case 'timeout':
      return 'LLM call timed out';
    case 'collision':
      return 'collision';
    default:
      return String(category).replace(/_/g, ' ');
  }
}
