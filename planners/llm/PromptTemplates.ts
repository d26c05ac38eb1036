/**
 * Prompt templates: plain text files in `planners/llm/prompts/` (or the directory given with
 * `--set llmPrompts=DIR`) with `{{name}}` placeholders. Users edit them freely; a placeholder
 * the planner does not know is an error naming the file, caught when the planner starts rather
 * than mid-run. Leaving a placeholder out is allowed (that part of the scene is not shown).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.ts';

export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL('./prompts/', import.meta.url));

/** Each template and the placeholders it may use. */
export const TEMPLATE_VARS = {
  'system-skills': ['robot', 'x_min', 'x_max', 'y_min', 'y_max', 'skills', 'replan_clause', 'example'],
  'system-direct': ['robot', 'x_min', 'x_max', 'y_min', 'y_max', 'action_count', 'action_names', 'action_help', 'every', 'every_seconds', 'action_placeholders', 'example'],
  user: ['instruction', 't', 'time_limit', 'robot_state', 'goal', 'objects', 'lidar_max', 'lidar', 'history', 'feedback', 'scene_json', 'ask'],
  correction: ['reason'],
} as const;

export type TemplateName = keyof typeof TEMPLATE_VARS;
export type TemplateVars<N extends TemplateName> = Record<(typeof TEMPLATE_VARS)[N][number], string>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

export class PromptTemplates {
  private constructor(
    readonly dir: string,
    private readonly texts: Record<TemplateName, string>,
  ) {}

  /** Loads and checks every template in `dir`. */
  static load(dir: string = DEFAULT_PROMPTS_DIR): PromptTemplates {
    const texts = {} as Record<TemplateName, string>;
    for (const name of Object.keys(TEMPLATE_VARS) as TemplateName[]) {
      const file = join(dir, `${name}.md`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UserError('E_LLM_PROMPTS', `prompt template ${file} is missing; copy it from ${join(DEFAULT_PROMPTS_DIR, `${name}.md`)}.`);
      }
      const allowed: readonly string[] = TEMPLATE_VARS[name];
      for (const m of text.matchAll(PLACEHOLDER)) {
        if (!allowed.includes(m[1])) {
          throw new UserError('E_LLM_PROMPTS', `prompt template ${file}: unknown placeholder {{${m[1]}}}; this template may use ${allowed.map((v) => `{{${v}}}`).join(', ')}.`);
        }
      }
      texts[name] = text.trimEnd();
    }
    return new PromptTemplates(dir, texts);
  }

  render<N extends TemplateName>(name: N, vars: TemplateVars<N>): string {
    return this.texts[name].replace(PLACEHOLDER, (_, key: string) => (vars as Record<string, string>)[key] ?? '');
  }
}
