/**
 * `planarena demo` (`npm start`): the head-to-head on the `demo` suite with every available
 * planner, as races streamed to the live viewer and recorded for replay, then the results table.
 * Planners that cannot run here (no LLM configured, no world-model checkpoint) are skipped with
 * their short reason.
 *
 * Defaults, chosen so the whole demo takes at most about four minutes on a two-core laptop while
 * still showing every scenario twice: seeds 0 and 1, races (the planners of a scenario and seed
 * side by side, in lockstep), paced at {@link DEMO_PACE}× real time, recorded. The pipeline says
 * up front how long it can take; `--pace 1` slows it to real time for a class.
 */
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { demoPlannerNames } from '../../planners/registry.ts';
import { DEFAULT_PORT, runPipeline } from '../../runner/pipeline.ts';
import { parseRunFlags, RUN_FLAGS } from '../runFlags.ts';
import { finishSession, installInterrupt } from './run.ts';

export const DEMO_SUITE = 'demo';
/** The demo suite's own default too (scenarios/suites/demo.json), so `run --suite demo` agrees. */
export const DEMO_SEEDS = '2';
/** Simulated seconds per wall second: twice real time is still easy to follow (robots drive at
 * about 1 m/s) and keeps the eight races of the demo within about four minutes. */
export const DEMO_PACE = 2;

export const usage = `usage: planarena demo [flags]

The demo head-to-head: suite "${DEMO_SUITE}" (open field, U-shaped trap, box pushing, crossing
traffic), seeds 0 and 1, every available planner of the head-to-head (${demoPlannerNames().join(', ')};
ablations and extra baselines such as world-model-actor and bc only with --planners). The planners of
each scenario and seed race side by side in the live viewer, in lockstep of simulated time, at
${DEMO_PACE}× real time; it says up front how long it can take (at most about 2.5 minutes of
racing). Every episode is recorded: the run directory and the command that replays it are
printed at the end. On a terminal the viewer keeps serving for replay until Ctrl-C; elsewhere
(CI, pipes) the command exits when the run ends.

  --pace X               simulated seconds per wall second (default ${DEMO_PACE}; 1 = real time, for a class)
  --no-race              one episode after another instead of side by side
  --no-live              skip the live viewer
  --no-record            do not record the episodes for replay
  --port N               viewer port (default ${DEFAULT_PORT}; 0 = any free port)
  --seeds N|LIST         seeds (default ${DEMO_SEEDS}: seeds 0 and 1)
  --planners a,b         only these planners
  --suite S              another suite instead of "${DEMO_SUITE}"
  --out DIR, --force, --physics, --lidar, --clock, --host, --token
                         as for \`planarena run\`

With an LLM (it then races too; the race waits for each of its replies):
  npm start -- --llm-url http://127.0.0.1:8080/v1 --llm-model NAME      any OpenAI-compatible server
  npx planarena llm setup && npx planarena llm pull                     or an embedded model, used with no flags

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
          planners: values.planners ?? demoPlannerNames().join(','),
          seeds: values.seeds ?? DEMO_SEEDS,
        };
    const { source, exec } = parseRunFlags(withDefaults, { live: true, record: true, livePace: DEMO_PACE });
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
