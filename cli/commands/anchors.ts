/**
 * `planarena anchors update --suite S`: runs the `random` and `oracle` planners on a suite and
 * freezes their per-scenario mean returns (with spread and count) into
 * `scenarios/anchors/S.json`, the anchors of every normalised score (`core/anchors.ts`,
 * `scenarios/anchors.ts`). Nothing else ever changes that file: anchors move only when someone
 * runs this and commits it.
 */
import { join } from 'node:path';
import { choiceFlag, openRun, parseFlags, parseSeeds } from '../args.ts';
import { MIN_SPAN } from '../../core/anchors.ts';
import { UserError } from '../../core/errors.ts';
import { defaultRunDir } from '../../core/runStore.ts';
import { PHYSICS } from '../../core/runConfig.ts';
import type { Command } from '../main.ts';
import { runPipeline } from '../../runner/pipeline.ts';
import { ANCHORS_DIR, anchorsFromRun, writeAnchorFile } from '../../scenarios/anchors.ts';
import { parseWorkers } from '../runFlags.ts';

export const DEFAULT_ANCHOR_SEEDS = '20';

export const usage = `usage: planarena anchors update --suite S [flags]

  --suite S          suite whose scenarios to anchor (scenarios/suites/S.json)
  --seeds N|LIST     seeds per scenario (default ${DEFAULT_ANCHOR_SEEDS}: seeds 0..19)
  --physics F        deterministic (default) | fast
  --out FILE         anchor file to write (default scenarios/anchors/S.json)
  --run-dir DIR      where the run goes (default runs/anchors-S-<UTC time>)
  --from DIR         do not run: freeze the anchors of an existing random + oracle run
  --workers N|auto   run the episodes on N worker threads (default 1)

Runs the random and oracle planners (default settings, state observations, turn clock) on every
scenario of the suite and writes, per scenario, the mean, standard deviation and count of their
returns and the scenario's hash. Normalised scores use these frozen anchors (0 = random,
1 = oracle), refuse a scenario whose definition changed since (rerun this), and refuse spans
below ${MIN_SPAN}. Commit the file.`;

const FLAGS = {
  suite: { type: 'string' },
  seeds: { type: 'string' },
  physics: { type: 'string' },
  out: { type: 'string' },
  'run-dir': { type: 'string' },
  from: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const command: Command = {
  name: 'anchors',
  summary: 'freeze the random and oracle anchors of normalised scores',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('anchors', argv, FLAGS);
    if (positionals[0] !== 'update' || positionals.length !== 1) {
      throw new UserError('E_BAD_FLAG', `anchors has one subcommand, "update": planarena anchors update --suite S. Got "${positionals.join(' ')}".`);
    }
    if (!values.suite) throw new UserError('E_BAD_FLAG', 'anchors update needs --suite S.');
    let run;
    if (values.from) {
      run = openRun(values.from, '--from');
    } else {
      const result = await runPipeline(
        {
          kind: 'request',
          request: {
            suite: values.suite,
            planners: ['random', 'oracle'],
            seeds: parseSeeds(values.seeds ?? DEFAULT_ANCHOR_SEEDS),
            physics: choiceFlag('physics', values.physics, PHYSICS, 'deterministic'),
            lidar: 'analytic',
            observation: 'state',
            clock: 'turn',
            record: false,
            plannerConfig: {},
          },
        },
        { out: values['run-dir'] ?? defaultRunDir(`anchors-${values.suite}`), workers: parseWorkers(values.workers) },
        { log: (line) => process.stderr.write(`${line}\n`) },
        { command: ['planarena', 'anchors', ...argv] },
      );
      if (result.interrupted) return 130;
      run = openRun(result.runDir.path);
    }
    const file = anchorsFromRun(values.suite, run.manifest, run.records);
    const out = values.out ?? join(ANCHORS_DIR, `${values.suite}.json`);
    writeAnchorFile(out, file);
    const lines = Object.entries(file.scenarios).map(([id, e]) => {
      const span = e.oracle.mean - e.random.mean;
      return `  ${id}: random ${e.random.mean.toFixed(2)} ± ${e.random.sd.toFixed(2)}, oracle ${e.oracle.mean.toFixed(2)} ± ${e.oracle.sd.toFixed(2)} (n ${e.random.n}/${e.oracle.n})${span < MIN_SPAN ? `  span ${span.toFixed(2)} < ${MIN_SPAN}: normalised scores will be refused` : ''}`;
    });
    process.stdout.write(`wrote ${out}:\n${lines.join('\n')}\n`);
    return 0;
  },
};
