/**
 * Viewer benchmarks, each against a baseline measured in the same run:
 * - bytes per body per frame on the wire (binary frame vs the same transforms as JSON);
 * - frames per second the stream server sustains to 10 clients with 200 bodies (vs a bare
 *   `ws` broadcast of the same bytes with no per-client bookkeeping);
 * - the viewer's per-frame update time for 1000 bodies in headless Chromium (instanced meshes,
 *   vs one three.js Mesh per body), rendering included.
 */
import type { TaskSpec } from '../planners/Planner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { Environment, StaticScene, StepResult } from '../sim/types.ts';
import { encodeFrame } from '../viewer/protocol.ts';
import { startLiveServer } from '../viewer/server/LiveServer.ts';
import type { Bench, BenchLine } from './types.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function transforms(n: number, phase: number): Float32Array {
  const t = new Float32Array(n * 7);
  for (let i = 0; i < n; i++) {
    const a = phase * 0.01 + i;
    t.set([Math.cos(a) * 3, Math.sin(a) * 3, 0.15, 0, 0, Math.sin(a / 2), Math.cos(a / 2)], i * 7);
  }
  return t;
}

function sceneOf(n: number): StaticScene {
  return {
    scenarioId: 'bench',
    arena: { size: [10, 10], color: '#333333' },
    goal: { type: 'reach', position: [0, 0], tolerance: 0.2 },
    bodies: Array.from({ length: n }, (_, i) => ({
      id: `b${i}`,
      kind: 'movable' as const,
      dynamic: true,
      shapes: [{ shape: 'box' as const, dims: [0.2, 0.2, 0.2] as [number, number, number], offset: [0, 0, 0, 0, 0, 0, 1] as [number, number, number, number, number, number, number], color: '#888888' }],
      pose: [0, 0, 0.1, 0, 0, 0, 1] as [number, number, number, number, number, number, number],
    })),
  };
}

const wireBytes: Bench = {
  name: 'viewer: wire bytes',
  async run(): Promise<BenchLine[]> {
    const n = 200;
    const tf = transforms(n, 1);
    const binary = encodeFrame(1, 1, 0.1, tf).byteLength / n;
    const json = Buffer.byteLength(JSON.stringify({ channel: 1, step: 1, t: 0.1, transforms: Array.from(tf) })) / n;
    return [{ figure: 'bytes per body per frame (200 bodies)', value: binary, unit: 'B', baseline: { name: 'same frame as JSON', value: json }, ratio: binary / json, target: 0.5, targetBelow: true }];
  },
};

const fanOut: Bench = {
  name: 'viewer: stream fan-out',
  async run(): Promise<BenchLine[]> {
    const { default: WebSocket, WebSocketServer } = await import('ws');
    const clients = 10;
    const bodies = 200;
    const frames = 2000;
    const payloads = Array.from({ length: 16 }, (_, k) => transforms(bodies, k));

    const connect = async (url: string) => {
      const ws = new WebSocket(url);
      let got = 0;
      ws.on('message', (_d, isBinary) => {
        if (isBinary) got++;
      });
      await new Promise((r) => ws.once('open', r));
      return { ws, count: () => got };
    };
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise((r) => setImmediate(r));
    };

    // planarena's server, driven through the runner's observer hooks
    const server = await startLiveServer({ port: 0, host: '127.0.0.1', noClient: true, quiet: true });
    const ours = await Promise.all(Array.from({ length: clients }, () => connect(server.url.replace('http', 'ws') + 'ws')));
    const key = { scenario: 'bench', planner: 'bench', seed: 0 };
    const scene = sceneOf(bodies);
    const task = { instruction: '', controlPeriod: 0.1, maxSteps: frames, actionSpace: { dim: 2, names: ['l', 'r'], low: [-1, -1], high: [1, 1] } } as unknown as TaskSpec;
    // The bench drives no teaching requests, so the environment is never touched.
    server.observer.onEpisodeStart!(key, scene, payloads[0], task, null as unknown as Environment, { id: 'bench' } as unknown as Scenario);
    const t0 = performance.now();
    for (let i = 1; i <= frames; i++) {
      const result = { reward: 0, terminated: false, truncated: false, info: { t: i * 0.1, step: i, events: [], success: false, failure: null, goalDistance: 1 } } as unknown as StepResult;
      server.observer.onStep!(key, { action: [0, 0], decision: { action: [0, 0], info: {} }, result, transforms: payloads[i % 16], plannerMs: 0 });
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => ours.every((c) => c.count() >= frames + 1));
    const oursFps = frames / ((performance.now() - t0) / 1000);
    for (const c of ours) c.ws.close();
    await server.close();

    // Baseline: bare ws broadcast of the same encoded frames
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    const bare = await Promise.all(Array.from({ length: clients }, () => connect(`ws://127.0.0.1:${port}`)));
    const t1 = performance.now();
    for (let i = 1; i <= frames; i++) {
      const bytes = encodeFrame(1, i, i * 0.1, payloads[i % 16]);
      for (const ws of wss.clients) ws.send(bytes);
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => bare.every((c) => c.count() >= frames));
    const bareFps = frames / ((performance.now() - t1) / 1000);
    for (const c of bare) c.ws.close();
    await new Promise((r) => wss.close(r));

    return [{ figure: `frames/s to ${clients} clients, ${bodies} bodies`, value: oursFps, unit: 'frames/s', baseline: { name: 'bare ws broadcast', value: bareFps }, ratio: oursFps / bareFps, target: 0.5 }];
  },
};

const browserUpdate: Bench = {
  name: 'viewer: browser update',
  async run(): Promise<BenchLine[]> {
    const { chromium } = await import('playwright-core');
    const server = await startLiveServer({ port: 0, host: '127.0.0.1', quiet: true });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.url}#/live`);
      await page.waitForFunction(() => 'benchUpdate' in ((window as unknown as { __planarena?: object }).__planarena ?? {}));
      const r = (await page.evaluate('window.__planarena.benchUpdate(1000, 40)')) as { instancedMs: number; meshesMs: number; instancedFrameMs: number; meshesFrameMs: number };
      return [
        {
          figure: 'viewer per-frame pose update, 1000 bodies (headless Chromium)',
          value: r.instancedMs,
          unit: 'ms',
          baseline: { name: 'one Mesh per body', value: r.meshesMs },
          ratio: r.instancedMs / r.meshesMs,
          target: 1,
          targetBelow: true,
        },
        {
          figure: 'viewer frame incl. render, 1000 bodies (SwiftShader, CPU GL)',
          value: r.instancedFrameMs,
          unit: 'ms',
          baseline: { name: 'one Mesh per body', value: r.meshesFrameMs },
          ratio: r.instancedFrameMs / r.meshesFrameMs,
          target: 1,
          targetBelow: true,
        },
      ];
    } finally {
      await browser.close();
      await server.close();
    }
  },
};

export const benches: Bench[] = [wireBytes, fanOut, browserUpdate];
