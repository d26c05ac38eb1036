/**
 * Settings of remote planners, declared once (see core/settings.ts); `RemoteConfig.ts` resolves
 * them per planner label. `--remote-url` and `--remote-timeout` take one value for every remote
 * planner, or `LABEL=value,…` per planner (`--planners remote:ppo,remote:dreamer`).
 */
import type { SettingsGroup } from '../../core/settings.ts';

export const REMOTE_SETTINGS: SettingsGroup = {
  planners: ['remote'],
  settings: [
    { key: 'remoteUrl', type: 'string', default: null, flag: true, doc: 'the policy server, ws://HOST:PORT[/PATH], or LABEL=ws://…,… per remote planner (docs/interop.md)' },
    { key: 'remoteTimeout', type: 'string', default: '30', flag: true, doc: 'seconds to wait for each reply and to connect (S, Ss, Nms), or LABEL=S,… per remote planner' },
    { key: 'remoteName', type: 'string', default: null, flag: true, doc: 'the label of a planner given as plain `remote`, so reports say remote:NAME' },
    { key: 'remoteMaxFrameMb', type: 'number', default: 4, min: 0.001, max: 1024, doc: 'largest reply frame accepted, MiB; a bigger one ends the episode as planner_error (oversize)' },
  ],
};
