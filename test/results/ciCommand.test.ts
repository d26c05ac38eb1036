import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { Baseline } from '../../evaluation/baseline.ts';
import { checkXml } from './xml.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const baselineFile = join(tmp, 'smoke.json');
let baseline: Baseline;
beforeAll(async () => {
  expect(await main(['baseline', 'update', '--suite', 'smoke', '--seeds', '2', '--out', baselineFile, '--run-dir', join(tmp, 'base-run')])).toBe(0);
  baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline;
});

function variant(name: string, edit: (b: Baseline) => void): string {
  const b = structuredClone(baseline);
  edit(b);
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

async function ci(name: string, file: string): Promise<{ code: number; junit: string }> {
  const junit = join(tmp, `${name}.xml`);
  const code = await main(['ci', '--suite', 'smoke', '--baseline', file, '--junit', junit, '--out', join(tmp, `run-${name}`)]);
  return { code, junit: readFileSync(junit, 'utf8') };
}

describe('planarena ci', () => {
  it('exits 0 when every deterministic planner reproduces its hashes', async () => {
    const { code, junit } = await ci('pass', baselineFile);
    expect(code).toBe(0);
    checkXml(junit);
    expect(junit.match(/<testcase /g)).toHaveLength(baseline.config.scenarios.length * baseline.config.planners.length);
    expect(junit).toContain('failures="0"');
  });

  it('exits 1 with a hash_mismatch case when a deterministic trajectory moved', async () => {
    const file = variant('moved', (b) => {
      const e = b.episodes.find((x) => x.planner === 'scripted' && x.scenario === 'push-box')!;
      e.trajectoryHash = '0'.repeat(64);
    });
    const { code, junit } = await ci('moved', file);
    expect(code).toBe(1);
    checkXml(junit);
    expect(junit).toContain('failures="1"');
    expect(junit).toMatch(/<testcase classname="push-box" name="scripted"[^>]*>\s*<failure type="hash_mismatch"/);
  });

  it('exits 1 with a regression case when a stochastic planner got significantly worse, and passes with too few seeds to decide', async () => {
    // Pretend random is stochastic and used to succeed on seven seeds of open-field: failing all
    // seven now is a significant loss (McNemar p = 2/128, Holm over its two tests 0.031).
    const seven = [0, 1, 2, 3, 4, 5, 6];
    const file = variant('regressed', (b) => {
      b.config = { ...b.config, scenarios: ['open-field'], planners: ['random'], seeds: seven };
      b.deterministic = { random: false };
      b.episodes = seven.map((seed) => ({ scenario: 'open-field', planner: 'random', seed, success: true, failure: null, steps: 80, return: 15, efficiency: 0.8, trajectoryHash: `old-${seed}` }));
    });
    const { code, junit } = await ci('regressed', file);
    expect(code).toBe(1);
    checkXml(junit);
    expect(junit).toMatch(/<testcase classname="open-field" name="random"[^>]*>\s*<failure type="regression"/);
    expect(junit).toContain('failures="1"');

    // The same loss on three seeds cannot be significant: it passes, saying so.
    const few = variant('few', (b) => {
      b.config = { ...b.config, scenarios: ['open-field'], planners: ['random'], seeds: [0, 1, 2] };
      b.deterministic = { random: false };
      b.episodes = [0, 1, 2].map((seed) => ({ scenario: 'open-field', planner: 'random', seed, success: true, failure: null, steps: 80, return: 15, efficiency: 0.8, trajectoryHash: `old-${seed}` }));
    });
    const undecided = await ci('few', few);
    expect(undecided.code).toBe(0);
    expect(undecided.junit).toContain('not enough episodes to decide');
  });

  it('names the missing baseline file and how to write one', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await main(['ci', '--suite', 'smoke', '--baseline', join(tmp, 'nope.json')])).toBe(1);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toMatch(/nope\.json: file not found\. Write one with `planarena baseline update --suite S/);
  });

  it("passes the project's committed smoke baseline, as the project's CI runs it", async () => {
    const junit = join(tmp, 'project.xml');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
      execFile(process.execPath, ['bin/planarena.mjs', 'ci', '--suite', 'smoke', '--baseline', 'results/baselines/smoke.json', '--junit', junit, '--out', join(tmp, 'project-run')], (err, out) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out }),
      ),
    );
    // On failure the message carries the FAIL lines; after an intended change: planarena baseline update --suite smoke.
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/(\d+)\/\1 passed against results\/baselines\/smoke\.json/);
    // Success (Wilson interval) and efficiency (bootstrap interval) come first on every line.
    expect(stdout).toMatch(/PASS  open-field · scripted \(deterministic\): success 3\/3 100% \[\d+%, 100%\], efficiency 0\.\d\d \[0\.\d\d, 0\.\d\d\] — all 3 trajectory hashes reproduced/);
    checkXml(readFileSync(junit, 'utf8'));
  });
});
