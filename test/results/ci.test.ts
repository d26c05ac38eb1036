import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineFromRun, checkAgainstBaseline, readBaseline, writeBaseline } from '../../evaluation/baseline.ts';
import { compareRecords, formatComparison } from '../../evaluation/compare.ts';
import { toJUnit } from '../../evaluation/junit.ts';
import { buildManifest } from '../../core/manifest.ts';
import { mergeRuns } from '../../evaluation/merge.ts';
import { loadRun } from '../../core/runStore.ts';
import { config, record, writeRun } from './records.ts';
import { checkXml } from './xml.ts';

const tmp = mkdtempSync(join(tmpdir(), 'planarena-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const before = seeds.map((s) => record('a', 'llm', s, { success: true, failure: null, return: 5 }));

describe('compare', () => {
  it('says identical when every trajectory hash matches', () => {
    const [row] = compareRecords(before, before.map((r) => ({ ...r })));
    expect(row.verdict).toBe('identical');
    expect(row.hashChanges).toBe(0);
  });

  it('flags a significant loss of success as a regression, and a gain as an improvement', () => {
    const worse = before.map((r) => ({ ...r, success: r.seed < 2, trajectoryHash: `x${r.seed}`, return: r.seed < 2 ? 5 : 0 }));
    const [down] = compareRecords(before, worse);
    expect(down.verdict).toBe('regressed');
    expect(down.success).toMatchObject({ aOnly: 8, bOnly: 0 });
    expect(down.success.pValue).toBeCloseTo(2 / 256, 12);
    const [up] = compareRecords(worse, before);
    expect(up.verdict).toBe('improved');
  });

  it('says "not enough episodes to decide" for three small losses instead of "regressed"', () => {
    // Three seeds, each slightly worse: the bootstrap's p of 0.0005 used to call this a regression.
    const three = before.slice(0, 3).map((r) => ({ ...r, efficiency: 0.8 }));
    const slower = three.map((r, i) => ({ ...r, trajectoryHash: `s${r.seed}`, return: r.return - 0.01 * (i + 1), efficiency: 0.8 - 0.01 * (i + 1) }));
    const [row] = compareRecords(three, slower);
    expect(row.verdict).toBe('undecided');
    expect(row.detail).toMatch(/^not enough episodes to decide: 3 paired seeds, at least 6 needed at alpha 0.05/);
    expect(row.metric).toBe('efficiency');
    // The sign-flip test itself knows three pairs can never be significant: p = 2 / 2^3.
    expect(row.metricDiff.pValue).toBe(0.25);
  });

  it('decides with Holm across rows: a loss that is significant alone is not among ten tested rows', () => {
    const row = (scenario: string, lose: boolean) => {
      const xs = seeds.map((s) => record(scenario, 'llm', s, { success: true, failure: null, return: 5, efficiency: 0.8 }));
      // Eight of ten seeds fail (McNemar p = 2/256); otherwise only the trajectories move.
      const ys = xs.map((r) => ({ ...r, trajectoryHash: `h${r.seed}`, ...(lose && r.seed >= 2 ? { success: false, failure: 'timeout' as const, efficiency: 0 } : {}) }));
      return [xs, ys] as const;
    };
    const [x1, y1] = row('a', true);
    expect(compareRecords(x1, y1)[0]).toMatchObject({ verdict: 'regressed', adjusted: { success: 4 / 256 } });
    const others = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((s) => row(s, false));
    const all = compareRecords([...x1, ...others.flatMap(([x]) => x)], [...y1, ...others.flatMap(([, y]) => y)]);
    const a = all.find((r) => r.scenario === 'a')!;
    expect(a.success.pValue).toBeCloseTo(2 / 256, 12);
    expect(a.adjusted.success).toBeCloseTo(20 * (2 / 256), 12);
    expect(a.verdict).toBe('changed');
    expect(all.every((r) => r.verdict === 'changed')).toBe(true);
  });

  it('calls a small, noisy change "changed" and lost seeds "missing"', () => {
    const noisy = before.map((r) => ({ ...r, trajectoryHash: `y${r.seed}`, return: 5 + (r.seed % 2 === 0 ? 0.1 : -0.1), success: r.seed !== 3 }));
    expect(compareRecords(before, noisy)[0].verdict).toBe('changed');
    const [lost] = compareRecords(before, before.slice(0, 8));
    expect(lost.verdict).toBe('missing');
    expect(lost.missingSeeds).toEqual([8, 9]);
  });

  it('never mixes paired and unpaired figures in one row', () => {
    // Seeds 8 and 9 lost, and they were the only failures before: over the paired seeds success
    // is 100% → 100%, not 80% (all ten) → 100% (eight).
    const mixed = before.map((r) => ({ ...r, success: r.seed < 8 }));
    const [row] = compareRecords(mixed, mixed.slice(0, 8).map((r) => ({ ...r, trajectoryHash: `z${r.seed}` })));
    expect([row.paired, row.successBefore, row.successAfter]).toEqual([8, 1, 1]);
    const table = formatComparison([row], { before: 'A', after: 'B' });
    expect(table).toMatch(/\| a \| llm \| missing \| 8 \| 100% → 100% \| – \| \+0\.000 \| seeds 8, 9 have no episode in the second set; the figures are over the 8 paired seeds \|/);
    // No seed in common: each set's own rate, said to be unpaired, and no difference.
    const [apart] = compareRecords(mixed.slice(0, 5), mixed.slice(5).map((r) => ({ ...r, seed: r.seed + 100 })));
    expect(apart.paired).toBe(0);
    expect(formatComparison([apart], { before: 'A', after: 'B' })).toMatch(/\| 0 \| 100% → 60% \(unpaired: 5 → 5 episodes\) \| – \| – \|/);
  });
});

describe('CI baseline check', () => {
  const manifest = buildManifest(config({ scenarios: ['a'], planners: ['scripted', 'llm'], seeds }), ['test']);
  const fresh = [...seeds.map((s) => record('a', 'scripted', s, { success: true, failure: null, return: 3 })), ...before];
  const baseline = baselineFromRun(manifest, fresh, { scripted: true, llm: false });

  it('round-trips through its file and passes on identical results', () => {
    const file = join(tmp, 'baselines', 'fixture.json');
    writeBaseline(file, baseline);
    const read = readBaseline(file);
    expect(read).toEqual(baseline);
    expect(readFileSync(file, 'utf8')).not.toContain('wallSeconds');
    const cases = checkAgainstBaseline(read, fresh);
    expect(cases.map((c) => [c.planner, c.status])).toEqual([
      ['scripted', 'pass'],
      ['llm', 'pass'],
    ]);
  });

  it('fails a deterministic planner on one changed hash, a stochastic one only on a significant regression', () => {
    const moved = fresh.map((r) => (r.seed === 4 ? { ...r, trajectoryHash: 'moved' } : r));
    const cases = checkAgainstBaseline(baseline, moved);
    expect(cases.find((c) => c.planner === 'scripted')).toMatchObject({ status: 'fail', reason: 'hash_mismatch' });
    expect(cases.find((c) => c.planner === 'llm')).toMatchObject({ status: 'pass', reason: null });
    // When the scenario file itself changed, the message says so.
    const edited = checkAgainstBaseline({ ...baseline, scenarioHashes: { a: 'h1' } }, moved, { scenarioHashes: { a: 'h2' } });
    expect(edited.find((c) => c.planner === 'scripted')!.message).toContain('the scenario definition changed since the baseline');

    const regressed = fresh.map((r) => (r.planner === 'llm' ? { ...r, success: false, return: 0, trajectoryHash: 'z' } : r));
    expect(checkAgainstBaseline(baseline, regressed).find((c) => c.planner === 'llm')).toMatchObject({ status: 'fail', reason: 'regression' });
    expect(checkAgainstBaseline(baseline, fresh.filter((r) => r.seed !== 0)).every((c) => c.reason === 'missing')).toBe(true);
    // With too few seeds a stochastic planner passes, saying why nothing can be concluded.
    const few = baselineFromRun(manifest, fresh.filter((r) => r.seed < 3), { scripted: true, llm: false });
    const fewWorse = fresh.filter((r) => r.seed < 3).map((r) => (r.planner === 'llm' ? { ...r, success: false, failure: 'timeout' as const, return: 0, trajectoryHash: 'w' } : r));
    expect(checkAgainstBaseline(few, fewWorse).find((c) => c.planner === 'llm')).toMatchObject({ status: 'pass', reason: null, message: expect.stringContaining('not enough episodes to decide') });
    // A stochastic planner that now crashes fails even when too few seeds make it significant.
    const crashing = fresh.map((r) => (r.planner === 'llm' && r.seed === 3 ? { ...r, success: false, failure: 'planner_error' as const, error: 'act: boom', trajectoryHash: 'c' } : r));
    expect(checkAgainstBaseline(baseline, crashing).find((c) => c.planner === 'llm')).toMatchObject({ status: 'fail', reason: 'error', message: expect.stringContaining('seed 3: act: boom') });
  });

  it('rejects a malformed baseline with the field and the fix', () => {
    const file = join(tmp, 'bad.json');
    writeBaseline(file, { ...baseline, config: { ...baseline.config, seeds: [] } });
    expect(() => readBaseline(file)).toThrow(/config\.seeds: .*baseline update/);
  });
});

describe('JUnit XML', () => {
  it('is well-formed, escapes text and counts failures', () => {
    const xml = toJUnit('planarena ci smoke', [
      { classname: 'open-field', name: 'scripted', time: 1.25, output: 'all 3 hashes reproduced' },
      { classname: 'push-box', name: 'llm <"chat">', time: 0.5, failure: { type: 'regression', message: 'success 100% → 0% & p<0.01', details: "it's \u0001worse" } },
    ], '2026-11-24T18:00:00.000Z');
    checkXml(xml);
    expect(xml).toContain('<testsuite name="planarena ci smoke" tests="2" failures="1" errors="0" skipped="0" time="1.750" timestamp="2026-11-24T18:00:00">');
    expect(xml).toContain('name="llm &lt;&quot;chat&quot;&gt;"');
    expect(xml).toContain('<failure type="regression" message="success 100% → 0% &amp; p&lt;0.01">it&apos;s worse</failure>');
    expect(xml).toContain('<testcase classname="open-field" name="scripted" time="1.250">');
  });
});

describe('merge', () => {
  it('joins shards in plan order and refuses shards of another run', () => {
    const cfg = config({ scenarios: ['a', 'b'], planners: ['random', 'oracle'], seeds: [0, 1] });
    const all = cfg.scenarios.flatMap((s) => cfg.seeds.flatMap((seed) => cfg.planners.map((p) => record(s, p, seed))));
    writeRun(join(tmp, 'shard1'), all.filter((_, i) => i % 2 === 1).reverse(), cfg);
    writeRun(join(tmp, 'shard0'), all.filter((_, i) => i % 2 === 0), cfg);
    // Parallel runs append in completion order; readers see plan order.
    expect(loadRun(join(tmp, 'shard1')).records).toEqual(all.filter((_, i) => i % 2 === 1));
    const names = ['shard1', 'shard0'];
    const result = mergeRuns(names.map((n) => loadRun(join(tmp, n))), names, join(tmp, 'merged'), { command: ['test'] });
    expect(result.missing).toEqual([]);
    expect(loadRun(join(tmp, 'merged')).records).toEqual(all);
    expect(JSON.parse(readFileSync(join(tmp, 'merged', 'summary.json'), 'utf8')).rows).toHaveLength(4);

    const partial = mergeRuns([loadRun(join(tmp, 'shard0'))], ['shard0'], join(tmp, 'partial'), { command: ['test'] });
    expect(partial.missing).toHaveLength(4);

    writeRun(join(tmp, 'other'), [], { ...cfg, seeds: [0, 1, 2] });
    expect(() => mergeRuns([loadRun(join(tmp, 'shard0')), loadRun(join(tmp, 'other'))], ['shard0', 'other'], join(tmp, 'm2'), { command: ['test'] })).toThrow(/other: manifest config\.seeds differs/);
  });
});
