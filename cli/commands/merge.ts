/** `planarena merge DIR... --out DIR`: joins shards (or partial runs) into one run directory. */
import { openRun, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { mergeRuns } from '../../evaluation/merge.ts';
import { formatTable } from '../../evaluation/table.ts';
import { summarize } from '../../core/summary.ts';
import { shippedAnchors } from '../../scenarios/anchors.ts';

export const usage = `usage: planarena merge DIR... --out DIR [--force] [--require-complete] [--allow-drift]

  DIR...              run directories of one run configuration, e.g. the shards of
                      planarena run --shard K/N (any order)
  --out DIR           the merged run directory (must be new or empty)
  --force             replace the results in an existing --out DIR
  --require-complete  exit 1 when planned episodes are missing from every input
  --allow-drift       merge shards whose scenario files or planner inputs (checkpoints, prompts)
                      differ, with a warning per difference (refused otherwise)

Writes manifest.json, episodes.jsonl in plan order (scenario, seed, planner), summary.json and
the inputs' recordings. Shards of different configurations are refused.`;

const FLAGS = {
  out: { type: 'string' },
  force: { type: 'boolean' },
  'require-complete': { type: 'boolean' },
  'allow-drift': { type: 'boolean' },
} as const;

export const command: Command = {
  name: 'merge',
  summary: 'join shards into one run',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('merge', argv, FLAGS);
    if (positionals.length === 0) throw new UserError('E_BAD_FLAG', 'merge needs run directories: planarena merge DIR... --out DIR.');
    if (!values.out) throw new UserError('E_BAD_FLAG', 'merge needs --out DIR for the merged run.');
    const runs = positionals.map((p) => openRun(p));
    const result = mergeRuns(runs, positionals, values.out, { force: values.force, command: ['planarena', 'merge', ...argv], allowDrift: values['allow-drift'] });
    process.stdout.write(`${formatTable(summarize(result.records, runs[0].manifest.config.suite, undefined, { anchors: shippedAnchors(), scenarioHashes: runs[0].manifest.config.scenarioHashes }))}\n\n`);
    process.stdout.write(`merged ${positionals.length} runs, ${result.records.length} episodes → ${result.runDir.display()}\n`);
    for (const d of result.drift) process.stderr.write(`warning: merged despite drift (--allow-drift): ${d}\n`);
    for (const c of result.conflicts) process.stderr.write(`warning: ${c} appears in several inputs with different trajectories; kept the last\n`);
    if (result.missing.length > 0) {
      const some = result.missing.slice(0, 5).map((e) => `${e.scenario}/${e.planner}/seed ${e.seed}`).join(', ');
      process.stderr.write(`${result.missing.length} planned episodes are missing (${some}${result.missing.length > 5 ? ', ...' : ''}); run the missing shards, or planarena run --resume ${result.runDir.display()}\n`);
      if (values['require-complete']) return 1;
    }
    return 0;
  },
};
