/**
 * Issue 16: seeded random mutations of valid scenario files and run manifests, thrown at the real
 * CLI (`bin/planarena.mjs` subprocesses) as users and CI run it: `planarena validate` and
 * `planarena run --resume`. Whatever the damage, each run exits 0 or 1 with one line per problem,
 * never a stack trace, a crash signal or a hang.
 *
 * Bounded: ~250 files in 5 `validate` processes and 12 `run --resume` processes (the resumed
 * episodes are already done, so most of them only re-read the directory), two at a time; about
 * 20 s on a 2-core machine.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIO_DIR, SUITE_DIR, listScenarios, listSuites } from '../../scenarios/load.ts';
import { Rng } from '../../sim/rng.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'planarena-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Per process: a hang is a failure, not a wait. */
const PROCESS_TIMEOUT_MS = 60_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Ran {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function planarena(args: string[]): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/planarena.mjs'), ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ args, code, signal, stdout, stderr });
    });
  });
}

/** Runs `jobs` two at a time (the machine has two cores, shared). */
async function pool<T>(jobs: (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

const STACK = /^\s+at |^(TypeError|RangeError|ReferenceError|SyntaxError|Error)\b|internal error|Maximum call stack|node:internal/m;

function expectClean(r: Ran): void {
  const what = `planarena ${r.args.join(' ')}\n${r.stdout}${r.stderr}`.slice(0, 4000);
  expect(r.signal, `killed (hang or crash): ${what}`).toBeNull();
  expect([0, 1], `exit code ${r.code}: ${what}`).toContain(r.code);
  expect(`${r.stdout}${r.stderr}`, what).not.toMatch(STACK);
}

// ------------------------------------------------------------------ mutations

const WEIRD: Json[] = [null, true, false, 0, -1, -0, 0.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 601, '', 'x', 'robot', '\u0000', '\ud800', 'é'.repeat(5000), [], [1], [1, 2], [1, 2, 3], [[1, 0], [0, 1]], {}, { id: 'a' }];

/** Every path into `doc`, down to depth 100 (a nesting mutation can make documents thousands of
 * levels deep; deeper places are still reached through their ancestors). */
function paths(doc: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (prefix.length >= 100) return out;
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** One structural change at a random place: delete, replace, scale, grow, nest. */
function mutateJson(doc: Json, rng: Rng): Json {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return copy;
  const path = all[rng.int(all.length)];
  let parent: Json = copy;
  for (const part of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[part];
  const key = path[path.length - 1];
  const c = parent as Record<string | number, Json>;
  const v = c[key];
  switch (rng.int(7)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete c[key];
      break;
    case 1:
      c[key] = WEIRD[rng.int(WEIRD.length)];
      break;
    case 2:
      c[key] = typeof v === 'number' ? v * [-1, 1e6, 1e-9, 1e300][rng.int(4)] : WEIRD[rng.int(WEIRD.length)];
      break;
    case 3:
      if (Array.isArray(v) && v.length > 0) c[key] = Array.from({ length: [2, 50, 1500][rng.int(3)] }, (_, i) => structuredClone(v[i % v.length]));
      else c[key] = [v, v];
      break;
    case 4:
      c[key] = { wrapped: v };
      break;
    case 5:
      if (!Array.isArray(parent)) c[`extra${rng.int(3)}`] = WEIRD[rng.int(WEIRD.length)];
      break;
    default: {
      let deep: Json = v;
      for (let k = [3, 70, 2000][rng.int(3)]; k > 0; k--) deep = [deep];
      c[key] = deep;
    }
  }
  return copy;
}

/** One change to the bytes: cut, flip, splice in control bytes, bad UTF-8 or huge numbers. */
function mutateText(text: string, rng: Rng): Buffer {
  const b = Buffer.from(text, 'utf8');
  const at = rng.int(b.length);
  switch (rng.int(6)) {
    case 0:
      return b.subarray(0, at);
    case 1: {
      const out = Buffer.from(b);
      out[at] ^= 1 << rng.int(8);
      return out;
    }
    case 2:
      return Buffer.concat([b.subarray(0, at), Buffer.from([[0x00], [0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0x1b, 0x5b]][rng.int(5)]), b.subarray(at)]);
    case 3:
      return Buffer.from(text.replace(/\d+(\.\d+)?/, ['1e999', '-1e999', '1e-999', '0x10', '01', 'NaN', '1'.repeat(400)][rng.int(7)]), 'utf8');
    case 4:
      return Buffer.from(text.replace(/[{[]/, (m) => '['.repeat(1 + rng.int(5000)) + m), 'utf8');
    default:
      return Buffer.from(text.replace(/"/g, (m) => (rng.next() < 0.02 ? "'" : m)), 'utf8');
  }
}

// ------------------------------------------------------------------ tests

describe('the CLI under random damage', () => {
  it('validate: 250 mutated scenario and suite files, one line per problem, never a stack trace or hang', async () => {
    const rng = Rng.fromKey('cli-fuzz-validate');
    const sources = [...listScenarios().map((id) => ({ id, file: join(SCENARIO_DIR, `${id}.json`) })), ...listSuites().map((id) => ({ id, file: join(SUITE_DIR, `${id}.json`) }))];
    const dirs: string[] = [];
    const names = new Map<string, string[]>();
    for (let d = 0; d < 5; d++) {
      // Relative to the working directory, as people type it (and as every message shows it).
      const dir = `validate-${d}`;
      mkdirSync(join(tmp, dir));
      dirs.push(dir);
      names.set(dir, []);
      for (let k = 0; k < 50; k++) {
        const src = sources[rng.int(sources.length)];
        const id = `m${d}-${String(k).padStart(2, '0')}`;
        const doc = JSON.parse(readFileSync(src.file, 'utf8')) as Record<string, Json>;
        doc.id = id; // so that a mutant that keeps its meaning validates: exit 0 is possible
        if (src.file.includes('suites')) doc.$schema = '../suite.schema.json';
        let json: Json = doc;
        for (let m = rng.int(3); m > 0; m--) json = mutateJson(json, rng);
        const text = JSON.stringify(json, null, rng.int(3));
        writeFileSync(join(tmp, dir, `${id}.json`), rng.next() < 0.5 ? mutateText(text, rng) : text);
        names.get(dir)!.push(`${id}.json`);
      }
    }
    const runs = await pool([...dirs.map((dir) => () => planarena(['validate', dir])), () => planarena(['validate', '--json', dirs[0]])]);
    let bad = 0;
    runs.forEach((r, i) => {
      expectClean(r);
      if (i === dirs.length) {
        const report = JSON.parse(r.stdout) as { file: string; ok: boolean }[];
        expect(report).toHaveLength(50);
        return;
      }
      const dir = dirs[i];
      const lines = r.stdout.split('\n').filter(Boolean);
      // Every line is "ok FILE", "FILE: where: problem" or the closing count; every file is named.
      for (const line of lines) expect(line, line).toMatch(new RegExp(`^(ok ${dir}/m\\d-\\d\\d\\.json|${dir}/m\\d-\\d\\d\\.json: .+|\\d+ of 50 files have problems)$`));
      for (const name of names.get(dir)!) expect(lines.some((l) => l.startsWith(`ok ${dir}/${name}`) || l.startsWith(`${dir}/${name}: `)), name).toBe(true);
      expect(r.code).toBe(lines.some((l) => / files have problems$/.test(l)) ? 1 : 0);
      bad += Number(/(\d+) of 50 files have problems/.exec(r.stdout)?.[1] ?? 0);
    });
    // The mutations do damage: most files are refused (and some survive).
    expect(bad).toBeGreaterThan(150);
    expect(bad).toBeLessThan(250);
  });

  it('run --resume: 12 runs with mutated manifests, exit 0 or one line, never a stack trace or hang', async () => {
    const base = join(tmp, 'base');
    const made = await planarena(['run', '--scenarios', 'open-field', '--planners', 'random', '--seeds', '2', '--out', base, '--no-live']);
    expect(made.code, made.stderr).toBe(0);
    const manifest = readFileSync(join(base, 'manifest.json'), 'utf8');
    const rng = Rng.fromKey('cli-fuzz-resume');
    const jobs: (() => Promise<Ran>)[] = [];
    for (let k = 0; k < 12; k++) {
      const dir = join(tmp, `resume-${k}`);
      cpSync(base, dir, { recursive: true });
      let json = JSON.parse(manifest) as Json;
      // Mostly the config, which the resume acts on; sometimes anything.
      const config = (json as Record<string, Json>).config as Json;
      if (k % 3 !== 2) (json as Record<string, Json>).config = mutateJson(config, rng);
      else json = mutateJson(json, rng);
      const text = JSON.stringify(json, null, 2);
      writeFileSync(join(dir, 'manifest.json'), k % 4 === 3 ? mutateText(text, rng) : text);
      jobs.push(() => planarena(['run', '--resume', dir]));
    }
    const runs = await pool(jobs);
    for (const r of runs) {
      expectClean(r);
      if (r.code !== 0) {
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('planarena run: '));
        expect(errors, `${r.args.join(' ')}\n${r.stderr}`).toHaveLength(1);
      }
    }
    expect(runs.some((r) => r.code === 1)).toBe(true);
  });
});
