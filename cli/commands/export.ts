/**
 * `planarena export RUN_DIR --mcap FILE [--per-episode]`: a recorded run as MCAP for Foxglove
 * (interop/mcap/McapExport.ts; channels in docs/interop.md).
 */
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import { exportRunToMcap } from '../../interop/mcap/McapExport.ts';

const USAGE = `usage: planarena export RUN_DIR --mcap FILE [--per-episode]

Writes the recorded episodes of a run directory (made with \`planarena run --record\`) as MCAP,
for Foxglove and other MCAP tools: the scene and goal (foxglove.SceneUpdate), every body's
frame (foxglove.FrameTransforms), LLM prompts and replies, planner notes and sim events
(foxglove.Log), the world model's imagined futures (line entities), and per-step metrics and
episode results on planarena's own JSON channels. Log time is simulated time, the episodes
one after another.

  --mcap FILE      the .mcap file to write (replaced if it exists)
  --per-episode    one file per episode instead: FILE is a folder that receives
                   <scenario>_<planner>_seed-<n>.mcap`;

export const command: Command = {
  name: 'export',
  summary: 'export recorded episodes of a run to MCAP for Foxglove',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags('export', argv, { mcap: { type: 'string' }, 'per-episode': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UserError('E_BAD_FLAG', `expected one RUN_DIR, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}. See \`planarena export --help\`.`);
    if (!values.mcap) throw new UserError('E_BAD_FLAG', 'nothing to export to: pass --mcap FILE (the only export format so far).');
    const result = await exportRunToMcap({ runDir: positionals[0], out: values.mcap, perEpisode: Boolean(values['per-episode']) });
    const topics = Object.entries(result.counts).map(([t, n]) => `${t} ${n}`).join(', ');
    console.log(`wrote ${result.files.length === 1 ? result.files[0] : `${result.files.length} files under ${values.mcap}`}: ${result.episodes} episodes, ${result.messages} messages (${topics})`);
    return 0;
  },
};
