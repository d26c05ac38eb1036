/**
 * The viewer shows, for the decision in force, the chosen plan as the world model imagined it
 * beside where the robot really went over the same steps: a real recorded world-model episode
 * (shipped checkpoint, real Rapier, real tfjs) replayed in headless Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServerHandle } from '../../viewer/server/LiveServer.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshot goes, for people to look at. */
const SCREENSHOT = join(tmpdir(), 'planarena-viewer-plan-check.png');

let dir: string;
let server: LiveServerHandle;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planarena-plan-check-'));
  await promisify(execFile)(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'open-field', '--planners', 'world-model', '--seeds', '1', '--record', '--out', join(dir, 'runs', 'wm')]);
  // A push task: the shipped pusher checkpoint decodes the crate too.
  await promisify(execFile)(process.execPath, ['bin/planarena.mjs', 'run', '--scenarios', 'push-box', '--planners', 'world-model', '--seeds', '1', '--record', '--out', join(dir, 'runs', 'push')]);
  server = await startLiveServer({ port: 0, host: '127.0.0.1', runsDir: join(dir, 'runs'), quiet: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('imagined vs actual path of a decision', () => {
  it('draws the chosen plan and the actual path over the same horizon, and says how far apart they ended', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const run = (await (await fetch(`${server.url}api/runs/wm`)).json()) as { episodes: { recording?: string }[] };
    await page.goto(`${server.url}#/replay?run=wm&eps=${encodeURIComponent(run.episodes[0].recording!)}`);
    await page.waitForFunction(() => [...document.querySelectorAll('.viewport-label')].some((l) => l.textContent?.startsWith('world-model')));
    await page.click('button[title^="Play / pause"]');
    await page.locator('input[aria-label="seek"]').fill('3');
    await page.waitForSelector('.decision .plan-check');
    // The world model's horizon on diffdrive is 15 steps: 16 points each, start included.
    const points = (await page.evaluate('window.__planarena.stage.planCheckPoints()')) as [number, number][];
    expect(points).toEqual([[16, 16]]);
    const text = (await page.locator('.decision .plan-check').textContent()) ?? '';
    expect(text).toMatch(/^the chosen plan as imagined; where the robot really went: \d+\.\d\d m apart after 15 steps$/);
    await page.screenshot({ path: SCREENSHOT });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('on a push task draws where the elite rollouts imagine the crate going, beside the robot\'s paths', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    const run = (await (await fetch(`${server.url}api/runs/push`)).json()) as { episodes: { recording?: string }[] };
    await page.goto(`${server.url}#/replay?run=push&eps=${encodeURIComponent(run.episodes[0].recording!)}`);
    await page.waitForFunction(() => [...document.querySelectorAll('.viewport-label')].some((l) => l.textContent?.startsWith('world-model')));
    await page.click('button[title^="Play / pause"]');
    await page.locator('input[aria-label="seek"]').fill('6');
    await page.waitForFunction('window.__planarena.stage.imaginedObjectSegments()[0] > 0');
    expect(await page.locator('.decision details.wm summary').textContent()).toMatch(/orange: where they imagine the pushed object going/);
    const [all] = (await page.evaluate('window.__planarena.stage.imaginedSegments()')) as number[];
    const [objects] = (await page.evaluate('window.__planarena.stage.imaginedObjectSegments()')) as number[];
    // Pusher horizon 12: each elite's crate path is 12 segments, drawn beside the rollouts' own.
    expect(objects % 12).toBe(0);
    expect(all).toBeGreaterThan(objects);
    await page.screenshot({ path: join(tmpdir(), 'planarena-viewer-push-imagined.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
