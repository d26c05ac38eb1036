/**
 * Settings of the behaviour-cloning baseline `bc`, declared once (see core/settings.ts). Its
 * checkpoint has a flag of its own, not world-model's `--checkpoint`: every planner receives every
 * setting, and one directory cannot hold both kinds of checkpoint for a run of both planners.
 */
import type { SettingsGroup } from '../../../core/settings.ts';

export const BC_SETTINGS: SettingsGroup = {
  planners: ['bc'],
  settings: [
    { key: 'bcCheckpoint', type: 'string', default: null, flag: true, doc: 'behaviour-cloning checkpoint directory: one checkpoint, or one subdirectory per robot as `train bc --out` writes (default: the shipped ones, if any)' },
    { key: 'bcBackend', type: 'choice', default: 'wasm', choices: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], doc: 'tfjs backend of the bc policy; wasm is fast on CPUs and deterministic' },
  ],
};
