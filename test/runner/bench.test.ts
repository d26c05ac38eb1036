import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { benchFiles, formatLine } from '../../cli/commands/bench.ts';

const ROOT = join(import.meta.dirname, '..', '..');

it('finds the bench modules', () => {
  expect(benchFiles()).toEqual(expect.arrayContaining(['runner.bench.ts', 'sim.bench.ts']));
});

it('prints a figure with its baseline, ratio and target', () => {
  const line = formatLine({ figure: 'env steps/s', value: 9000, unit: 'steps/s', baseline: { name: 'raw', value: 10000 }, ratio: 0.9, target: 0.95 });
  expect(line).toMatch(/env steps\/s\s+9,000 steps\/s\s+vs raw 10,000\s+ratio 0\.900 BELOW TARGET \(target >= 0\.95\)/);
  expect(formatLine({ figure: 'fork', value: 0.25, unit: 'ms', ratio: 0.5, target: 1, targetBelow: true })).toMatch(/ratio 0\.500 ok \(target <= 1\)/);
});

it('names the benches when --only matches none', async () => {
  const err = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'bench', '--only', 'no-such-bench'], { cwd: ROOT, timeout: 110_000 }).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
  expect(err?.code).toBe(1);
  const lines = err!.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^planarena bench: --only "no-such-bench" matches no bench\. Benches: .*runner-overhead.*sim-deterministic, sim-fast/);
});
