/** Runs a real `planarena run` session in this process (so in-process servers keep answering). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScale, runScaledSession } from '../../runner/scaledSession.ts';
import { runSession, type SessionResult } from '../../runner/session.ts';
import { resolveRunSettings } from '../../runner/settings.ts';

export type Flags = Record<string, string | boolean | string[]>;

export function tmpDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `planarena-${prefix}-`));
}

/** `planarena run` with these flags (as parsed: names without dashes, string values). */
export async function runFlags(flags: Flags, log: string[] = []): Promise<SessionResult> {
  const settings = resolveRunSettings({ 'no-live': true, ...flags } as Parameters<typeof resolveRunSettings>[0]);
  const scale = resolveScale(flags as Parameters<typeof resolveScale>[0]);
  const io = { log: (s: string) => log.push(s), progressStream: { write: () => true } };
  const session = { command: ['planarena', 'run', '(test)'] };
  return scale ? runScaledSession(settings, scale, io, session) : runSession(settings, io, session);
}
