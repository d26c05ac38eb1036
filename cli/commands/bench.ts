/**
 * `planarena bench` (`npm run bench`): runs every `bench/*.bench.ts` module and prints one line
 * per figure with its ratio to a baseline measured in the same run.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import type { Bench, BenchLine } from '../../bench/types.ts';
import { machineInfo, PROJECT_ROOT } from '../../core/manifest.ts';

const BENCH_DIR = join(PROJECT_ROOT, 'bench');

export const usage = `usage: planarena bench [--only NAME] [--json FILE]

Runs every bench/*.bench.ts module (each exports \`benches\`) and prints one line per figure:
its value and, where the bench measures one, the ratio to a baseline taken in the same run.

  --only NAME    run only the benches whose name or file contains NAME (repeatable by commas)
  --json FILE    also write every line as JSON (with machine and date) to FILE

Speed figures depend on the machine; compare ratios, and see bench/RESULTS.md.`;

export function formatLine(line: BenchLine): string {
  const value = `${formatNumber(line.value)} ${line.unit}`;
  let out = `  ${line.figure.padEnd(56)} ${value.padStart(20)}`;
  if (line.baseline) out += `   vs ${line.baseline.name} ${formatNumber(line.baseline.value)}`;
  if (line.ratio !== undefined) {
    out += `   ratio ${line.ratio.toFixed(3)}`;
    if (line.target !== undefined) {
      const ok = line.targetBelow ? line.ratio <= line.target : line.ratio >= line.target;
      out += ` ${ok ? 'ok' : 'BELOW TARGET'} (target ${line.targetBelow ? '<=' : '>='} ${line.target})`;
    }
  }
  return out;
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 10) return x.toFixed(1);
  return x.toPrecision(3);
}

/** Bench modules in `bench/`, sorted by file name. */
export function benchFiles(dir = BENCH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
}

export const command: Command = {
  name: 'bench',
  summary: 'speed benchmarks (what `npm run bench` runs)',
  usage,
  async run(argv) {
    const { values } = parseFlags('bench', argv, { only: { type: 'string' }, json: { type: 'string' } }, false);
    const filters = (values.only ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const all: { file: string; bench: Bench }[] = [];
    for (const file of benchFiles()) {
      const mod = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as { benches?: Bench[] };
      if (!Array.isArray(mod.benches)) throw new Error(`bench/${file} does not export \`benches\``);
      for (const bench of mod.benches) all.push({ file, bench });
    }
    const selected = all.filter(({ file, bench }) => filters.length === 0 || filters.some((f) => bench.name.includes(f) || file.includes(f)));
    if (selected.length === 0) {
      throw new UserError('E_BAD_FLAG', `--only "${values.only}" matches no bench. Benches: ${all.map((b) => b.bench.name).join(', ') || '(none)'}.`);
    }

    const machine = machineInfo();
    console.log(`planarena bench — ${machine.cpus}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}, ${new Date().toISOString()}`);
    const results: { bench: string; lines: BenchLine[] }[] = [];
    for (const { file, bench } of selected) {
      console.log(`\n${bench.name} (bench/${file})`);
      const lines = await bench.run();
      for (const line of lines) console.log(formatLine(line));
      results.push({ bench: bench.name, lines });
    }
    if (values.json) {
      writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
      console.log(`\nwrote ${values.json}`);
    }
    return 0;
  },
};
