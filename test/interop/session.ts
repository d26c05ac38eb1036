/** Runs a real `planarena run` in this process (so in-process servers keep answering). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunFlags, type RunFlagValues } from '../../cli/runFlags.ts';
import { runPipeline, type RunResult } from '../../runner/pipeline.ts';

export type Flags = Record<string, string | boolean | string[]>;

export function tmpDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `planarena-${prefix}-`));
}

/** `planarena run` with these flags (as parsed: names without dashes, string values). */
export async function runFlags(flags: Flags, log: string[] = []): Promise<RunResult> {
  const { source, exec } = parseRunFlags({ 'no-live': true, ...flags } as RunFlagValues);
  const io = { log: (s: string) => log.push(s), progressStream: { write: () => true } };
  return runPipeline(source, exec, io, { command: ['planarena', 'run', '(test)'] });
}
