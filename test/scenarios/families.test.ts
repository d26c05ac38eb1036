/**
 * Bad family files and bad uses of families: every problem is one line naming the file, the
 * JSON path, what is wrong and the fix, with no stack trace, from the loader and from the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { FAMILY_DIR, loadFamilyFile } from '../../scenarios/generator/FamilyCatalog.ts';
import { checkFamilyText, checkSuiteText } from '../../scenarios/load.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-families-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rooms = () => JSON.parse(readFileSync(join(FAMILY_DIR, 'rooms.json'), 'utf8')) as Record<string, any>;

function problemsOf(doc: unknown, fileId = 'rooms'): string[] {
  const checked = checkFamilyText(typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2), fileId);
  return checked.ok ? [] : checked.problems.map((p) => `${p.path.map(String).join('.')}: ${p.message}`);
}

function planarena(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/planarena.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('bad family files', () => {
  it.each<[string, (f: Record<string, any>) => unknown, RegExp]>([
    ['an unknown builder', (f) => ({ ...f, builder: 'roms' }), /^builder: unknown builder "roms" \(did you mean "rooms"\?\); valid builders: rooms, clutter, corridor, pushing, arm$/],
    ['a misspelt factor', (f) => ((f.splits.train.dorWidth = f.splits.train.doorWidth), delete f.splits.train.doorWidth, f), /^splits\.train\.dorWidth: unknown key "dorWidth" \(did you mean "doorWidth"\?\); valid keys here: cols, rows, roomSize, doorWidth, loops, furniture, hops, words$/],
    ['a backwards range', (f) => ((f.splits.ood.hops = [6, 4]), f), /^splits\.ood\.hops: range \[lo, hi\] needs lo <= hi/],
    ['a bound the builder cannot honour, with the reason', (f) => ((f.splits.ood.doorWidth = [0.6, 0.9]), f), /^splits\.ood\.doorWidth\.0: must be at least 0\.8 \(the diffdrive needs 0\.72 m to pass a door\), found 0\.6/],
    ['doors too wide for the rooms', (f) => ((f.splits.train.doorWidth = [1, 2]), (f.splits.train.roomSize = [2.4, 3]), f), /^splits\.train\.doorWidth: doors up to 2 m do not fit in rooms of 2\.4 m/],
    ['an unknown choice', (f) => ((f.splits.ood.words = ['novle']), f), /^splits\.ood\.words\.0: unknown "words" value "novle"; valid "words" values: base, novel$/],
    ['an ood split that is not out of distribution', (f) => ((f.splits.ood = f.splits.train), f), /^splits\.ood: every ood factor overlaps its train values, so ood levels are not out of distribution; give at least one factor values train never uses/],
    ['a missing split', (f) => (delete f.splits.ood, f), /^splits\.ood: missing required field "ood"/],
    ['an id with a dash', (f) => ({ ...f, id: 'my-rooms' }), /^id: family ids are lower-case letters and digits, starting with a letter, no "-" \(level ids are <family>-<split>-<level>\)/],
    ['an id that is not the file name', (f) => ({ ...f, id: 'halls' }), /^id: id "halls" does not match the file name "rooms\.json"; level ids use the family id/],
    ['a wrong $schema', (f) => ({ ...f, $schema: '../scenario.schema.json' }), /^\$schema: "\$schema" should point to family\.schema\.json \(that is the schema of a scenario file\)/],
    ['a zero train split', (f) => ({ ...f, trainLevels: 0 }), /^trainLevels: must be > 0, found 0/],
  ])('%s', (_, edit, expected) => {
    const problems = problemsOf(edit(rooms()));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
  });

  it('a syntax error gives line and column', () => {
    const checked = checkFamilyText('{\n  "id": "rooms",\n}\n', 'rooms');
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems[0]).toMatchObject({ at: { line: 3, column: 1 } });
  });

  it('the loader throws one UserError naming the file and every problem', () => {
    const file = join(tmp, 'rooms.json');
    const f = rooms();
    f.builder = 'roms';
    writeFileSync(file, JSON.stringify(f));
    try {
      loadFamilyFile(file);
      expect.unreachable();
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      expect((e as Error).message).toMatch(/rooms\.json: \$\.builder: unknown builder "roms"/);
    }
  });

  it('planarena validate and generate report a bad family file on one line, no stack trace', () => {
    const f = rooms();
    f.splits.ood.hops = [6, 4];
    const file = join(tmp, 'rooms.json');
    writeFileSync(file, JSON.stringify(f, null, 2));
    const v = planarena('validate', file);
    expect(v.code).toBe(1);
    expect(v.out.trim()).toBe(`${file}: $.splits.ood.hops: range [lo, hi] needs lo <= hi; found [6,4]`);
    const g = planarena('generate', '--family', file, '--split', 'ood', '--count', '1', '--out', join(tmp, 'out'));
    expect(g.code).toBe(1);
    expect(g.out.trim()).toBe(`planarena generate: ${file}: $.splits.ood.hops: range [lo, hi] needs lo <= hi; found [6,4]`);
  });

  it('a family file given by path generates levels; ranges too tight to satisfy say so', () => {
    const f = rooms();
    f.splits.ood.cols = [1, 1];
    f.splits.ood.rows = [2, 2];
    f.splits.ood.hops = [4, 6];
    const file = join(tmp, 'rooms.json');
    writeFileSync(file, JSON.stringify(f, null, 2));
    const g = planarena('generate', '--family', file, '--split', 'ood', '--count', '1', '--out', join(tmp, 'out2'));
    expect(g.code).toBe(1);
    expect(g.out.trim()).toMatch(/^planarena generate: family "rooms": ood level 0: no solvable layout in 200 draws \(last reason: the doors allow at most 1 hops, fewer than 4\); the factor values in splits\.ood are too tight, widen them$/);
    const ok = planarena('generate', '--family', file, '--split', 'test', '--count', '2', '--out', join(tmp, 'out2'));
    expect(ok.out.trim()).toBe(`wrote 2 scenario files to ${join(tmp, 'out2')}`);
  });
});

describe('bad uses of families', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown family', ['--family', 'romos', '--split', 'test', '--count', '1', '--out', 'x'], /^planarena generate: unknown family "romos"; valid families: arm, clutter, corridor, pushing, rooms/],
    ['an unknown split', ['--family', 'rooms', '--split', 'val', '--count', '1', '--out', 'x'], /^planarena generate: --split must be one of train, test, ood; got "val"\.$/],
    ['train levels past the split', ['--family', 'rooms', '--split', 'train', '--start', '150', '--count', '60', '--out', 'x'], /^planarena generate: family "rooms" has 200 train levels \(0-199\); --start 150 --count 60 runs to level 209\. Use --split test/],
    ['no --out', ['--family', 'rooms', '--split', 'test', '--count', '1'], /^planarena generate: --out DIR is required/],
    ['a bad count', ['--family', 'rooms', '--split', 'test', '--count', '0', '--out', 'x'], /^planarena generate: --count must be an integer >= 1, got "0"\./],
  ])('generate: %s', (_, args, expected) => {
    const r = planarena('generate', ...args);
    expect(r.code).toBe(1);
    expect(r.out.trim()).toMatch(expected);
    expect(r.out).not.toMatch(/^\s+at /m);
  });

  it('generate refuses to overwrite without --force', () => {
    const out = join(tmp, 'twice');
    expect(planarena('generate', '--family', 'arm', '--split', 'test', '--count', '1', '--out', out).code).toBe(0);
    const again = planarena('generate', '--family', 'arm', '--split', 'test', '--count', '1', '--out', out);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/arm-test-0\.json exists; pass --force to overwrite it/);
    expect(planarena('generate', '--family', 'arm', '--split', 'test', '--count', '1', '--out', out, '--force').code).toBe(0);
  });

  it.each<[string, object, RegExp]>([
    ['an unknown family', { generate: [{ family: 'romos', split: 'test', count: 3 }] }, /^generate\.0\.family: unknown family "romos"; valid families: arm, clutter, corridor, pushing, rooms$/],
    ['train levels past the split', { generate: [{ family: 'rooms', split: 'train', start: 190, count: 20 }] }, /^generate\.0\.count: family "rooms" has 200 train levels \(0-199\), but this entry runs to level 209/],
    ['overlapping ranges', { generate: [{ family: 'rooms', split: 'test', count: 10 }, { family: 'rooms', split: 'test', start: 5, count: 10 }] }, /^generate\.1: levels 5-14 of rooms-test overlap entry 0 \(levels 0-9\); list each level once$/],
    ['nothing to run', {}, /^scenarios: the suite names no scenarios; list scenario ids in "scenarios" or add "generate" entries$/],
    ['an unknown split', { generate: [{ family: 'rooms', split: 'val', count: 1 }] }, /^generate\.0\.split: unknown split "val"; valid splits: train, test, ood$/],
    ['a level id of an unknown family', { scenarios: ['halls-test-3'] }, /^scenarios\.0: unknown scenario "halls-test-3"; valid scenarios: .* \(or generated levels <family>-<split>-<level>\)$/],
  ])('suite: %s', (_, body, expected) => {
    const checked = checkSuiteText(JSON.stringify({ id: 'mine', description: 'test', ...body }), 'mine');
    expect(checked.ok).toBe(false);
    const first = !checked.ok ? checked.problems[0] : undefined;
    expect(`${first?.path.map(String).join('.')}: ${first?.message}`).toMatch(expected);
  });
});
