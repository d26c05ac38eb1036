/**
 * Issue 16: hostile scenario files get one-line errors naming the place and the limit, never a
 * stack trace, a hang or a silently wrong value. Limits are listed in docs/limits.md.
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile, checkScenarioText, loadScenarioFile, SCENARIO_DIR } from '../../scenarios/load.ts';
import { MAX_ARENA_SIZE, MAX_IMPULSE, MAX_ITEMS, MAX_JSON_DEPTH, MAX_SCENARIO_FILE_BYTES } from '../../scenarios/limits.ts';
import { formatProblem } from '../../scenarios/problems.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-limits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const openField = () => JSON.parse(readFileSync(join(SCENARIO_DIR, 'open-field.json'), 'utf8')) as Record<string, unknown> & { arena: { size: number[] } };
const armReach = () => JSON.parse(readFileSync(join(SCENARIO_DIR, 'arm-reach.json'), 'utf8')) as Record<string, unknown> & { robot: Record<string, unknown> };

/** Every problem of a document, as `validate` prints them. */
function problems(doc: unknown): string[] {
  const r = checkScenarioText(typeof doc === 'string' ? doc : JSON.stringify(doc));
  return r.ok ? [] : r.problems.map((p) => formatProblem('x.json', p));
}

function write(name: string, body: string | Uint8Array): string {
  const file = join(tmp, name);
  writeFileSync(file, body);
  return file;
}

function validate(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/planarena.mjs'), 'validate', ...args], { cwd: tmp, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}`, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) };
}

describe('JSON text limits', () => {
  it('nesting 3,000 deep is a located error, not a stack overflow', () => {
    const deep = problems(`{"id": "x", "tags": ${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(deep).toEqual([expect.stringContaining(`line 1, column ${21 + MAX_JSON_DEPTH - 1}: invalid JSON: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`)]);
    // Just inside the limit is still parsed (and then rejected by the schema, not the parser).
    expect(problems(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`).join()).not.toMatch(/nest deeper/);
  });

  it('1e999 is reported as too large, not as "a number null"', () => {
    const text = JSON.stringify(openField()).replace('"timeLimit":20', '"timeLimit":1e999');
    const p = problems(text);
    expect(p).toEqual([expect.stringMatching(/line 1, column \d+: invalid JSON: the number 1e999 is too large for a double/)]);
    expect(p.join()).not.toContain('null');
  });

  it('a NUL byte inside a string is named as a control character at its position', () => {
    const text = JSON.stringify(openField()).replace('Open field', 'Open\u0000field');
    const at = text.indexOf('\u0000') + 1;
    expect(problems(text)).toEqual([`x.json: line 1, column ${at}: invalid JSON: U+0000 (NUL) inside a string; JSON strings cannot hold raw control characters: delete it or write it as \\u0000`]);
  });

  it('invalid UTF-8 is reported with line, column and byte, not replaced silently', () => {
    const text = JSON.stringify(openField(), null, 2).replace('Open field', 'Open @@field');
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf('@@');
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    const file = write('open-field.json', bytes);
    const line = text.slice(0, at).split('\n').length;
    expect(() => loadScenarioFile(file)).toThrow(new RegExp(`open-field\\.json: line ${line}, column \\d+: invalid UTF-8 \\(byte 0xFF at offset ${at}\\); save the file as UTF-8`));
  });

  it('a file over the size limit is refused before it is read', () => {
    const file = write('huge.json', `{"id": "huge", "title": "${'x'.repeat(MAX_SCENARIO_FILE_BYTES)}"}`);
    expect(() => checkFile(file)).toThrow(/huge\.json: \d+ bytes is more than the 1048576-byte limit/);
  });
});

describe('field limits', () => {
  it('an arena of 1e308 m is refused', () => {
    const s = openField();
    s.arena.size = [1e308, 1e308];
    const p = problems(s);
    expect(p).toContain(`x.json: $.arena.size[0]: must be <= ${MAX_ARENA_SIZE}, found 1e+308; use a value <= ${MAX_ARENA_SIZE}`);
  });

  it('10,000 obstacles are refused with the limit named', () => {
    const s = openField();
    s.obstacles = Array.from({ length: 10_000 }, (_, i) => ({ id: `o${i}`, shape: 'box', size: [0.1, 0.1, 0.1], position: [3.9, -3.9] }));
    expect(problems(s)).toEqual([`x.json: $.obstacles: allows at most ${MAX_ITEMS.obstacles} obstacles (limits: docs/limits.md), found 10000`]);
  });

  it('an arm with 10,000 joint angles is refused (it needs exactly 3)', () => {
    const s = armReach();
    s.robot.joints = new Array(10_000).fill(0);
    expect(problems(s)).toEqual(['x.json: $.robot.joints: an arm has 3 joints: list 3 angles [yaw, shoulder, elbow] in degrees, found 10000']);
  });

  it('an impulse of 1e300 and a mover at 1e6 m/s are refused', () => {
    const s = openField();
    s.perturbations = [{ at: 1, target: 'robot', impulse: [1e300, 0, 0] }];
    s.movingObstacles = [{ id: 'm', shape: 'sphere', radius: 0.2, path: [[3, 3], [3, -3]], speed: 1e6 }];
    const p = problems(s);
    expect(p).toContain(`x.json: $.perturbations[0].impulse[0]: must be <= ${MAX_IMPULSE}, found 1e+300; use a value <= ${MAX_IMPULSE}`);
    expect(p).toContain('x.json: $.movingObstacles[0].speed: must be <= 20, found 1000000; use a value <= 20');
  });
});

describe('planarena validate on hostile paths', () => {
  it('a FIFO given as a scenario is refused at once instead of hanging', () => {
    const fifo = join(tmp, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const r = validate('pipe.json');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['pipe.json: is a named pipe (FIFO), not a regular file; name a .json file']);
  });

  it('a folder with no scenarios says so and exits 1', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not a scenario');
    const r = validate('empty');
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([`empty: no scenario, suite or family files (*.json) in this folder or its subfolders; check the path`]);
  });

  it('a folder stands for the .json files in it and its subfolders', () => {
    const tree = join(tmp, 'tree');
    mkdirSync(join(tree, 'files', 'deeper'), { recursive: true });
    mkdirSync(join(tree, '.hidden'));
    writeFileSync(join(tree, 'files', 'deeper', 'broken.json'), '{"id": ');
    writeFileSync(join(tree, '.hidden', 'skipped.json'), '{');
    writeFileSync(join(tree, 'files', 'x.schema.json'), '{');
    const r = validate('tree');
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(/^tree\/files\/deeper\/broken\.json: line 1, column \d+: /)]);
  });

  it('deep nesting, NUL and 1e999 through the CLI: one line each, no stack trace', () => {
    write('deep.json', '['.repeat(3000) + ']'.repeat(3000));
    write('inf.json', '{"timeLimit": 1e999}');
    const r = validate('deep.json', 'inf.json');
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/^\s+at |RangeError|Maximum call stack/m);
    expect(r.lines).toEqual([expect.stringContaining('deep.json: line 1, column 65: invalid JSON: arrays and objects nest deeper'), expect.stringContaining('inf.json: line 1, column 15: invalid JSON: the number 1e999 is too large'), '2 of 2 files have problems']);
  });
});
