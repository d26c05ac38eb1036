/**
 * `planarena report DIR`: the run's statistics as Markdown on stdout (or --md FILE) and, with
 * --html FILE, a self-contained HTML report with plots.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { intFlag, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { analyze } from '../../evaluation/analysis.ts';
import { renderHtml, renderMarkdown } from '../../evaluation/report.ts';
import { loadRun } from '../../core/runStore.ts';

export const usage = `usage: planarena report DIR [--html FILE] [--md FILE] [flags]

  DIR           a run directory (written by planarena run or planarena merge)
  --html FILE   also write a self-contained HTML report with plots (no scripts, no network)
  --md FILE     write the Markdown report to FILE instead of stdout
  --title T     report title (default: "planarena report: <run directory name>")
  --reps N      bootstrap resamples for confidence intervals (default 2000; rliable uses 50000)
  --seed N      seed of the bootstrap resampling (default 0): same seed, same intervals

Statistics: success with Wilson 95% intervals; per-episode score = normalised return when
random and oracle ran on every scenario, else success; IQM and mean with stratified bootstrap
95% intervals; paired head-to-head per planner pair (McNemar exact on success, paired bootstrap
on return, probability of improvement); outcomes, failure categories, latency, tokens and cost.`;

const FLAGS = {
  html: { type: 'string' },
  md: { type: 'string' },
  title: { type: 'string' },
  reps: { type: 'string' },
  seed: { type: 'string' },
} as const;

export const command: Command = {
  name: 'report',
  summary: 'Markdown and HTML report of a run',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('report', argv, FLAGS);
    if (positionals.length !== 1) throw new UserError('E_BAD_FLAG', `report takes one run directory, got ${positionals.length}. Usage: planarena report DIR [--html FILE].`);
    const run = loadRun(positionals[0]);
    if (run.records.length === 0) throw new UserError('E_EMPTY_RUN', `${positionals[0]} has no finished episodes (episodes.jsonl is empty); nothing to report.`);
    const analysis = analyze(run.records, {
      reps: intFlag('reps', values.reps, 2000, 100),
      seed: intFlag('seed', values.seed, 0, 0),
      suite: run.manifest.config.suite,
      scenarioHashes: run.manifest.config.scenarioHashes,
    });
    const meta = { title: values.title ?? `planarena report: ${basename(resolve(run.dir.path))}`, runDir: positionals[0], manifest: run.manifest };
    const markdown = renderMarkdown(analysis, meta);
    if (values.md) {
      writeFileSync(values.md, markdown);
      process.stderr.write(`wrote ${values.md}\n`);
    } else {
      process.stdout.write(markdown);
    }
    if (values.html) {
      writeFileSync(values.html, renderHtml(analysis, meta));
      process.stderr.write(`wrote ${values.html}\n`);
    }
    return 0;
  },
};
