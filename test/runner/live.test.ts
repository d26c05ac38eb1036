/**
 * `planarena run --live`: the run streams its episodes to the live viewer over a real
 * WebSocket, and what streams is what gets recorded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EpisodeRecord } from '../../core/records.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-live-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('streams episodes to a WebSocket client while the run goes on', async () => {
  // Paced at 10x real time: two 20 s episodes take about 4 s, time enough to connect mid-run.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'run', '--live', '--port', '0', '--scenarios', 'open-field', '--planners', 'random', '--seeds', '2', '--pace', '10', '--out', 'live'], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /live viewer: (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`exited before printing the viewer URL:\n${stderr}`)));
  });

  const messages: { type: string; [k: string]: unknown }[] = [];
  const ws = new WebSocket(new URL('ws', url).href.replace(/^http/, 'ws'));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(data.toString()));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const code = await exited;
  ws.close();
  expect(code, stderr).toBe(0);
  expect(stdout).toContain('(2 episodes)');

  const types = new Set(messages.map((m) => m.type));
  expect(types.has('hello')).toBe(true);
  expect(types.has('step')).toBe(true);
  const ends = messages.filter((m) => m.type === 'episode_end').map((m) => m.record as EpisodeRecord);
  expect(ends.length).toBeGreaterThan(0);
  // The last streamed record is the last written one.
  const lines = readFileSync(join(tmp, 'live', 'episodes.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]) as EpisodeRecord;
  const streamed = ends[ends.length - 1];
  expect(streamed).toMatchObject({ scenario: 'open-field', planner: 'random', seed: last.seed, trajectoryHash: last.trajectoryHash, steps: last.steps });
});
