/**
 * Planner registry: name → factory, with each planner's declared settings. The runner, the CLI
 * and the viewer look planners up here and know none of them by name. A planner module registers
 * itself by being listed below; factories are loaded lazily so that listing planners (or
 * validating their settings) never loads tfjs.
 */
import { UserError } from '../core/errors.ts';
import { didYouMean, type SettingsGroup } from '../core/settings.ts';
import { BC_SETTINGS } from './baselines/bc/settings.ts';
import { ORACLE_SETTINGS, RANDOM_SETTINGS, SCRIPTED_SETTINGS } from './baselines/settings.ts';
import { LLM_SETTINGS } from './llm/settings.ts';
import { PLANNER_LABEL, type PlannerFactory } from './Planner.ts';
import { remoteName } from './remote/RemoteConfig.ts';
import { REMOTE_SETTINGS } from './remote/settings.ts';
import { WORLD_MODEL_SETTINGS } from './world-model/settings.ts';

interface Entry {
  description: string;
  /** `label` is the part after `name:` for entries that take one (undefined otherwise). */
  load: (label: string | undefined) => Promise<PlannerFactory>;
  /**
   * Set for planners that can run several times side by side under different labels
   * (`remote:ppo`, `remote:dreamer`): the factory is named `name:label`. `defaultLabel` gives the
   * label of a plain `name` from the planner config (e.g. --remote-name), if any.
   */
  labels?: { defaultLabel(config: Record<string, unknown>): string | null };
  /** False for ablations and extra baselines that the demo head-to-head leaves out (they are
   * for reports, and every planner in a race costs the demo time). */
  demo?: false;
}

const ENTRIES: Record<string, Entry> = {
  random: { description: 'uniform random actions (the 0 of normalised scores)', load: async () => (await import('./baselines/random.ts')).factory },
  scripted: { description: 'hand-written controllers: go-to-goal with lidar avoidance, pushing, arm joint control', load: async () => (await import('./baselines/scripted.ts')).factory },
  oracle: { description: 'sampling MPC on clones of the true physics (privileged; the 1 of normalised scores)', load: async () => (await import('./baselines/oracle.ts')).factory },
  llm: { description: 'LLM-prompted planner over an OpenAI-compatible API (skills or direct control)', load: async () => (await import('./llm/LlmPlanner.ts')).factory },
  'world-model': { description: 'learned modular world model (JEPA predictor, critic, actor) planning by latent MPPI', load: async () => (await import('./world-model/WorldModelPlanner.ts')).factory },
  'world-model-actor': { description: "world-model's actor alone, no search: the policy-only ablation of world-model (same checkpoint and settings)", load: async () => (await import('./world-model/WorldModelPlanner.ts')).actorFactory, demo: false },
  bc: { description: 'behaviour cloning: a policy network imitating the scripted controller, reading what world-model reads; no model, no search', load: async () => (await import('./baselines/bc/BcPlanner.ts')).factory, demo: false },
  remote: {
    description: 'a policy in another process or language over WebSocket + MessagePack (--remote-url; remote:NAME for several)',
    load: async (label) => (await import('./remote/RemotePlanner.ts')).remoteFactory(label),
    labels: { defaultLabel: (config) => remoteName(config) },
  },
};

/** Every planner's declared settings, in the order `run --help` and docs/settings.md show them. */
export const PLANNER_SETTINGS: readonly SettingsGroup[] = [LLM_SETTINGS, WORLD_MODEL_SETTINGS, BC_SETTINGS, ORACLE_SETTINGS, SCRIPTED_SETTINGS, RANDOM_SETTINGS, REMOTE_SETTINGS];

export function plannerNames(): string[] {
  return Object.keys(ENTRIES);
}

/** The planners the demo races by default: all but the ablations and extra baselines. */
export function demoPlannerNames(): string[] {
  return plannerNames().filter((n) => ENTRIES[n].demo !== false);
}

export function plannerDescription(name: string): string {
  return ENTRIES[name]?.description ?? '';
}

/**
 * Loads a planner factory by name: `name`, or `name:LABEL` for planners that take labels. With
 * `config`, a plain name may get its default label from it (`remote` + --remote-name ppo →
 * `remote:ppo`); the factory's `name` is the resolved one, which runs and reports use from then
 * on. An unknown name is a one-line error listing valid names.
 */
export async function getPlannerFactory(name: string, config: Record<string, unknown> = {}): Promise<PlannerFactory> {
  const colon = name.indexOf(':');
  const base = colon < 0 ? name : name.slice(0, colon);
  let label: string | undefined = colon < 0 ? undefined : name.slice(colon + 1);
  const entry = ENTRIES[base];
  if (!entry) {
    const guess = didYouMean(name, plannerNames());
    throw new UserError('E_UNKNOWN_PLANNER', `unknown planner "${name}"${guess ? `; did you mean "${guess}"?` : '.'} Valid planners: ${plannerNames().join(', ')}.`);
  }
  if (label !== undefined) {
    if (!entry.labels) throw new UserError('E_UNKNOWN_PLANNER', `planner "${base}" takes no label ("${name}"); pass --planners ${base}.`);
    if (!PLANNER_LABEL.test(label)) throw new UserError('E_UNKNOWN_PLANNER', `planner "${name}": the label after "${base}:" must be letters, digits, '.', '_' or '-' (at most 64), e.g. ${base}:ppo.`);
  } else {
    label = entry.labels?.defaultLabel(config) ?? undefined;
  }
  return entry.load(label);
}
