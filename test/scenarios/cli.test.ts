/** `planarena validate`, `list` and `schema` run as real subprocesses, as users and CI run them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFamilies, listScenarios, listSuites } from '../../scenarios/load.ts';
import { schemaFiles } from '../../scenarios/jsonSchema.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIX = 'test/scenarios/fixtures';

function planarena(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/planarena.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines };
}

const noStack = (lines: string[]) => expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);

describe('planarena validate', () => {
  it('checks good and bad files together: ok lines, one line per problem, exit 1', () => {
    const r = planarena('validate', 'scenarios/files/open-field.json', 'scenarios/suites/smoke.json', `${FIX}/bad/unknown-robot.json`, `${FIX}/bad/bad-suite.json`, `${FIX}/bad/trailing-comma.json`, `${FIX}/bad/missing.json`);
    expect(r.code).toBe(1);
    noStack(r.lines);
    expect(r.lines).toEqual([
      'ok scenarios/files/open-field.json',
      'ok scenarios/suites/smoke.json',
      `${FIX}/bad/unknown-robot.json: $.robot.type: unknown robot "tank"; valid robots: diffdrive, pusher, arm`,
      expect.stringMatching(new RegExp(`^${FIX}/bad/bad-suite.json: \\$\\.scenarios\\[1\\]: unknown scenario "open-feild"`)),
      `${FIX}/bad/bad-suite.json: $.scenarios[2]: scenario "open-field" is listed twice; remove one (use --seeds for more episodes)`,
      `${FIX}/bad/trailing-comma.json: line 65, column 1: invalid JSON: trailing comma before "}"; delete it (JSON allows no trailing commas)`,
      `${FIX}/bad/missing.json: no such scenario, suite or family file; check the path`,
      '4 of 6 files have problems',
    ]);
  });

  it('with no files, checks every shipped file and exits 0', () => {
    const r = planarena('validate');
    expect(r.code).toBe(0);
    expect(r.lines).toContain('ok scenarios/files/u-trap.json');
    expect(r.lines).toContain('ok scenarios/suites/core.json');
    expect(r.lines).toContain('ok scenarios/families/rooms.json');
    expect(r.lines.length).toBe(listScenarios().length + listSuites().length + listFamilies().length);
  });

  it('a folder stands for the .json files in it', () => {
    const r = planarena('validate', `${FIX}/good`, 'scenarios/suites');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([`ok ${FIX}/good/custom.json`, ...listSuites().map((id) => `ok scenarios/suites/${id}.json`)]);
  });

  it('--json reports every file with its kind, problems, paths and text positions', () => {
    const r = planarena('validate', '--json', 'scenarios/suites/demo.json', `${FIX}/bad/duplicate-id.json`, `${FIX}/bad/comment.json`);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as { file: string; kind: string; ok: boolean; problems: { path: string; message: string; line?: number }[] }[];
    expect(reports.map((x) => [x.kind, x.ok])).toEqual([
      ['suite', true],
      ['scenario', false],
      ['scenario', false],
    ]);
    expect(reports[1].problems).toEqual([expect.objectContaining({ path: '$.objects[0].id', message: expect.stringContaining('duplicate id "crate"') })]);
    expect(reports[2].problems[0]).toMatchObject({ path: '$', line: 1, column: 1 });
  });

  it('an unknown flag is one line naming the valid flags', () => {
    const r = planarena('validate', '--strict');
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toContain('--quiet');
  });
});

describe('planarena list', () => {
  it('lists scenarios with robot, tags and title; suites with their scenarios; planners', () => {
    const r = planarena('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^u-trap\s+diffdrive\s+reach\s+navigation\s+60s\s+U-shaped trap$/m);
    expect(r.stdout).toMatch(/^arm-push\s+arm\s+push\s+arm,pushing\s+20s\s+Arm push$/m);
    expect(r.stdout).toMatch(/^smoke\s+10\s+open-field, push-box, arm-reach$/m);
    // Planners: whether each can run here, and if not why (remote needs a policy server).
    expect(r.stdout).toMatch(/^oracle\s+yes\s+sampling MPC/m);
    expect(r.stdout).toMatch(/^remote\s+no\s+no --remote-url for remote: start a policy server .* and pass --remote-url ws:\/\/HOST:PORT/m);
    expect(r.stdout).toMatch(/^open-test\s+1\s+rooms test 0-49, clutter test 0-49, corridor test 0-49, pushing test 0-49, arm test 0-49 \(250 scenarios\)$/m);
    expect(r.stdout).toMatch(/^rooms\s+diffdrive\s+200 levels\s+cols,rows,doorWidth,furniture,hops,words\s+Rooms and doors: /m);
    expect(r.stdout).toMatch(/^pushing\s+pusher\s+200 levels\s+.*shapes,colors,words\s+Pushing among distractors: /m);
  });

  it('--json lists families with their robot, train split and ood factors', () => {
    const data = JSON.parse(planarena('list', 'families', '--json').stdout) as { families: { id: string; robot: string; trainLevels: number; novel: string[] }[] };
    expect(data.families.map((f) => [f.id, f.robot, f.trainLevels])).toEqual([
      ['arm', 'arm', 200],
      ['clutter', 'diffdrive', 200],
      ['corridor', 'diffdrive', 200],
      ['pushing', 'pusher', 200],
      ['rooms', 'diffdrive', 200],
    ]);
    expect(data.families.find((f) => f.id === 'clutter')?.novel).toEqual(['arena', 'density', 'shapes', 'words']);
  });

  it('--json gives the same data to machines; --tag filters scenarios', () => {
    const r = planarena('list', 'scenarios', 'suites', 'planners', '--tag', 'dynamic', '--json');
    const data = JSON.parse(r.stdout) as { scenarios: { id: string; tags: string[] }[]; suites: { id: string; scenarios: string[] }[]; planners: { name: string }[] };
    expect(Object.keys(data)).toEqual(['scenarios', 'suites', 'planners']);
    expect(data.scenarios.map((s) => s.id)).toEqual(['crossing-traffic', 'shove']);
    expect(data.suites.find((s) => s.id === 'core')?.scenarios).toHaveLength(listScenarios().length);
    expect(data.planners.map((p) => p.name)).toContain('world-model');
    // The ablation beside it (the actor alone), and the behaviour-cloning baseline (shipped
    // checkpoints: available).
    expect(data.planners.find((p) => p.name === 'world-model-actor')).toMatchObject({ available: true, description: expect.stringContaining('policy-only ablation of world-model') });
    expect(data.planners.find((p) => p.name === 'bc')).toMatchObject({ available: true, reason: null });
    expect(data.planners.find((p) => p.name === 'scripted')).toMatchObject({ available: true, reason: null });
    expect(data.planners.find((p) => p.name === 'remote')).toMatchObject({ available: false, reason: expect.stringContaining('--remote-url') });
  });

  it('an unknown list is a one-line error naming the valid lists', () => {
    const r = planarena('list', 'robots');
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['planarena list: unknown list "robots"; valid lists: scenarios, suites, families, planners, settings']);
  });

  it('lists every planner setting, and docs/settings.md is exactly what the declarations generate', () => {
    const r = planarena('list', 'settings');
    expect(r.code).toBe(0);
    // world-model's settings serve its policy-only ablation too.
    expect(r.stdout).toMatch(/^world-model,world-model-actor\s+--set wm-samples\s+-\s+action sequences sampled per MPPI iteration/m);
    expect(r.stdout).toMatch(/^bc\s+--bc-checkpoint\s+-\s+behaviour-cloning checkpoint directory/m);
    expect(r.stdout).toMatch(/^llm\s+--llm-url\s+-\s+OpenAI-compatible base URL/m);
    const md = planarena('list', 'settings', '--markdown');
    expect(md.stdout).toBe(readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8'));
  });
});

describe('planarena schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'planarena-schema-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes both schemas to --out, and --check agrees with them', () => {
    const r = planarena('schema', '--out', dir);
    expect(r.code).toBe(0);
    for (const [name, text] of Object.entries(schemaFiles())) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
    expect(planarena('schema', '--out', dir, '--check').code).toBe(0);
  });
});
