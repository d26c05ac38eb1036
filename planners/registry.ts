/**
 * Planner registry: name → factory, with each planner's declared settings. The runner, the CLI
 * and the viewer look planners up here and know none of them by name. A planner module registers
 * itself by being listed below; factories are loaded lazily so that listing planners (or
 * validating their settings) never loads tfjs.
 */
import { UserError } from '../core/errors.ts';
import { didYouMean, type SettingsGroup } from '../core/settings.ts';
import { ORACLE_SETTINGS, RANDOM_SETTINGS, SCRIPTED_SETTINGS } from './baselines/settings.ts';
import { LLM_SETTINGS } from './llm/settings.ts';
import type { PlannerFactory } from './Planner.ts';
import { WORLD_MODEL_SETTINGS } from './world-model/settings.ts';

interface Entry {
  description: string;
  load: () => Promise<PlannerFactory>;
}

const ENTRIES: Record<string, Entry> = {
  random: { description: 'uniform random actions (the 0 of normalised scores)', load: async () => (await import('./baselines/random.ts')).factory },
  scripted: { description: 'hand-written controllers: go-to-goal with lidar avoidance, pushing, arm joint control', load: async () => (await import('./baselines/scripted.ts')).factory },
  oracle: { description: 'sampling MPC on clones of the true physics (privileged; the 1 of normalised scores)', load: async () => (await import('./baselines/oracle.ts')).factory },
  llm: { description: 'LLM-prompted planner over an OpenAI-compatible API (skills or direct control)', load: async () => (await import('./llm/LlmPlanner.ts')).factory },
  'world-model': { description: 'learned modular world model (JEPA predictor, critic, actor) planning by latent MPPI', load: async () => (await import('./world-model/WorldModelPlanner.ts')).factory },
};

/** Every planner's declared settings, in the order `run --help` and docs/settings.md show them. */
export const PLANNER_SETTINGS: readonly SettingsGroup[] = [LLM_SETTINGS, WORLD_MODEL_SETTINGS, ORACLE_SETTINGS, SCRIPTED_SETTINGS, RANDOM_SETTINGS];

export function plannerNames(): string[] {
  return Object.keys(ENTRIES);
}

export function plannerDescription(name: string): string {
  return ENTRIES[name]?.description ?? '';
}

/** Loads a planner factory by name; an unknown name is a one-line error listing valid names. */
export async function getPlannerFactory(name: string): Promise<PlannerFactory> {
  const entry = ENTRIES[name];
  if (!entry) {
    const guess = didYouMean(name, plannerNames());
    throw new UserError('E_UNKNOWN_PLANNER', `unknown planner "${name}"${guess ? `; did you mean "${guess}"?` : '.'} Valid planners: ${plannerNames().join(', ')}.`);
  }
  return entry.load();
}
