/**
 * `planarena ci --suite S --baseline FILE`: re-runs the baseline's configuration and gates on
 * it. Deterministic planners must reproduce every trajectory hash; stochastic ones must not
 * regress significantly. Exit 0 when every scenario × planner passes, 1 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { baselineRunConfig, checkAgainstBaseline, readBaseline, type CiCase } from '../../evaluation/baseline.ts';
import { toJUnit } from '../../evaluation/junit.ts';
import type { SummaryRow } from '../../core/records.ts';
import { summarize } from '../../core/summary.ts';
import { shippedAnchors } from '../../scenarios/anchors.ts';
import { defaultRunDir } from '../../core/runStore.ts';
import { requestOf, runPipeline } from '../../runner/pipeline.ts';
import { parseWorkers } from '../runFlags.ts';
import { alphaFlag } from './compare.ts';
import { installInterrupt } from './run.ts';

export const usage = `usage: planarena ci --suite S [--baseline FILE] [--junit FILE] [flags]

  --suite S         the suite the baseline was written for (checked against the baseline)
  --baseline FILE   committed baseline (default results/baselines/S.json; write one with
                    planarena baseline update --suite S)
  --junit FILE      write JUnit XML: one test case per scenario × planner
  --out DIR         run directory of the fresh run (default runs/ci-S-<UTC time>)
  --force           replace the results in an existing --out DIR
  --alpha X         significance level for stochastic planners (default 0.05)
  --workers N|auto  run the episodes on N worker threads (default 1)

Runs the baseline's run configuration (scenarios, planners, seeds, physics, lidar, clock,
planner settings) again, then per scenario ×
planner: deterministic planners (factory deterministic: true) must reproduce every trajectory
hash exactly; stochastic planners fail only on a significant regression (McNemar exact test on
success, paired sign-flip test on efficiency, Holm-corrected across the stochastic rows); with
fewer than 6 seeds (at --alpha 0.05) they pass as "not enough episodes to decide". Missing
episodes fail.

Exit status: 0 all pass, 1 any failure (regression, hash mismatch, missing episode, new crashes).`;

const FLAGS = {
  suite: { type: 'string' },
  baseline: { type: 'string' },
  junit: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  alpha: { type: 'string' },
  workers: { type: 'string' },
} as const;

/** Success (Wilson 95%) and efficiency (bootstrap 95%) of the fresh run's row, the headline first. */
function headline(row: SummaryRow | undefined): string {
  if (!row) return '';
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const eff = row.efficiency === null ? '' : `, efficiency ${row.efficiency.toFixed(2)}${row.efficiencyCi95 ? ` [${row.efficiencyCi95[0].toFixed(2)}, ${row.efficiencyCi95[1].toFixed(2)}]` : ''}`;
  return `success ${row.successes}/${row.episodes} ${pct(row.successRate)} [${pct(row.ci95[0])}, ${pct(row.ci95[1])}]${eff} — `;
}

function caseLine(c: CiCase, rows: readonly SummaryRow[]): string {
  const tag = c.status === 'pass' ? 'PASS' : 'FAIL';
  const row = rows.find((r) => r.scenario === c.scenario && r.planner === c.planner);
  return `${tag}  ${c.scenario} · ${c.planner}${c.deterministic ? ' (deterministic)' : ''}: ${headline(row)}${c.message}`;
}

export const command: Command = {
  name: 'ci',
  summary: 'regression check against a committed baseline',
  usage,
  async run(argv) {
    const { values } = parseFlags('ci', argv, FLAGS, false);
    if (!values.suite && !values.baseline) throw new UserError('E_BAD_FLAG', 'ci needs --suite S (baseline results/baselines/S.json) or --baseline FILE.');
    const baselinePath = values.baseline ?? join('results', 'baselines', `${values.suite}.json`);
    const baseline = readBaseline(baselinePath);
    if (values.suite && baseline.suite !== null && baseline.suite !== values.suite) {
      throw new UserError('E_BASELINE', `--baseline ${baselinePath} was written for suite "${baseline.suite}", not "${values.suite}". Pass the matching --suite or baseline.`);
    }
    const alpha = alphaFlag(values.alpha);
    const label = `ci-${values.suite ?? baseline.suite ?? 'run'}`;
    const interrupt = installInterrupt((s) => process.stderr.write(`${s}\n`));
    let result;
    try {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      result = await runPipeline(
        { kind: 'request', request: requestOf(baselineRunConfig(baseline)) },
        { out: values.out ?? defaultRunDir(label), force: values.force, workers: parseWorkers(values.workers) },
        { log },
        { command: ['planarena', 'ci', ...argv], shouldStop: interrupt.stopped },
      );
    } finally {
      interrupt.dispose();
    }
    const cases = checkAgainstBaseline(baseline, result.records, { alpha, scenarioHashes: result.config.scenarioHashes });
    const failed = cases.filter((c) => c.status === 'fail');
    const rows = summarize(result.records, baseline.suite, undefined, { anchors: shippedAnchors(), scenarioHashes: result.config.scenarioHashes }).rows;
    process.stdout.write(`\n${cases.map((c) => caseLine(c, rows)).join('\n')}\n\n`);
    process.stdout.write(`${cases.length - failed.length}/${cases.length} passed against ${baselinePath} (run directory ${result.runDir.display()})\n`);
    if (values.junit) {
      mkdirSync(dirname(values.junit), { recursive: true });
      const xml = toJUnit(
        `planarena ci ${baseline.suite ?? ''}`.trim(),
        cases.map((c) => ({
          classname: c.scenario,
          name: c.planner,
          time: c.seconds,
          output: c.message,
          failure: c.reason ? { type: c.reason, message: c.message, details: c.comparison.detail } : undefined,
        })),
      );
      writeFileSync(values.junit, xml);
      process.stderr.write(`wrote ${values.junit}\n`);
    }
    if (result.interrupted) return 130;
    return failed.length > 0 ? 1 : 0;
  },
};
