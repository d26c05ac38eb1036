/**
 * The showcase end to end in headless Chromium: a real race (runner, Rapier, live server, the
 * built client) watched by a page that connects after the first episode finished, then reloaded
 * after the run; the timeline's words for a collision; `serve --runs` with one run directory or
 * a folder of runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { runPipeline, type RunResult } from '../../runner/pipeline.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { startLiveServer } from '../../viewer/server/LiveServer.ts';
import { driveEpisode } from './realEpisode.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planarena-showcase-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return page;
}

const app = <T>(page: Page, fn: string) => page.evaluate(`(() => { const a = window.__planarena; return ${fn}; })()`) as Promise<T>;

/** Open field with a shorter time limit: scripted succeeds (~7.5 s), random runs to the limit. */
function shortField(): Scenario {
  return Object.freeze({ ...loadScenario('open-field'), timeLimit: 10 });
}

describe('the showcase in headless Chromium', () => {
  let run: RunResult;

  it('a page that connects after the first episode of a race finished still shows it; a reloaded page after the run replays every episode', async () => {
    const scenario = shortField();
    const catalog = { loadScenario: () => scenario, loadSuite: () => loadSuite('smoke') };
    let url = '';
    let firstEnded: (r: EpisodeRecord) => void = () => {};
    const firstEnd = new Promise<EpisodeRecord>((r) => (firstEnded = r));
    let page: Page | null = null;
    let lateLooked: Promise<void> | null = null;
    const running = runPipeline(
      { kind: 'request', request: { scenarios: [scenario.id], planners: ['random', 'scripted'], seeds: [0, 1], physics: 'deterministic', lidar: 'analytic', observation: 'state', clock: 'turn', record: true, plannerConfig: {} } },
      // Paced so the first race lasts a few seconds: scripted ends while random still drives.
      { out: join(dir, 'runs', 'race'), live: { port: 0, host: '127.0.0.1' }, pace: 4, race: true },
      { log: (line) => (url ||= /live viewer: (\S+)/.exec(line)?.[1] ?? ''), progressStream: { write: () => true } },
      {
        command: ['test'],
        catalog,
        observer: {
          onEpisodeEnd: (_k, record) => {
            firstEnded(record);
            // The late page connects now, while random still races: it must get scripted's episode.
            lateLooked ??= (async () => {
              page = await newPage();
              await page.goto(`${url}#/live`);
              await page.waitForFunction(() => document.querySelectorAll('.viewport-label').length === 2);
            })();
          },
        },
      },
    );
    const first = await firstEnd;
    expect(first.planner).toBe('scripted');
    run = await running;
    await lateLooked;
    const late = page!;
    try {
      // The late page showed the finished episode whole (fetched), next to the one still running.
      // The fetch is asynchronous: on a loaded machine it may still be on its way when the run ends.
      await late.waitForFunction(`window.__planarena.live.ordered().some((e) => e.key.planner === 'scripted' && e.done)`, undefined, { timeout: 10_000 });
      const shown = await app<{ planner: string; frames: number; steps: number; done: boolean }[]>(late, 'a.live.ordered().map((e) => ({ planner: e.key.planner, frames: e.frames.length, steps: e.steps.length, done: e.done }))');
      const scripted0 = run.records.find((r) => r.planner === 'scripted' && r.seed === 0)!;
      expect(shown.find((e) => e.planner === 'scripted')).toMatchObject({ frames: scripted0.steps + 1, steps: scripted0.steps, done: true });
      // The scoreboard is redrawn at most 4 times a second: wait for the redraw, not the first read.
      await expect.poll(() => late.locator('#scoreboard').textContent(), { timeout: 10_000 }).toContain('scripted');
    } finally {
      await late.close();
    }

    // After the run the server still serves (the demo's "viewer still serving for replay"): a
    // reloaded page gets every episode of every race, and replays each group from the start.
    const page2 = await newPage();
    try {
      await page2.goto(`${url}#/live`);
      await page2.waitForFunction(() => (window as unknown as { __planarena: { live: { ordered(): { done: boolean }[] } } }).__planarena.live.ordered().filter((e) => e.done).length === 4);
      const eps = await app<{ key: string; frames: number; steps: number; success: boolean }[]>(page2, 'a.live.ordered().map((e) => ({ key: `${e.key.planner}/${e.key.seed}`, frames: e.frames.length, steps: e.steps.length, success: e.record.success }))');
      expect(eps.map((e) => e.key).sort()).toEqual(['random/0', 'random/1', 'scripted/0', 'scripted/1']);
      for (const r of run.records) expect(eps.find((e) => e.key === `${r.planner}/${r.seed}`)).toEqual({ key: `${r.planner}/${r.seed}`, frames: r.steps + 1, steps: r.steps, success: r.success });
      // The menu lists both races; the newest shows, and the other replays when picked.
      const options = await page2.locator('#group option').allTextContents();
      expect(options).toEqual(['open-field · seed 0', 'open-field · seed 1']);
      await page2.waitForFunction(() => document.querySelectorAll('.viewport-label').length === 2);
      await page2.selectOption('#group', 'open-field · seed 0');
      await page2.waitForFunction(() => (window as unknown as { __planarena: { shown(): { key: { seed: number } }[] } }).__planarena.shown().every((e) => e.key.seed === 0));
      await page2.waitForFunction(() => (window as unknown as { __planarena: { timeline: { t: number } } }).__planarena.timeline.t > 0.5);
      // Each viewport keeps its own clock: scripted's stops at its success, random's runs on.
      await page2.locator('input[aria-label="seek"]').fill('9.5');
      await page2.click('button[title^="Play / pause"]').catch(() => {});
      const labels = await page2.locator('.viewport-label').allTextContents();
      const scripted = run.records.find((r) => r.planner === 'scripted' && r.seed === 0)!;
      expect(labels.find((l) => l.startsWith('scripted'))).toContain(`${scripted.simTime.toFixed(1)} s`);
      expect(labels.find((l) => l.startsWith('scripted'))).toContain(`✔ success at ${scripted.simTime.toFixed(1)} s`);
      expect(await page2.locator('.lane-label').allTextContents()).toEqual(expect.arrayContaining(['scripted · ✔ success']));
      await page2.screenshot({ path: join(tmpdir(), 'planarena-viewer-reloaded.png') });
    } finally {
      await page2.close();
      await run.live?.close();
    }
    expect(errors).toEqual([]);
  }, 240_000);

  it('labels a collision on the timeline in words, at its time, and a click jumps there', async () => {
    const server = await startLiveServer({ port: 0, host: '127.0.0.1', quiet: true });
    const page = await newPage();
    try {
      await page.goto(`${server.url}#/live`);
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected');
      // Full speed ahead in the cluttered field: the robot hits a crate.
      const driven = await driveEpisode(server.observer, { scenario: 'cluttered-field', planner: 'ram', steps: 60, action: (_i, dim) => new Array(dim).fill(1) });
      const hit = driven.eventLog.find((e) => e.type === 'collision' && !/floor|ground/.test(`${e.a}${e.b}`));
      expect(hit).toBeDefined();
      const other = hit!.type === 'collision' ? (hit!.a.startsWith('robot') ? hit!.b : hit!.a) : '';
      await page.waitForSelector('.marker-collision');
      const marker = page.locator('.marker-collision').first();
      expect(Number(await marker.getAttribute('data-t'))).toBeCloseTo(hit!.t, 9);
      expect(await marker.locator('.words').textContent()).toBe(`collision with ${other}`);
      expect(await marker.locator('.words').isVisible()).toBe(true);
      expect(await marker.getAttribute('title')).toContain(`t ${hit!.t.toFixed(2)} s · collision with ${other}`);
      expect(await page.locator('.lane-label').first().textContent()).toMatch(/^ram/);
      await marker.locator('.words').click();
      expect(await app<number>(page, 'a.timeline.t')).toBeCloseTo(hit!.t, 6);
      await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-collision.png') });
    } finally {
      await page.close();
      await server.close();
    }
    expect(errors).toEqual([]);
  });

  it('serve --runs lists one run directory, or a folder of runs, by name', async () => {
    const runDir = run.runDir.path;
    const name = basename(runDir);
    for (const [root, expected] of [
      [runDir, [name]],
      [dirname(runDir), [name]],
    ] as const) {
      const server = await startLiveServer({ port: 0, host: '127.0.0.1', runsDir: root, quiet: true, mode: 'serve' });
      const page = await newPage();
      try {
        await page.goto(`${server.url}#/replay`);
        await page.waitForSelector('table.runs');
        expect(await page.locator('table.runs td:first-child a').allTextContents()).toEqual(expected);
        await page.click(`table.runs a:text-is("${name}")`);
        await page.waitForSelector('table.episodes');
        expect(await page.locator('table.episodes a.ep').count()).toBe(4);
        expect(await page.locator('.error').count()).toBe(0);
        await page.screenshot({ path: join(tmpdir(), `planarena-viewer-runs-${root === runDir ? 'one' : 'folder'}.png`) });
      } finally {
        await page.close();
        await server.close();
      }
    }
    expect(errors).toEqual([]);
  });
});
