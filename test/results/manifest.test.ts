/**
 * Issue 16: a manifest with the wrong types is one line naming the field, from `loadRun` and from
 * the commands that read run directories, never a stack trace further down.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { loadRun } from '../../core/runStore.ts';
import { record, writeRun } from './records.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-manifest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run whose manifest has `edit` applied to its JSON. */
function damaged(name: string, edit: (m: Record<string, any>) => void): string {
  const dir = join(tmp, name);
  writeRun(dir, [record('a', 'random', 0)]);
  const file = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m));
  return dir;
}

const CASES: [string, (m: Record<string, any>) => void, string][] = [
  ['scenarios-number', (m) => (m.config.scenarios = 5), '$.config.scenarios: expected an array, found a number 5'],
  ['seed-string', (m) => (m.config.seeds = [0, 'x']), '$.config.seeds[1]: expected a number, found a string "x"'],
  ['seed-fraction', (m) => (m.config.seeds = [0.5]), '$.config.seeds[0]: expected a whole number'],
  ['physics', (m) => (m.config.physics = 'warp'), '$.config.physics: expected one of "deterministic", "fast", found a string "warp"'],
  ['planners-empty', (m) => (m.config.planners = []), '$.config.planners:'],
  ['shard', (m) => (m.config.shard = { index: 3, count: 2 }), '$.config.shard: shard index must be below the shard count'],
  ['git-null', (m) => (m.git = null), '$.git: expected an object, found null'],
  ['planner-config', (m) => (m.config.plannerConfig = 'x'), '$.config.plannerConfig: expected an object, found a string "x"'],
];

describe('manifest shape', () => {
  it.each(CASES)('%s: loadRun names the field', (name, edit, says) => {
    const dir = damaged(name, edit);
    let err: unknown;
    try {
      loadRun(dir);
    } catch (e) {
      err = e;
    }
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as Error).message).toContain(`manifest.json: ${says}`);
    expect((err as Error).message).not.toContain('\n');
  });

  it('report and run --resume print that one line and exit 1', () => {
    const dir = damaged('cli', (m) => (m.config.scenarios = 5));
    for (const args of [['report', dir], ['run', '--resume', dir]]) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/planarena.mjs'), ...args], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^planarena (report|run): .*manifest\.json: \$\.config\.scenarios: expected an array, found a number 5; /)]);
    }
  });

  it('a sound manifest still loads', () => {
    const dir = damaged('sound', () => undefined);
    expect(loadRun(dir).manifest.config.scenarios).toEqual(['a', 'b']);
  });
});
