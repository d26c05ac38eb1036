/**
 * Ctrl-C during `planarena run`: the running episode finishes, the summary of what finished is
 * written, and the exit code says the run was stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { RunSummary } from '../../core/records.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-int-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('stops after the running episode on SIGINT and keeps what finished', async () => {
  // Paced so that the run lasts long enough to be interrupted after its first episode.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'run', '--scenarios', 'open-field', '--planners', 'random', '--seeds', '6', '--pace', '20', '--out', 'int'], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('[1/6]')) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before its first episode ended:\n${stderr}`)));
  });
  child.kill('SIGINT');
  const code = await exited;

  expect(code, stderr).toBe(130);
  expect(stderr).toContain('stopping after the running episode');
  const lines = readFileSync(join(tmp, 'int', 'episodes.jsonl'), 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(1);
  expect(lines.length).toBeLessThan(6);
  const summary = JSON.parse(readFileSync(join(tmp, 'int', 'summary.json'), 'utf8')) as RunSummary;
  expect(summary.rows[0].episodes).toBe(lines.length);
  expect(stdout).toContain(`stopped early: ${lines.length} of 6 episodes ran.`);
});
