/**
 * `planarena demo` (`npm start`): the head-to-head on the `demo` suite with every available
 * planner, streamed to the live viewer, then the results table. Planners that cannot run here
 * (no LLM configured, no world-model checkpoint) are skipped with their one-line reason.
 */
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { plannerNames } from '../../planners/registry.ts';
import { DEFAULT_PORT, runPipeline } from '../../runner/pipeline.ts';
import { parseRunFlags, RUN_FLAGS } from '../runFlags.ts';
import { finishSession, installInterrupt } from './run.ts';

export const DEMO_SUITE = 'demo';
export const DEMO_SEEDS = '2';

export const usage = `usage: planarena demo [flags]

The demo head-to-head: suite "${DEMO_SUITE}", every available planner (${plannerNames().join(', ')}),
seeds 0..${Number(DEMO_SEEDS) - 1}, live viewer on. On a terminal the viewer keeps serving for replay
until Ctrl-C; elsewhere (CI, pipes) the command exits when the run ends.

  --no-live              skip the live viewer
  --port N               viewer port (default ${DEFAULT_PORT}; 0 = any free port)
  --seeds N|LIST         seeds (default ${DEMO_SEEDS})
  --planners a,b         only these planners
  --suite S              another suite instead of "${DEMO_SUITE}"
  --out DIR, --force, --physics, --lidar, --clock, --record, --pace, --host
  --llm-url URL ...      planner settings as for \`planarena run\` (connect an LLM: --llm-url http://127.0.0.1:8080/v1 --llm-model NAME)

Every flag of \`planarena run\` is accepted; see \`planarena run --help\`.`;

export const command: Command = {
  name: 'demo',
  summary: 'the demo head-to-head with the live viewer (what `npm start` runs)',
  usage,
  async run(argv) {
    const { values } = parseFlags('demo', argv, RUN_FLAGS, false);
    const recorded = values.resume !== undefined || values.from !== undefined;
    const withDefaults = recorded
      ? values
      : {
          ...values,
          suite: values.suite ?? (values.scenarios === undefined ? DEMO_SUITE : undefined),
          planners: values.planners ?? plannerNames().join(','),
          seeds: values.seeds ?? DEMO_SEEDS,
        };
    const { source, exec } = parseRunFlags(withDefaults, true);
    const log = (s: string) => process.stderr.write(`${s}\n`);
    const interrupt = installInterrupt(log);
    let result;
    try {
      result = await runPipeline(source, exec, { log }, { command: ['planarena', 'demo', ...argv], label: 'demo', shouldStop: interrupt.stopped });
    } finally {
      interrupt.dispose();
    }
    return finishSession(result, Boolean(values['allow-planner-errors']));
  },
};
