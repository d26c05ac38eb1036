/**
 * `planarena baseline update --suite S`: runs the suite (or reads an existing run with --from)
 * and writes the CI baseline `results/baselines/S.json` that `planarena ci` checks against.
 */
import { choiceFlag, openRun, parseFlags, parseSeeds, splitList } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { baselineFromRun, writeBaseline } from '../../evaluation/baseline.ts';
import { defaultRunDir } from '../../core/runStore.ts';
import { CLOCKS, LIDAR_METHODS, PHYSICS } from '../../core/runConfig.ts';
import { runPipeline } from '../../runner/pipeline.ts';
import { parseWorkers } from '../runFlags.ts';

/** Cheap, deterministic planners: a CI baseline that runs in seconds on two cores. */
export const DEFAULT_BASELINE_PLANNERS = 'random,scripted';
export const DEFAULT_BASELINE_SEEDS = '3';

export const usage = `usage: planarena baseline update --suite S [flags]

  --suite S          suite to run (scenarios/suites/S.json)
  --planners a,b     planners to include (default ${DEFAULT_BASELINE_PLANNERS})
  --seeds N|LIST     seeds (default ${DEFAULT_BASELINE_SEEDS}: seeds 0..2)
  --physics F        deterministic (default) | fast
  --lidar M          analytic (default) | rapier
  --clock C          turn (default) | realtime
  --out FILE         baseline file to write (default results/baselines/S.json)
  --run-dir DIR      where the run goes (default runs/baseline-S-<UTC time>)
  --from DIR         do not run: build the baseline from an existing run directory
  --workers N|auto   run the episodes on N worker threads (default 1)

The baseline records the configuration and, per episode, the outcome, return and trajectory
hash (no wall-clock fields). Commit it; planarena ci --suite S checks against it.`;

const FLAGS = {
  suite: { type: 'string' },
  planners: { type: 'string' },
  seeds: { type: 'string' },
  physics: { type: 'string' },
  lidar: { type: 'string' },
  clock: { type: 'string' },
  out: { type: 'string' },
  'run-dir': { type: 'string' },
  from: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const command: Command = {
  name: 'baseline',
  summary: 'write a new CI baseline',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('baseline', argv, FLAGS);
    if (positionals[0] !== 'update' || positionals.length !== 1) {
      throw new UserError('E_BAD_FLAG', `baseline has one subcommand, "update": planarena baseline update --suite S. Got "${positionals.join(' ')}".`);
    }
    let run;
    if (values.from) {
      run = openRun(values.from, '--from');
    } else {
      if (!values.suite) throw new UserError('E_BAD_FLAG', 'baseline update needs --suite S (or --from DIR).');
      const result = await runPipeline(
        {
          kind: 'request',
          request: {
            suite: values.suite,
            planners: splitList(values.planners ?? DEFAULT_BASELINE_PLANNERS),
            seeds: parseSeeds(values.seeds ?? DEFAULT_BASELINE_SEEDS),
            physics: choiceFlag('physics', values.physics, PHYSICS, 'deterministic'),
            lidar: choiceFlag('lidar', values.lidar, LIDAR_METHODS, 'analytic'),
            observation: 'state',
            clock: choiceFlag('clock', values.clock, CLOCKS, 'turn'),
            record: false,
            plannerConfig: {},
          },
        },
        { out: values['run-dir'] ?? defaultRunDir(`baseline-${values.suite}`), workers: parseWorkers(values.workers) },
        { log: (line) => process.stderr.write(`${line}\n`) },
        { command: ['planarena', 'baseline', ...argv] },
      );
      if (result.interrupted) return 130;
      run = openRun(result.runDir.path);
    }
    const suite = values.suite ?? run.manifest.config.suite;
    if (!suite && !values.out) throw new UserError('E_BAD_FLAG', 'the run has no suite: pass --out FILE for the baseline.');
    const deterministic: Record<string, boolean> = {};
    for (const name of new Set(run.records.map((r) => r.planner))) deterministic[name] = (await getPlannerFactory(name)).deterministic;
    const baseline = baselineFromRun({ ...run.manifest, config: { ...run.manifest.config, suite } }, run.records, deterministic);
    const out = values.out ?? `results/baselines/${suite}.json`;
    writeBaseline(out, baseline);
    const errors = run.records.filter((r) => r.failure === 'error' || r.failure === 'planner_error').length;
    process.stdout.write(`wrote ${out}: ${baseline.episodes.length} episodes, planners ${Object.entries(deterministic).map(([k, d]) => `${k}${d ? ' (deterministic)' : ''}`).join(', ')}\n`);
    if (errors > 0) process.stderr.write(`warning: ${errors} episodes ended in an error; check the run before committing this baseline\n`);
    return 0;
  },
};
