/**
 * End to end in headless Chromium: the real server (client built by Vite on demand), a run
 * recorded by the real CLI, a live episode in real Rapier, the page driven like a user would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../core/records.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { startLiveServer, type LiveServerHandle } from '../../viewer/server/LiveServer.ts';
import { driveEpisode } from './realEpisode.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let dir: string;
let server: LiveServerHandle;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planarena-viewer-'));
  // A real recorded run: two planners head to head on one scenario and seed.
  await promisify(execFile)(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'push-box', '--planners', 'random,scripted', '--seeds', '1', '--record', '--out', join(dir, 'runs', 'r1')]);
  // A generated level (procedural family "pushing", ood split).
  await promisify(execFile)(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'pushing-ood-3', '--planners', 'scripted', '--seeds', '1', '--record', '--out', join(dir, 'runs', 'r2')]);
  server = await startLiveServer({ port: 0, host: '127.0.0.1', runsDir: join(dir, 'runs'), quiet: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pixel statistics of the 3D canvas: share of pixels unlike the background, and distinct colours. */
async function canvasStats(selector = '.stage-canvas'): Promise<{ filled: number; colours: number; hash: number }> {
  return page.evaluate((sel) => {
    const src = document.querySelector(sel) as HTMLCanvasElement;
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = Math.max(1, Math.round((320 * src.height) / src.width));
    const ctx = c.getContext('2d')!;
    ctx.drawImage(src, 0, 0, c.width, c.height);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const [br, bg, bb] = [d[0], d[1], d[2]];
    let filled = 0;
    let hash = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - br) + Math.abs(d[i + 1] - bg) + Math.abs(d[i + 2] - bb) > 24) filled++;
      colours.add((d[i] >> 3) * 1024 + (d[i + 1] >> 3) * 32 + (d[i + 2] >> 3));
      hash = (hash * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) | 0;
    }
    return { filled: filled / (d.length / 4), colours: colours.size, hash };
  }, selector);
}

const app = <T>(fn: string) => page.evaluate(`(() => { const a = window.__planarena; return ${fn}; })()`) as Promise<T>;

describe('viewer in headless Chromium', () => {
  it('shows a live episode as it runs, and teaching mode shoves the robot and drops an obstacle', async () => {
    await page.goto(`${server.url}#/live`);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected');
    // The episode must still be running when the teaching requests arrive, however slow the
    // machine: after step 60 it slows to 8 steps/s until both have been applied, then hurries on.
    let taught = false;
    const driving = driveEpisode(server.observer, { scenario: 'open-field', planner: 'scripted-live', steps: 150, action: (_i, dim) => new Array(dim).fill(0.3), between: (i) => sleep(taught ? 2 : i < 60 ? 25 : 125) });
    await page.waitForFunction(() => {
      const a = (window as unknown as { __planarena: { shown(): { frames: unknown[] }[] } }).__planarena;
      return a.shown().length === 1 && a.shown()[0].frames.length > 10;
    });
    await sleep(300);
    const stats = await canvasStats();
    expect(stats.filled).toBeGreaterThan(0.3);
    expect(stats.colours).toBeGreaterThan(20);
    expect(await page.locator('.viewport-label').first().textContent()).toContain('scripted-live');
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-live.png') });

    // Shove: a click on the view (no drag) sends a request; the server applies it between steps.
    const box = (await page.locator('.viewport').first().boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => /applied|refused/.test(document.querySelector('#teach-result')?.textContent ?? ''));
    expect(await page.locator('#teach-result').textContent()).toContain('applied (shove)');
    await page.check('input[name="tool"][value="drop"]');
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
    await page.waitForFunction(() => /applied \(drop\)|refused/.test(document.querySelector('#teach-result')?.textContent ?? ''));
    expect(await page.locator('#teach-result').textContent()).toContain('applied (drop)');
    taught = true;
    const driven = await driving;
    expect(driven.events).toContain('perturbation');
    expect(driven.events).toContain('spawn');
    // The viewer got the new scene with the dropped body, and marked both on the timeline.
    await page.waitForFunction(() => document.querySelectorAll('.marker-perturbation, .marker-spawn').length >= 2);
    expect(await app<number>('a.shown()[0].scene.bodies.filter((b) => b.kind === "spawned").length')).toBe(1);
    await page.waitForFunction(() => document.querySelector('#scoreboard')?.textContent?.includes('scripted-live'));
  });

  it('live head-to-head: two planners on one seed side by side, with the LLM panel and imagined futures', async () => {
    await page.goto(`${server.url}#/live`);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected');
    const prompt = 'You control a differential-drive robot. Objects: crate at (1.0, 0.5). Goal: reach (2.5, 1.0).';
    const llmInfo = (i: number) =>
      i % 5 === 0
        ? {
            llm: {
              decision: i / 5 + 1,
              messages: [
                { role: 'system', content: 'skills: move_to(x, y)' },
                { role: 'user', content: prompt },
              ],
              response: i === 5 ? '{"plan": [{"skill": "fly"}]}' : '{"plan": [{"skill": "move_to", "args": {"x": 2.5, "y": 1}}]}',
              validation: i === 5 ? 'invalid_action: unknown skill "fly"' : 'ok',
              plan: i === 5 ? undefined : [{ skill: 'move_to', args: { x: 2.5, y: 1 } }],
              usage: { in: 120, out: 30 },
              latencyMs: 850,
            },
            ...(i === 5 ? { failures: [{ category: 'invalid_action', detail: 'unknown skill "fly"' }] } : {}),
          }
        : {};
    const rollouts = Array.from({ length: 20 }, (_, r) => ({ points: Array.from({ length: 8 }, (_, k) => [-2 + k * 0.3, (r - 10) * 0.05 * k, 0.05]), cost: r * 0.5, elite: r < 4 }));
    await driveEpisode(server.observer, { scenario: 'open-field', seed: 7, planner: 'llm', steps: 20, info: llmInfo, between: () => sleep(15) });
    await driveEpisode(server.observer, { scenario: 'open-field', seed: 7, planner: 'world-model', steps: 20, info: () => ({ imagined: { rollouts } }), between: () => sleep(15) });
    await page.waitForFunction(() => document.querySelectorAll('.viewport-label').length === 2);
    expect(await page.locator('.viewport-label').allTextContents()).toEqual([expect.stringMatching(/^llm/), expect.stringMatching(/^world-model/)]);

    // At t = 0.8 s (step 8): the LLM's decision of step 5 is in force and was invalid.
    await page.click('button[title^="Play / pause"]');
    await page.locator('input[aria-label="seek"]').fill('0.85');
    await page.waitForFunction(() => document.querySelector('.decision[data-planner="llm"] .validation') !== null);
    const llmCard = page.locator('.decision[data-planner="llm"]');
    expect(await llmCard.locator('.prompt').textContent()).toContain('Goal: reach (2.5, 1.0)');
    expect(await llmCard.locator('.response').textContent()).toContain('"fly"');
    expect(await llmCard.locator('.validation').textContent()).toContain('invalid_action');
    expect(await page.locator('.marker-invalid').count()).toBe(1);
    const wmCard = page.locator('.decision[data-planner="world-model"]');
    expect(await wmCard.locator('.wm').textContent()).toMatch(/20 rollouts .* 4 elite · best cost 0\.000/);
    const segments = await app<number[]>('a.stage.imaginedSegments()');
    expect(segments).toEqual([0, 20 * 7]);
    // Later, a valid plan is shown as parsed.
    await page.locator('input[aria-label="seek"]').fill('1.15');
    await page.waitForFunction(() => document.querySelector('.decision[data-planner="llm"] .validation.ok') !== null);
    expect(await llmCard.locator('.plan').textContent()).toContain('move_to');
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-panels.png') });
  });

  it('replays a recorded head-to-head side by side; seeking changes the frame', async () => {
    const run = (await (await fetch(`${server.url}api/runs/r1`)).json()) as { episodes: { planner: string; recording?: string }[] };
    const recs = run.episodes.map((e) => e.recording!);
    expect(recs).toHaveLength(2);
    await page.goto(`${server.url}#/replay?run=r1&eps=${recs.map(encodeURIComponent).join('|')}`);
    await page.waitForFunction(() => [...document.querySelectorAll('.viewport-label')].some((l) => l.textContent?.startsWith('random')));
    const labels = await page.locator('.viewport-label').allTextContents();
    expect(labels).toHaveLength(2);
    expect(labels.some((l) => l.startsWith('random'))).toBe(true);
    expect(labels.some((l) => l.startsWith('scripted'))).toBe(true);
    expect(await page.locator('.decision').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-planner')))).toEqual(expect.arrayContaining(['random', 'scripted']));
    // Each card says what its planner intends, in a sentence.
    expect(await page.locator('.decision[data-planner="scripted"] .intent').textContent()).toMatch(/^Push crate to \(/);

    await page.click('button[title^="Play / pause"]');
    await page.locator('input[aria-label="seek"]').fill('0');
    await sleep(200);
    const atStart = await canvasStats();
    expect(atStart.filled).toBeGreaterThan(0.3);
    const end = await app<number>('a.timeline.duration');
    expect(end).toBeGreaterThan(5);
    await page.locator('input[aria-label="seek"]').fill(String(end * 0.6));
    await sleep(200);
    const later = await canvasStats();
    expect(await app<number>('a.timeline.t')).toBeCloseTo(end * 0.6, 1);
    expect(later.hash).not.toBe(atStart.hash);
    expect(await page.locator('.time').textContent()).toContain(`${(end * 0.6).toFixed(1)} /`);

    // Stepping moves by one control step; a marker click jumps to its time.
    const before = await app<number>('a.timeline.t');
    await page.click('button[title^="Step forward"]');
    expect(await app<number>('a.timeline.t')).toBeGreaterThan(before);
    const marker = page.locator('.marker-success').first();
    await marker.click();
    const title = (await marker.getAttribute('title'))!;
    expect(await app<number>('a.timeline.t')).toBeCloseTo(Number(/t ([\d.]+) s/.exec(title)![1]), 1);
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-h2h.png') });

    // Ghost overlay: one view, the second planner drawn over the first.
    const sideBySide = await canvasStats();
    await page.check('#ghost');
    await sleep(300);
    const boxes = await Promise.all((await page.locator('.viewport').all()).map((v) => v.boundingBox()));
    expect(boxes[0]).toEqual(boxes[1]);
    expect((await page.locator('.viewport-label').allTextContents()).filter((l) => l.length > 0)).toHaveLength(2);
    const overlaid = await canvasStats();
    expect(overlaid.hash).not.toBe(sideBySide.hash);
    expect(overlaid.filled).toBeGreaterThan(0.3);
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-ghost.png') });
    await page.uncheck('#ghost');
  });

  it("shows a generated level's family, split, level, difficulty and instruction; a hand-written scenario's instruction alone", async () => {
    const run = (await (await fetch(`${server.url}api/runs/r2`)).json()) as { episodes: { recording?: string }[] };
    await page.goto(`${server.url}#/replay?run=r2&eps=${encodeURIComponent(run.episodes[0].recording!)}`);
    await page.waitForSelector('#task:not([hidden]) .task-level');
    const scenario = loadScenario('pushing-ood-3');
    expect(await page.locator('#task .task-scenario').textContent()).toBe('pushing-ood-3');
    expect(await page.locator('#task .chip').allTextContents()).toEqual(['family pushing', 'split ood', 'level 3', `difficulty ${scenario.generated!.difficulty.toFixed(2)}`]);
    expect(await page.locator('#task .instruction').textContent()).toBe(scenario.instruction);
    await sleep(300);
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-generated.png') });

    const r1 = (await (await fetch(`${server.url}api/runs/r1`)).json()) as { episodes: { recording?: string }[] };
    await page.goto(`${server.url}#/replay?run=r1&eps=${encodeURIComponent(r1.episodes[0].recording!)}`);
    await page.waitForFunction(() => document.querySelector('#task .task-scenario')?.textContent === 'push-box');
    expect(await page.locator('#task .task-level').count()).toBe(0);
    expect(await page.locator('#task .instruction').textContent()).toBe(loadScenario('push-box').instruction);
  });

  it('draws the results page charts from the run summary', async () => {
    await page.goto(`${server.url}#/results?run=r1`);
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length === 4);
    await sleep(300);
    // Success first, then efficiency (success × shortest time / time), then failures and latency.
    expect(await page.locator('canvas[data-chart]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-chart')))).toEqual(['success', 'efficiency', 'failures', 'latency']);
    for (const id of ['success', 'efficiency', 'failures', 'latency']) {
      const s = await canvasStats(`canvas[data-chart="${id}"]`);
      expect(s.colours, `chart ${id} has content`).toBeGreaterThan(5);
      expect(s.filled, `chart ${id} is drawn`).toBeGreaterThan(0.02);
    }
    expect(await page.locator('table.summary tr').count()).toBe(3);
    const headers = await page.locator('table.summary th').allTextContents();
    expect(headers.slice(3, 6)).toEqual(['success', 'efficiency', 'norm. return']);
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-results.png') });
    expect(errors).toEqual([]);
  });

  it('shows the same statistics as summary.json, and the same again while a run has no summary yet', async () => {
    // Three seeds, so means and percentiles of per-episode latencies differ.
    const run = join(dir, 'runs', 'r3');
    await promisify(execFile)(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'arm-reach', '--planners', 'random,scripted', '--seeds', '3', '--out', run]);
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as RunSummary;
    const expected = summary.rows.map((r) => [r.scenario, r.planner, r.episodes, [r.successRate, ...r.ci95], r.efficiency, r.normalizedScore, r.meanReturn, r.meanSteps, r.meanCollisions, r.plannerMsP50, r.plannerMsP95]);
    const shown = async () => {
      await page.goto('about:blank'); // a hash change alone would not load the page again
      await page.goto(`${server.url}#/results?run=r3`);
      await page.waitForFunction(() => document.querySelectorAll('table.summary td[data-value]').length > 0);
      return page.evaluate(() => [...document.querySelectorAll('table.summary tr')].slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => JSON.parse(td.dataset.value!) as unknown)));
    };
    expect(await shown()).toEqual(expected);
    renameSync(join(run, 'summary.json'), join(run, 'summary.json.bak'));
    expect(await shown()).toEqual(expected);
    expect(await page.locator('text=no summary.json yet').count()).toBe(1);
    renameSync(join(run, 'summary.json.bak'), join(run, 'summary.json'));
    expect(errors).toEqual([]);
  });

  it('a server that requires a token: its printed URL opens the viewer, stream and API included; without it, 401', async () => {
    const guarded = await startLiveServer({ port: 0, host: '127.0.0.1', runsDir: join(dir, 'runs'), quiet: true, token: 'browser-test-token-0123456789' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      expect(guarded.url).toMatch(/\?token=browser-test-token-0123456789$/);
      await p.goto(`${guarded.url}#/replay`);
      // The page's relative API calls and its WebSocket carry the cookie set by the first request.
      await p.waitForFunction(() => document.querySelector('#status')?.textContent === 'connected');
      await p.waitForFunction(() => document.body.textContent?.includes('r1'));
      await p.screenshot({ path: join(tmpdir(), 'planarena-viewer-token.png') });
      const bare = await (await browser.newContext()).newPage();
      const refused = await bare.goto(guarded.baseUrl);
      expect(refused?.status()).toBe(401);
      expect(await refused?.text()).toContain('needs its access token');
      await bare.context().close();
    } finally {
      await context.close();
      await guarded.close();
    }
    expect(errors).toEqual([]);
  });
});
