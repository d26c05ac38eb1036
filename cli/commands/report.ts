/**
 * `planarena report DIR [DIR...]`: the run's statistics as Markdown on stdout (or --md FILE)
 * and, with --html FILE, a self-contained HTML report with plots. Several run directories are
 * reported together (their episodes pooled), e.g. runs of open-train, open-test and open-ood,
 * whose generalisation gap the report then shows.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { intFlag, openRun, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { analyze } from '../../evaluation/analysis.ts';
import { renderHtml, renderMarkdown } from '../../evaluation/report.ts';

export const usage = `usage: planarena report DIR [DIR...] [--html FILE] [--md FILE] [flags]

  DIR           a run directory (written by planarena run or planarena merge); several are
                reported together, their episodes pooled (each (scenario, planner, seed) once)
  --html FILE   also write a self-contained HTML report with plots (no scripts, no network)
  --md FILE     write the Markdown report to FILE instead of stdout
  --title T     report title (default: "planarena report: <run directory name>")
  --reps N      bootstrap resamples for confidence intervals (default 2000; rliable uses 50000)
  --seed N      seed of the bootstrap resampling (default 0): same seed, same intervals

Statistics: success with Wilson 95% intervals; per-episode score = normalised return when
random and oracle ran on every scenario, else success; IQM and mean with stratified bootstrap
95% intervals; paired head-to-head per planner pair (McNemar exact on success, paired bootstrap
on return, probability of improvement); outcomes, failure categories, latency, tokens and cost.
With generated levels (suites open-train, open-test, open-ood): success per split and the
generalisation gap (test − train, ood − train) per planner, with cluster-bootstrap intervals
over levels; e.g. planarena report runs/open-train runs/open-test runs/open-ood.`;

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
    if (positionals.length === 0) throw new UserError('E_BAD_FLAG', 'report needs a run directory. Usage: planarena report DIR [DIR...] [--html FILE].');
    const runs = positionals.map((dir) => ({ dir, run: openRun(dir) }));
    const seen = new Map<string, string>();
    for (const { dir, run } of runs) {
      for (const r of run.records) {
        const key = `${r.scenario}\u0000${r.planner}\u0000${r.seed}`;
        const other = seen.get(key);
        if (other !== undefined) {
          throw new UserError('E_BAD_FLAG', `${other} and ${dir} both hold episode ${r.scenario} · ${r.planner} · seed ${r.seed}; report runs of different episodes together (for shards of one run, use planarena merge first).`);
        }
        seen.set(key, dir);
      }
    }
    const records = runs.flatMap(({ run }) => run.records);
    if (records.length === 0) throw new UserError('E_EMPTY_RUN', `${positionals.join(', ')}: no finished episodes (episodes.jsonl is empty); nothing to report.`);
    const first = runs[0].run;
    const analysis = analyze(records, {
      reps: intFlag('reps', values.reps, 2000, 100),
      seed: intFlag('seed', values.seed, 0, 0),
      suite: runs.length === 1 ? first.manifest.config.suite : null,
      // Every run's scenario hashes (one scenario id, one definition: merge and drift checks see to it).
      scenarioHashes: Object.assign({}, ...runs.map(({ run }) => run.manifest.config.scenarioHashes ?? {})),
    });
    const title = runs.length === 1 ? basename(resolve(first.dir.path)) : runs.map(({ run }) => basename(resolve(run.dir.path))).join(' + ');
    const meta = {
      title: values.title ?? `planarena report: ${title}`,
      runDir: positionals[0],
      manifest: first.manifest,
      more: runs.slice(1).map(({ dir, run }) => ({ runDir: dir, manifest: run.manifest })),
    };
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
