/**
 * `planarena` command dispatcher. Each command lives in `cli/commands/<name>.ts` and exports
 * `command: Command`; commands are loaded lazily so that `planarena validate` never pays for
 * tfjs or the viewer build.
 */
import { isUserError } from '../core/errors.ts';
import { scrubSecrets } from '../core/secrets.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  run: { summary: 'run planners on a suite or scenarios and score them', load: () => import('./commands/run.ts') },
  demo: { summary: 'the demo head-to-head with the live viewer (what `npm start` runs)', load: () => import('./commands/demo.ts') },
  validate: { summary: 'check scenario, suite or family files', load: () => import('./commands/validate.ts') },
  generate: { summary: 'write generated levels of a procedural family as scenario files', load: () => import('./commands/generate.ts') },
  list: { summary: 'list scenarios, suites, families or planners', load: () => import('./commands/list.ts') },
  schema: { summary: 'write the JSON Schema of scenario files', load: () => import('./commands/schema.ts') },
  train: { summary: 'train the world-model planner or the behaviour-cloning baseline', load: () => import('./commands/train.ts') },
  diagnose: { summary: 'is the world model, its cost or its search at fault? (imagination error, cost ranking, ablations)', load: () => import('./commands/diagnose.ts') },
  serve: { summary: 'serve the viewer and the live stream', load: () => import('./commands/serve.ts') },
  report: { summary: 'Markdown and HTML report of a run', load: () => import('./commands/report.ts') },
  compare: { summary: 'what changed between two runs, with significance', load: () => import('./commands/compare.ts') },
  merge: { summary: 'join shards into one run', load: () => import('./commands/merge.ts') },
  ci: { summary: 'regression check against a committed baseline', load: () => import('./commands/ci.ts') },
  baseline: { summary: 'write a new CI baseline', load: () => import('./commands/baseline.ts') },
  anchors: { summary: 'freeze the random and oracle anchors of normalised scores', load: () => import('./commands/anchors.ts') },
  bench: { summary: 'speed benchmarks (what `npm run bench` runs)', load: () => import('./commands/bench.ts') },
  export: { summary: 'export recorded episodes of a run to MCAP for Foxglove', load: () => import('./commands/export.ts') },
  'env-server': { summary: 'serve the simulator to training loops in other languages (reset/step over WebSocket)', load: () => import('./commands/env-server.ts') },
  llm: { summary: 'the embedded LLM: install the runtime, download and list models', load: () => import('./commands/llm.ts') },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return ['usage: planarena <command> [flags]', '', 'commands:', ...lines, '', 'planarena <command> --help for its flags.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`planarena: unknown command "${name}". Valid commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 1;
  }
  try {
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`${command.usage}`);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (isUserError(e)) {
      console.error(scrubSecrets(`planarena ${name}: ${e.message}`));
      return e.exitCode;
    }
    // A bug: print the stack (scrubbed like everything else planarena writes) and fail.
    console.error(scrubSecrets(`planarena ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    return 1;
  }
}
