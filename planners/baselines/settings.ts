/**
 * Settings of the baselines (random, scripted, oracle), declared once (see core/settings.ts).
 * The oracle's defaults make it a ceiling (no baseline beats it on success or efficiency on any
 * core scenario, test/planners/ceiling.test.ts): ≈ samples × iterations × horizon = 720
 * simulated control steps per decision, one decision every 3 control steps.
 */
import type { SettingsGroup } from '../../core/settings.ts';

export const RANDOM_SETTINGS: SettingsGroup = {
  planners: ['random'],
  settings: [{ key: 'randomHold', type: 'integer', default: 1, min: 1, max: 1000, doc: 'control steps each random action is held' }],
};

export const SCRIPTED_SETTINGS: SettingsGroup = {
  planners: ['scripted'],
  settings: [{ key: 'scriptedRetries', type: 'integer', default: 3, min: 0, max: 100, doc: 'times a failed skill is retried (after backing off) before the controller gives up' }],
};

export const ORACLE_SETTINGS: SettingsGroup = {
  planners: ['oracle'],
  settings: [
    { key: 'oracleHorizon', type: 'integer', default: 15, min: 1, max: 200, doc: 'control steps per rollout (1.5 s at the default 0.1 s period)' },
    { key: 'oracleRepeat', type: 'integer', default: 3, min: 1, max: 50, doc: 'control steps each sampled action is held; the replanning period' },
    { key: 'oracleSamples', type: 'integer', default: 24, min: 2, max: 4096, doc: 'candidate sequences per CEM iteration (including the guided ones)' },
    { key: 'oracleIterations', type: 'integer', default: 2, min: 1, max: 50, doc: 'CEM iterations per decision' },
    { key: 'oracleElites', type: 'integer', default: 4, min: 1, max: 4096, doc: 'candidates averaged into the next sampling mean' },
    { key: 'oracleStd', type: 'number', default: 0.5, min: 0.01, max: 2, doc: 'initial sampling standard deviation (actions are in [-1, 1])' },
    { key: 'oraclePrior', type: 'boolean', default: true, doc: "include the scripted policy's rollout among the candidates (false: pure CEM)" },
  ],
};
