/**
 * Flag parsing for every command: a thin layer over `node:util.parseArgs` that turns its
 * exceptions into one-line `UserError`s listing the valid flags.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors.ts';
import { didYouMean } from '../core/settings.ts';
import { loadRun, type LoadedRun } from '../core/runStore.ts';
import { MAX_SEED } from '../runner/plan.ts';
import { loadScenario, loadSuite, loadSuiteScenarios } from '../scenarios/load.ts';
import type { RobotType, Scenario } from '../scenarios/schema.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UserError('E_BAD_FLAG', flagError(command, e, options));
  }
}

/**
 * `node:util.parseArgs`'s error in our words: one line naming the flag, what is wrong with it and
 * the fix, with a "did you mean" for a misspelt flag (never its advice about `--` and dashes).
 */
export function flagError(command: string, e: unknown, options: FlagSpec): string {
  const msg = e instanceof Error ? e.message : String(e);
  const see = `See \`planarena ${command} --help\`.`;
  const names = Object.keys(options);
  const unknown = /^Unknown option '([^']+)'/.exec(msg);
  if (unknown) {
    const flag = unknown[1];
    const guess = didYouMean(flag.replace(/^-+/, '').split('=')[0], names);
    return guess ? `unknown flag ${flag}; did you mean --${guess}? ${see}` : `unknown flag ${flag}. Valid flags: ${names.map((k) => `--${k}`).join(', ')}. ${see}`;
  }
  const flag = /^Option '(-[^' ]+)/.exec(msg)?.[1];
  if (flag && /argument missing|argument is ambiguous/.test(msg)) {
    return `${flag} needs a value (${flag} VALUE, or ${flag}=VALUE for a value starting with "-"). ${see}`;
  }
  if (flag && /does not take an argument/.test(msg)) return `${flag} is a switch and takes no value; drop the "=…". ${see}`;
  const positional = /^Unexpected argument '([^']*)'/.exec(msg);
  if (positional) return `unexpected argument "${positional[1]}": planarena ${command} takes flags only. ${see}`;
  return `${msg.split('\n')[0]}. ${see}`;
}

/** Parses a positive integer flag value, naming the flag in the error. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError('E_BAD_FLAG', `--${name} must be an integer >= ${min}, got "${value}".`);
  return n;
}

/** Checks that `value` is one of `choices`, naming the flag and the valid choices in the error. */
export function choiceFlag<C extends string>(name: string, value: string | undefined, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UserError('E_BAD_FLAG', `--${name} must be one of ${choices.join(', ')}; got "${value}".`);
  }
  return value as C;
}

/**
 * `--seeds` syntax: a bare count `N` means seeds 0..N-1; a comma list of seeds and inclusive
 * ranges (`3,7,9`, `0-4,10`, `7-7` for seed 7 alone) names them explicitly.
 */
export function parseSeeds(value: string): number[] {
  const text = value.trim();
  const bad = (why: string) =>
    new UserError('E_BAD_FLAG', `--seeds "${value}": ${why}. Use a count (--seeds 5 = seeds 0..4) or a list (--seeds 3,7,9 or 0-4,10).`);
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 100_000) throw bad('the count must be between 1 and 100000');
    return range(0, n - 1);
  }
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw bad(`"${part}" is not a seed or a range a-b`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw bad(`range ${part} runs backwards`);
    if (hi > MAX_SEED) throw bad(`seeds must be at most ${MAX_SEED}`);
    if (hi - lo > 100_000) throw bad(`range ${part} is too long`);
    seeds.push(...range(lo, hi));
  }
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw bad(`seed ${dup} appears twice`);
  return seeds;
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** Splits a comma list flag ("a, b,,c" → [a, b, c]), dropping duplicates but keeping order. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}


/**
 * Opens a run directory for a command that reads it, saying on stderr which lines of
 * episodes.jsonl were skipped (one line each, with the line number) instead of failing.
 */
export function openRun(path: string, flag?: string): LoadedRun {
  const run = loadRun(path, flag);
  for (const c of run.corrupt) process.stderr.write(`warning: ${run.dir.display(run.dir.episodesPath)}:${c.line}: ${c.message}; skipped (planarena run --resume ${run.dir.display()} runs that episode again)\n`);
  return run;
}

/**
 * What a training command trains on: the scenarios of `--suite` or `--scenarios`, grouped by
 * robot type, and the robot types to train (all, or `--robots`, each of which must occur).
 */
export function trainingSelection(values: { suite?: string; scenarios?: string; robots?: string }): { suiteId: string; byRobot: Map<RobotType, Scenario[]>; robots: RobotType[] } {
  const suiteId = values.suite ?? 'custom';
  const scenarios: Scenario[] = values.suite ? loadSuiteScenarios(loadSuite(values.suite)) : (values.scenarios ?? '').split(',').map((s) => loadScenario(s.trim()));
  const byRobot = new Map<RobotType, Scenario[]>();
  for (const s of scenarios) byRobot.set(s.robot.type, [...(byRobot.get(s.robot.type) ?? []), s]);
  let robots = [...byRobot.keys()];
  if (values.robots) {
    const wanted = values.robots.split(',').map((r) => r.trim());
    for (const r of wanted) if (!byRobot.has(r as RobotType)) throw new UserError('E_BAD_FLAG', `--robots: no scenario of the selection uses robot "${r}"; robots here: ${robots.join(', ')}.`);
    robots = robots.filter((r) => wanted.includes(r));
  }
  return { suiteId, byRobot, robots };
}

/**
 * What a training command needs around its loop: a stop flag that the first Ctrl-C (or SIGTERM)
 * sets, so training saves and stops at the next step, while a second aborts at once; and a
 * progress writer that redraws one line on a TTY and, elsewhere, prints only final lines and the
 * lines `milestone` picks. `release()` removes the signal handlers.
 */
export function trainingControls(label: string, milestone: RegExp): { signal: { stop: boolean }; progress: (line: string, final?: boolean) => void; release: () => void } {
  const signal = { stop: false };
  const onSignal = () => {
    if (signal.stop) process.exit(130);
    signal.stop = true;
    console.error(`\n${label}: stopping after the current step (Ctrl-C again to abort without saving)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  const progress = (line: string, final = false) => {
    if (tty) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else if (final || milestone.test(line)) process.stderr.write(line + '\n');
  };
  const release = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return { signal, progress, release };
}
