/**
 * `planarena demo` (what `npm start` runs), in a subprocess whose stdout is not a terminal: it
 * runs every available planner as a race, says up front how long it can take and why planners
 * are skipped, starts the live viewer, records every episode, prints the table and the command
 * that replays the run, and exits instead of serving forever.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import type { RunManifest } from '../../core/records.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-demo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('races the available planners with the live viewer, records them, and exits when not on a terminal', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin', 'planarena.mjs'), 'demo', '--port', '0', '--pace', '100', '--scenarios', 'arm-reach', '--seeds', '7-7', '--out', 'demo'],
    { cwd: tmp, timeout: 110_000, env: { ...process.env, PLANARENA_LLM_URL: '', OPENAI_BASE_URL: '' } },
  );
  // Planners that cannot run here are skipped with a reason that says how to enable them: for
  // the LLM (no model cached in tests), the pull command, then a server, in two short lines.
  expect(stderr).toMatch(/skipping planner llm: no LLM: `planarena llm (setup && planarena llm )?pull` .*\n {2}or serve one: --llm-url URL --llm-model NAME\n/);
  expect(stderr).toMatch(/live viewer: http:\/\/127\.0\.0\.1:\d+\//);
  // Up front: one race of every planner that runs, and the longest it can take at this pace.
  expect(stderr).toMatch(/^1 race of up to \d planners side by side at 100× real time: at most \d+\.\ds /m);

  const manifest = JSON.parse(readFileSync(join(tmp, 'demo', 'manifest.json'), 'utf8')) as RunManifest;
  // The world model runs from its shipped checkpoint for the arm; without one it is skipped with
  // a reason naming the checkpoint. Either way the demo says which.
  const skipped = manifest.config.skippedPlanners ?? {};
  if ('world-model' in skipped) {
    expect(stderr).toMatch(/skipping planner world-model: .*checkpoint/);
    expect(manifest.config.planners).toEqual(['random', 'scripted', 'oracle']);
  } else {
    expect(manifest.config.planners).toEqual(['random', 'scripted', 'oracle', 'world-model']);
  }
  expect(manifest.config.seeds).toEqual([7]);
  // Recorded by default, and the replay command is printed.
  expect(manifest.config.record).toBe(true);
  const lines = readFileSync(join(tmp, 'demo', 'episodes.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(manifest.config.planners.length);
  for (const l of lines) expect(JSON.parse(l).recording).toMatch(/^recordings\/arm-reach\//);
  expect(stdout).toContain('replay it: planarena serve --runs demo\n');
  expect(Object.keys(skipped)).toContain('llm');
  for (const planner of manifest.config.planners) expect(stdout).toMatch(new RegExp(`^arm-reach\\s+${planner}\\s+1\\s`, 'm'));
  // random and oracle both ran: the scripted row has a normalised score.
  expect(stdout).toMatch(/^arm-reach\s+random\s+1\s+\S+ \[\S+\]\s+0\.00\s/m);
});
