import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES, PROTOCOL_VERSION, type EpisodeData, type ServerEvent, type StepData } from '../../viewer/protocol.ts';
import { startLiveServer, type LiveServerHandle } from '../../viewer/server/LiveServer.ts';
import { driveEpisode } from './realEpisode.ts';
import { connectClient, stalledClient } from './wsClient.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));
const is =
  <K extends ServerEvent['type']>(type: K) =>
  (e: ServerEvent): e is Extract<ServerEvent, { type: K }> =>
    e.type === type;

let server: LiveServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(extra: Partial<Parameters<typeof startLiveServer>[0]> = {}) {
  server = await startLiveServer({ port: 0, host: '127.0.0.1', noClient: true, quiet: true, ...extra });
  return server;
}

describe('live stream server', () => {
  it('streams a real episode: scene, per-step events and bit-exact frames; a late joiner gets the history over HTTP', async () => {
    const s = await start();
    const early = await connectClient(s.url);
    const hello = await early.waitFor(is('hello'));
    expect(hello).toMatchObject({ protocol: PROTOCOL_VERSION, server: 'planarena', teaching: true });
    let late: Awaited<ReturnType<typeof connectClient>> | null = null;
    let history: EpisodeData | null = null;
    const driven = await driveEpisode(s.observer, {
      steps: 15,
      between: async (i) => {
        if (i === 6) {
          late = await connectClient(s.url);
          const begun = await late.waitFor(is('episode_start'));
          // What it missed: fetched while the stream goes on (the episode is still running).
          expect(begun.history).toBe(true);
          history = (await (await fetch(`${s.baseUrl}api/live/episodes/${begun.channel}`)).json()) as EpisodeData;
          expect(history.record).toBeNull();
        }
        await tick();
      },
    });
    const check = (c: NonNullable<typeof late>, steps: StepData[], frames: { step: number; t: number; transforms: Float32Array }[]) => {
      expect(steps.map((d) => d.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(frames).toHaveLength(16);
      frames.forEach((f, i) => {
        expect(f.step).toBe(i);
        expect(Buffer.from(f.transforms.buffer, f.transforms.byteOffset, f.transforms.byteLength).equals(Buffer.from(driven.frames[i].buffer))).toBe(true);
      });
      expect(frames[15].t).toBeCloseTo(steps[14].t, 9);
    };
    // The early client got it all over the socket.
    const start0 = await early.waitFor(is('episode_start'));
    expect(start0.key).toEqual({ scenario: 'open-field', planner: 'test', seed: 1 });
    expect((await early.waitFor(is('episode_end'))).record.steps).toBe(15);
    check(early, early.events.filter(is('step')).map((e) => e.data), early.frames.filter((f) => f.channel === start0.channel));
    // The late one: its fetched history, then the stream, overlapping where they met.
    const lateClient = late!;
    const end = await lateClient.waitFor(is('episode_end'));
    expect(end.record.steps).toBe(15);
    const h = history!;
    const seen = new Set(h.steps.map((d) => d.step));
    const steps = [...h.steps, ...lateClient.events.filter(is('step')).map((e) => e.data).filter((d) => !seen.has(d.step))];
    const frameSteps = new Set(h.frames.map((f) => f.step));
    const frames = [...h.frames.map((f) => ({ ...f, transforms: Float32Array.from(f.transforms) })), ...lateClient.frames.filter((f) => !frameSteps.has(f.step))];
    check(lateClient, steps, frames);

    // A client that connects after the end is told of it, and the server kept the whole episode.
    const after = await connectClient(s.url);
    const told = await after.waitFor(is('episode_end'));
    expect(told).toMatchObject({ channel: start0.channel, kept: true });
    expect(after.events.some((e) => e.type === 'episode_start')).toBe(false);
    const kept = (await (await fetch(`${s.baseUrl}api/live/episodes/${told.channel}`)).json()) as EpisodeData;
    expect(kept.record?.steps).toBe(15);
    check(after, kept.steps, kept.frames.map((f) => ({ ...f, transforms: Float32Array.from(f.transforms) })));
    expect((await fetch(`${s.baseUrl}api/live/episodes/999`)).status).toBe(404);
    for (const c of [early, lateClient, after]) c.ws.close();
  });

  it('lets go of the oldest finished episodes beyond its memory budget, still listing their records', async () => {
    const s = await start({ keptBytes: 1 });
    await driveEpisode(s.observer, { steps: 3, seed: 1 });
    await driveEpisode(s.observer, { steps: 3, seed: 2 });
    const c = await connectClient(s.url);
    await c.waitFor((e) => e.type === 'episode_end' && e.record.seed === 2);
    const ends = c.events.filter(is('episode_end'));
    expect(ends.map((e) => [e.record.seed, e.kept])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect((await fetch(`${s.baseUrl}api/live/episodes/${ends[0].channel}`)).status).toBe(404);
    c.ws.close();
  });

  it('answers malformed and oversized messages with errors and keeps the connection', async () => {
    const s = await start();
    const c = await connectClient(s.url);
    await c.waitFor(is('hello'));
    c.send('{not json');
    expect(await c.waitFor(is('error'))).toMatchObject({ id: null, code: 'E_BAD_JSON' });
    c.send({ type: 'shove', id: 'q1', channel: 1, target: 'robot', impulse: [1, 'x', 0] });
    expect(await c.waitFor((e) => e.type === 'error' && e.id === 'q1')).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/"impulse"/) });
    c.send({ type: 'shove', id: 'q2', channel: 99, target: 'robot', impulse: [1, 0, 0] });
    expect(await c.waitFor((e) => e.type === 'error' && e.id === 'q2')).toMatchObject({ code: 'E_NO_EPISODE' });
    c.send(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES) }));
    expect(await c.waitFor((e) => e.type === 'error' && e.code === 'E_TOO_LARGE')).toBeTruthy();
    c.ws.send(Buffer.from([1, 2, 3]));
    expect(await c.waitFor((e) => e.type === 'error' && /binary/.test(e.message))).toBeTruthy();
    c.send({ type: 'ping', id: 'still-here' });
    expect(await c.waitFor((e) => e.type === 'ack' && e.id === 'still-here')).toBeTruthy();

    // Far past the cap, the socket layer closes that client (1009) and nobody else notices.
    const other = await connectClient(s.url);
    c.send('x'.repeat(MAX_CLIENT_MESSAGE_BYTES * 8));
    expect((await c.closed).code).toBe(1009);
    other.send({ type: 'ping', id: 'other' });
    expect(await other.waitFor((e) => e.type === 'ack' && e.id === 'other')).toBeTruthy();
    other.ws.close();
  });

  it('refuses WebSocket upgrades from another origin or on another path', async () => {
    const s = await start();
    const WebSocket = (await import('ws')).default;
    for (const [path, origin] of [
      ['/ws', 'http://evil.example'],
      ['/other', undefined],
    ] as const) {
      const ws = new WebSocket(s.url.replace('http', 'ws') + path.slice(1), origin ? { origin } : {});
      const status = await new Promise<number>((r) => ws.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)).on('error', () => r(-1)));
      expect(status).toBe(403);
    }
  });

  it('teaching mode: a shove applies between control steps and comes back as a user perturbation', async () => {
    const s = await start();
    const c = await connectClient(s.url);
    let acked = false;
    const driven = await driveEpisode(s.observer, {
      steps: 12,
      action: (_i, dim) => new Array(dim).fill(0),
      between: async (i) => {
        await tick();
        if (i === 2) {
          const startEv = await c.waitFor(is('episode_start'));
          const robot = startEv.scene.bodies.find((b) => b.kind === 'robot')!;
          c.send({ type: 'shove', id: 'push', channel: startEv.channel, target: robot.id, impulse: [4, 0, 0] });
          c.send({ type: 'shove', id: 'wall', channel: startEv.channel, target: 'no-such-body', impulse: [4, 0, 0] });
          await c.waitFor((e) => e.type === 'error' && e.id === 'wall');
          // Let the request arrive before the next step.
          for (let k = 0; k < 20 && !acked; k++) await tick();
        }
        acked ||= c.events.some((e) => e.type === 'ack' && e.id === 'push');
      },
    });
    expect(acked).toBe(true);
    const perturbation = c.events.filter(is('step')).flatMap((e) => e.data.events).find((e) => e.type === 'perturbation');
    expect(perturbation).toMatchObject({ type: 'perturbation', source: 'user', impulse: [4, 0, 0] });
    expect(driven.events).toContain('perturbation');
    // The robot moved along +x after the shove although every action was zero.
    const robotSlot = 0;
    expect(driven.frames[12][robotSlot * 7] - driven.frames[2][robotSlot * 7]).toBeGreaterThan(0.01);
    c.ws.close();
  });

  it('a stalled client never slows the simulation or the other clients; its frames are coalesced', async () => {
    const s = await start({ highWater: 64 * 1024, hardLimit: 256 << 20 });
    const healthy = await connectClient(s.url);
    const stalled = await stalledClient(s.url);
    // A world-model-sized decision each step: 48 imagined rollouts of 30 points (~50 KB of JSON).
    const rollouts = Array.from({ length: 48 }, (_, r) => ({ points: Array.from({ length: 30 }, (_, k) => [r * 0.01 + k * 0.1, k * 0.05, 0.1]), cost: r, elite: r < 8 }));
    const steps = 200;
    const driven = await driveEpisode(s.observer, { steps, action: (_i, dim) => new Array(dim).fill(0), info: () => ({ imagined: { rollouts } }), between: tick });
    expect(driven.record.steps).toBe(steps);

    await healthy.waitFor(is('episode_end'));
    expect(healthy.events.filter(is('step'))).toHaveLength(steps);
    expect(healthy.frames).toHaveLength(steps + 1);
    expect(healthy.events.some(is('gap'))).toBe(false);

    const stalledStats = [...s.clients].map((c) => c.stats).find((st) => st.droppedSteps > 0);
    expect(stalledStats, 'the stalled client dropped steps').toBeDefined();
    expect(stalledStats!.droppedSteps).toBeGreaterThan(0);
    // It holds at most one pending frame per episode, not the backlog.
    expect(stalledStats!.sentFrames + stalledStats!.droppedFrames).toBeLessThanOrEqual(steps + 2);
    stalled.destroy();
    healthy.ws.close();
  });

  it('a client that stops reading and comes back gets a gap notice and the newest frame', async () => {
    const s = await start({ highWater: 64 * 1024 });
    const c = await connectClient(s.url);
    await c.waitFor(is('hello'));
    c.ws.pause();
    const rollouts = Array.from({ length: 48 }, (_, r) => ({ points: Array.from({ length: 30 }, (_, k) => [r * 0.01 + k * 0.1, k * 0.05, 0.1]), cost: r, elite: r < 8 }));
    const driven = await driveEpisode(s.observer, { steps: 150, action: (_i, dim) => new Array(dim).fill(0), info: () => ({ imagined: { rollouts } }), between: tick });
    c.ws.resume();
    const gap = await c.waitFor(is('gap'));
    expect(gap.droppedSteps).toBeGreaterThan(0);
    await c.waitFor(is('episode_end'));
    // Whatever was dropped on the way, the last frame it holds is the episode's final state.
    for (let k = 0; k < 50 && c.frames[c.frames.length - 1]?.step !== 150; k++) await new Promise((r) => setTimeout(r, 20));
    const last = c.frames[c.frames.length - 1];
    expect(last.step).toBe(150);
    expect(Array.from(last.transforms)).toEqual(Array.from(driven.frames[150]));
    expect(c.frames.length).toBeLessThan(151);
    c.ws.close();
  });

  it('closes cleanly with clients connected', async () => {
    const s = await start();
    const a = await connectClient(s.url);
    const b = await connectClient(s.url);
    await s.close();
    server = null;
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
  });
});
