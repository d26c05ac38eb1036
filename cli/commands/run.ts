/**
 * `planarena run`: planners × scenarios × seeds → a run directory with manifest, episode records
 * and summary, and the results table on stdout.
 */
import type { Command } from '../main.ts';
import { UserError } from '../../core/errors.ts';
import { parseFlags } from '../args.ts';
import { parseRunFlags, RUN_FLAGS, settingsUsage } from '../runFlags.ts';
import { formatTable } from '../../evaluation/table.ts';
import { DEFAULT_PORT, runPipeline, type RunResult } from '../../runner/pipeline.ts';

export const usage = `usage: planarena run (--suite S | --scenarios a,b) --planners a,b [flags]

  --suite S              a suite id (scenarios/suites/S.json) or a path to a suite file
  --scenarios a,b        scenario ids or paths to scenario files (instead of --suite)
  --planners a,b         planners to run (planarena list planners); unavailable ones are skipped with the reason
  --seeds N|LIST         N = seeds 0..N-1; LIST = 3,7,9 or 0-4,10 (7-7 is seed 7 alone) (default: the suite's defaultSeeds, else 5)
  --out DIR              run directory (default runs/<suite>-<UTC time>); must be new or empty
  --force                replace the results in an existing --out DIR
  --physics F            deterministic (default, bit-identical across machines) | fast (SIMD, same machine only)
  --lidar M              analytic (default: closed-form rays against Rapier's shapes) | rapier (Rapier ray casts, same ranges, 1.8-2.5x slower env)
  --observation T        state (default: every object's pose and velocity, for every planner) | sensor (objects within the lidar's 5 m, for every planner)
  --clock C              turn (default: the world waits for the planner) | realtime (thinking costs simulated time)
  --record, --no-record  write a recording of every episode under DIR/recordings/ (default off; the demo's on)
  --mcap FILE            with --record: also export the run as MCAP for Foxglove (see planarena export)
  --live                 stream episodes to the live viewer (prints its URL); one worker only
  --port N               live viewer port (default ${DEFAULT_PORT}; 0 = any free port)
  --host H               live viewer address (default 127.0.0.1); off loopback a token is required and printed in the URL
  --token T              the live viewer's access token (default: a random one when --host is not loopback)
  --pace X               simulated seconds per wall second (default 1 with --live, else unpaced; 0 = unpaced)
  --race, --no-race      race: the planners of each scenario and seed run at the same time, in lockstep
                         of simulated time, one environment each (default with --live; same results
                         as one after another, bit for bit); one worker only

scale, resume and shards:
  --workers N|auto       episodes on N worker threads, each with its own Rapier (auto: one per core)
  --resume DIR           finish a stopped run: run only the episodes DIR/episodes.jsonl lacks
  --from DIR/manifest.json  run again exactly what that manifest describes (new --out DIR)
  --shard K/N            run only shard K of N (K = 0..N-1); join shards with planarena merge
  --allow-drift          with --from/--resume: go on although scenarios, checkpoints, prompts, settings
                         or (resume) the code changed since the recorded run; the differences are logged

exit status:
  --allow-planner-errors exit 0 even when episodes ended in a planner error or crashed

${settingsUsage()}

Exits 0 when the run completes, whatever the episodes' outcomes (success, failure, timeout); 3 when
any episode ended in a planner error or crashed (the results are written; --allow-planner-errors
makes that 0); 1 on bad input; 130 when stopped by Ctrl-C.`;

/** Prints the table and where the files went. */
export function printResults(result: RunResult, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const { runDir, records, summary } = result;
  write(`\n${formatTable(summary)}\n\n`);
  const dir = runDir.display();
  write(`run directory: ${dir}\n`);
  write(`  ${runDir.display(runDir.manifestPath)}\n`);
  write(`  ${runDir.display(runDir.episodesPath)} (${records.length} episodes)\n`);
  write(`  ${runDir.display(runDir.summaryPath)}\n`);
  const recorded = records.filter((r) => r.recording).length;
  if (recorded > 0) {
    write(`  ${dir}/recordings/ (${recorded} recordings)\n`);
    write(`replay it: planarena serve --runs ${shellWord(dir)}\n`);
  }
  if (result.interrupted) write(`stopped early: ${records.length} of ${result.plan.episodes.length} episodes ran.\n`);
}

/** A path as a shell word: quoted only when it needs to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * First Ctrl-C: finish the running episode, write the summary, stop. Second: abort at once
 * (every finished episode is already on disk).
 */
export function installInterrupt(log: (s: string) => void): { stopped(): boolean; dispose(): void } {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    log('\nstopping after the running episode (in a race: the running race; Ctrl-C again to abort now)');
  };
  process.on('SIGINT', onSigint);
  return { stopped: () => stop, dispose: () => process.off('SIGINT', onSigint) };
}

/** Keeps the live viewer up for replay until Ctrl-C (terminals only). */
export async function serveUntilInterrupted(url: string, close: () => Promise<void>): Promise<void> {
  process.stderr.write(`viewer still serving at ${url}: its Live page replays every episode of this run (pick one in its menu); Ctrl-C to exit\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await close();
}

/** Exit status of a completed run whose episodes crashed or hit planner errors. */
export const EXIT_PLANNER_ERRORS = 3;

/** Prints the results; on a terminal the live viewer keeps serving for replay until Ctrl-C.
 * Returns the exit code: 130 when the run was stopped early; 3 when episodes ended in a planner
 * error or crashed (unless `allowErrors`); else 0. */
export async function finishSession(result: RunResult, allowErrors = false): Promise<number> {
  printResults(result);
  const broken = result.records.filter((r) => r.failure === 'planner_error' || r.failure === 'error');
  if (broken.length > 0) {
    const first = broken[0];
    process.stderr.write(
      `${broken.length} of ${result.records.length} episodes ended in a planner error or crashed (first: ${first.scenario}/${first.planner}/seed ${first.seed}: ${first.error ?? first.failure}); ` +
        `their results are written${allowErrors ? '' : `, exit status ${EXIT_PLANNER_ERRORS} (--allow-planner-errors makes it 0)`}.\n`,
    );
  }
  if (result.live) {
    if (process.stdout.isTTY && !result.interrupted) await serveUntilInterrupted(result.live.url, result.live.close);
    else await result.live.close();
  }
  if (result.interrupted) return 130;
  return broken.length > 0 && !allowErrors ? EXIT_PLANNER_ERRORS : 0;
}

export const command: Command = {
  name: 'run',
  summary: 'run planners on a suite or scenarios and score them',
  usage,
  async run(argv) {
    const { values } = parseFlags('run', argv, RUN_FLAGS, false);
    const { source, exec } = parseRunFlags(values);
    const mcap = typeof values.mcap === 'string' ? values.mcap : undefined;
    if (mcap !== undefined && !values.record && source.kind === 'request') throw new UserError('E_BAD_FLAG', `--mcap ${mcap} exports the recordings: add --record.`);
    const log = (s: string) => process.stderr.write(`${s}\n`);
    const interrupt = installInterrupt(log);
    let result: RunResult;
    try {
      result = await runPipeline(source, exec, { log }, { command: ['planarena', 'run', ...argv], shouldStop: interrupt.stopped });
    } finally {
      interrupt.dispose();
    }
    if (mcap !== undefined && !result.interrupted) {
      const { exportRunToMcap } = await import('../../interop/mcap/McapExport.ts');
      const exported = await exportRunToMcap({ runDir: result.runDir.path, out: mcap });
      log(`wrote ${mcap}: ${exported.messages} messages from ${exported.episodes} episodes (open it in Foxglove)`);
    }
    return finishSession(result, Boolean(values['allow-planner-errors']));
  },
};
