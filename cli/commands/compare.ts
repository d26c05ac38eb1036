/**
 * `planarena compare DIR_A DIR_B`: what changed from run A (before) to run B (after), per
 * scenario × planner, paired on seeds, with significance.
 */
import { intFlag, openRun, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { compareRecords, formatComparison } from '../../evaluation/compare.ts';

export const usage = `usage: planarena compare DIR_A DIR_B [flags]

  DIR_A, DIR_B          run directories: A is "before", B is "after"
  --alpha X             significance level (default 0.05)
  --reps N              bootstrap resamples of the intervals (default 2000)
  --seed N              bootstrap and permutation seed (default 0)
  --fail-on-regression  exit 1 when any scenario × planner regressed significantly or lost episodes

Per scenario × planner, episodes are paired on the seed: success is tested with McNemar's exact
test, efficiency (B − A; the return for records without efficiency) with the paired sign-flip
permutation test, both Holm-corrected across all rows; trajectory hashes tell whether anything
moved. Verdicts: identical, changed (not significant), improved, regressed, undecided (fewer
paired seeds than any test needs: 6 at alpha 0.05), missing, new. The return difference is shown,
not decided on.`;

const FLAGS = {
  alpha: { type: 'string' },
  reps: { type: 'string' },
  seed: { type: 'string' },
  'fail-on-regression': { type: 'boolean' },
} as const;

export function alphaFlag(value: string | undefined): number {
  if (value === undefined) return 0.05;
  const a = Number(value);
  if (!(a > 0 && a < 1)) throw new UserError('E_BAD_FLAG', `--alpha must be a number between 0 and 1 (e.g. 0.05), got "${value}".`);
  return a;
}

export const command: Command = {
  name: 'compare',
  summary: 'what changed between two runs, with significance',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('compare', argv, FLAGS);
    if (positionals.length !== 2) throw new UserError('E_BAD_FLAG', `compare takes two run directories, got ${positionals.length}. Usage: planarena compare DIR_A DIR_B.`);
    const [a, b] = positionals.map((p, i) => openRun(p, i === 0 ? 'DIR_A' : 'DIR_B'));
    const rows = compareRecords(a.records, b.records, {
      alpha: alphaFlag(values.alpha),
      reps: intFlag('reps', values.reps, 2000, 100),
      seed: intFlag('seed', values.seed, 0, 0),
    });
    process.stdout.write(`${formatComparison(rows, { before: positionals[0], after: positionals[1] })}\n`);
    const bad = rows.some((r) => r.verdict === 'regressed' || r.verdict === 'missing');
    return values['fail-on-regression'] && bad ? 1 : 0;
  },
};
