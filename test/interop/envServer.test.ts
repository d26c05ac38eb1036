/**
 * The env server over real WebSockets on loopback: reset/step give the in-process environment's
 * observations, rewards and trajectory hash bit for bit (and the runner's hash), sessions are
 * independent, bad requests get one-line errors and leave the session usable, and the CLI
 * command starts and stops cleanly.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ResetReply, StepReply } from '../../interop/envProtocol.ts';
import { catalogOf } from '../../interop/EnvSession.ts';
import { startEnvServer, type EnvServer } from '../../interop/EnvServer.ts';
import { decodeMessage, encodeMessage, frameBytes, readVector, type Envelope } from '../../interop/wire.ts';
import type { ActResult, Planner, TaskSpec } from '../../planners/Planner.ts';
import { runEpisode } from '../../runner/episode.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import { createEnv, liveNativeObjects } from '../../sim/Env.ts';
import { TrajectoryHasher } from '../../sim/recording.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A protocol client: one request at a time, replies matched by seq. */
class EnvClient {
  private seq = 0;
  private waiting: ((m: Envelope) => void) | null = null;
  readonly unsolicited: Envelope[] = [];
  closed: { code: number } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const m = decodeMessage(frameBytes(data as Buffer), isBinary);
      const w = this.waiting;
      this.waiting = null;
      if (w) w(m);
      else this.unsolicited.push(m);
    });
    ws.on('close', (code) => (this.closed = { code }));
  }
  static async connect(url: string): Promise<EnvClient> {
    const ws = new WebSocket(url);
    const client = new EnvClient(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return client;
  }
  request(type: string, payload: unknown): Promise<Envelope> {
    return this.raw(encodeMessage(type, this.seq++, payload));
  }
  raw(frame: Uint8Array | string): Promise<Envelope> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.ws.send(frame);
    });
  }
  async reset(payload: unknown): Promise<ResetReply> {
    const m = await this.request('reset', payload);
    expect(m.type, JSON.stringify(m.payload)).toBe('observation');
    return m.payload as ResetReply;
  }
  async step(action: unknown): Promise<StepReply> {
    const m = await this.request('step', { action });
    expect(m.type, JSON.stringify(m.payload)).toBe('step_result');
    return m.payload as StepReply;
  }
  close(): void {
    this.ws.close();
  }
}

/** A fixed action list: exact decimal fractions, so any language computes the same doubles. */
export function fixedAction(i: number, dim: number): number[] {
  return Array.from({ length: dim }, (_, k) => ((i * 7 + k * 3) % 11) / 5 - 1);
}

const flatBytes = (o: { flat: unknown }) => Buffer.from(new Float32Array(readVector(o.flat, 'flat')).buffer).toString('hex');

/** The in-process environment under the same actions: per-step flat bytes, rewards, hash. */
async function inProcess(id: string, seed: number, steps: number) {
  const env = await createEnv(loadScenario(id));
  const hasher = new TrajectoryHasher();
  const r0 = env.reset({ seed });
  hasher.update(env.transforms());
  const flats = [Buffer.from(r0.obs.flat.buffer, r0.obs.flat.byteOffset, r0.obs.flat.byteLength).toString('hex')];
  const rewards: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = env.step(fixedAction(i, env.actionSpace.dim));
    hasher.update(env.transforms());
    flats.push(Buffer.from(r.obs.flat.buffer, r.obs.flat.byteOffset, r.obs.flat.byteLength).toString('hex'));
    rewards.push(r.reward);
    if (r.terminated || r.truncated) break;
  }
  env.dispose();
  return { flats, rewards, hash: hasher.digest() };
}

/** The runner's trajectory hash for the same actions (the episode ends when the list does by truncation or its own end). */
class ListPlanner implements Planner {
  readonly name = 'list';
  private i = 0;
  private dim = 0;
  async reset(task: TaskSpec): Promise<void> {
    this.i = 0;
    this.dim = task.actionSpace.dim;
  }
  async act(): Promise<ActResult> {
    return { action: fixedAction(this.i++, this.dim), info: {} };
  }
  dispose(): void {}
}

let server: EnvServer;
const lines: string[] = [];
beforeAll(async () => {
  server = await startEnvServer({ port: 0, host: '127.0.0.1', physics: 'deterministic', lidar: 'analytic', catalog: catalogOf({ loadScenario, loadSuite }), maxSessions: 4, log: (l) => lines.push(l) });
});
afterAll(() => server.close());

describe('env server', () => {
  it.each([
    ['open-field', 3],
    ['push-box', 5],
    ['arm-reach', 1],
  ])('%s seed %i: reset/step equal the in-process env bit for bit, and the runner\'s trajectory hash', async (id, seed) => {
    const client = await EnvClient.connect(server.url);
    const first = await client.reset({ scenario: id, seed });
    expect(first.info).toMatchObject({ scenario: id, seed, robot: loadScenario(id).robot.type, step: 0 });
    const flats = [flatBytes(first.observation)];
    const rewards: number[] = [];
    let last: StepReply | undefined;
    const maxSteps = first.info.maxSteps;
    for (let i = 0; i < maxSteps + 5; i++) {
      last = await client.step(fixedAction(i, first.info.actionNames.length));
      flats.push(flatBytes(last.observation));
      rewards.push(last.reward);
      if (last.terminated || last.truncated) break;
    }
    client.close();
    expect(last!.terminated || last!.truncated).toBe(true);

    const local = await inProcess(id, seed, maxSteps + 5);
    expect(flats).toEqual(local.flats);
    expect(rewards.length).toBe(local.rewards.length);
    expect(rewards.every((r, i) => r === local.rewards[i])).toBe(true); // === : 0 and -0 alike on the wire
    expect(last!.info.trajectoryHash).toBe(local.hash);

    const { record } = await runEpisode({ scenario: id, planner: 'list', seed }, { physics: 'deterministic', clock: 'turn', record: false, pace: 0, scenario: loadScenario(id), planner: new ListPlanner(), privileged: false });
    expect(record.trajectoryHash).toBe(local.hash);
    expect(record.steps).toBe(rewards.length);
  });

  it('keeps sessions independent, and a reset mid-episode leaves nothing behind', async () => {
    const a = await EnvClient.connect(server.url);
    const b = await EnvClient.connect(server.url);
    await a.reset({ scenario: 'open-field', seed: 3 });
    await b.reset({ scenario: 'push-box', seed: 5 });
    let ha = '';
    let hb = '';
    for (let i = 0; i < 40; i++) {
      ha = (await a.step(fixedAction(i, 2))).info.trajectoryHash;
      hb = (await b.step(fixedAction(i, 2))).info.trajectoryHash;
    }
    expect(ha).toBe((await inProcess('open-field', 3, 40)).hash);
    expect(hb).toBe((await inProcess('push-box', 5, 40)).hash);

    // Abandon b's episode half-way, start the same seed again: the same trajectory as fresh.
    await b.reset({ seed: 5 });
    for (let i = 0; i < 40; i++) hb = (await b.step(fixedAction(i, 2))).info.trajectoryHash;
    expect(hb).toBe((await inProcess('push-box', 5, 40)).hash);
    a.close();
    b.close();
  });

  it('picks scenario number seed mod n of a suite, and the next seed when none is given', async () => {
    const c = await EnvClient.connect(server.url);
    const smoke = loadSuite('smoke').scenarios;
    expect((await c.reset({ suite: 'smoke', seed: 4 })).info).toMatchObject({ scenario: smoke[4 % smoke.length], seed: 4 });
    expect((await c.reset({})).info).toMatchObject({ scenario: smoke[4 % smoke.length], seed: 5 });
    expect((await c.reset({ scenario: 'arm-reach' })).info).toMatchObject({ scenario: 'arm-reach', seed: 6 });
    c.close();
  });

  it('answers bad requests with an error naming the problem, and the session stays usable', async () => {
    const c = await EnvClient.connect(server.url);
    const error = async (p: Promise<Envelope>, seq: number, pattern: RegExp) => {
      const m = await p;
      expect(m.type).toBe('error');
      expect(m.seq).toBe(seq);
      expect((m.payload as { message: string }).message).toMatch(pattern);
    };
    await error(c.request('step', { action: [0, 0] }), 0, /^step before reset: send reset/);
    await error(c.request('reset', {}), 1, /name a "scenario" \(or a "suite"\) for the first episode/);
    await error(c.request('reset', { scenario: 'nope', seed: 0 }), 2, /reset: unknown scenario "nope"; valid scenarios: .*open-field/);
    await error(c.request('reset', { scenario: '../../etc/passwd', seed: 0 }), 3, /is not an id; the env server loads scenarios by id only/);
    await error(c.request('reset', { scenario: 'open-field.json', seed: 0 }), 4, /is not an id/);
    await error(c.request('reset', { scenario: 'open-field', seed: -2 }), 5, /"seed" must be an integer in 0\.\./);
    await error(c.request('reset', { scenario: 'open-field', suite: 'smoke' }), 6, /give "scenario" or "suite", not both/);
    await error(c.request('jump', {}), 7, /unknown message type "jump"; the env server answers "reset" and "step"/);
    await error(c.raw(Buffer.from([0xc1])), -1, /not MessagePack/);
    await error(c.raw('{"type": "reset"}'), -1, /got a text frame/);

    await c.reset({ scenario: 'open-field', seed: 0 });
    await error(c.request('step', { action: [0, 0, 0] }), 9, /"action" has 3 numbers; diffdrive takes 2 \(left, right\)/);
    await error(c.request('step', { action: [0, Number.NaN] }), 10, /action\[1\] is NaN/);
    await error(c.request('step', { action: 'forward' }), 11, /"action" is "forward"; send an array of numbers or an ndarray/);
    // ndarray actions work like arrays.
    const data = Buffer.alloc(8);
    data.writeFloatLE(0.5, 0);
    data.writeFloatLE(0.5, 4);
    expect((await c.step({ __ndarray__: true, data, dtype: '<f4', shape: [2] })).observation.step).toBe(1);
    c.close();
  });

  it('refuses steps after the episode ended', async () => {
    const c = await EnvClient.connect(server.url);
    const { info } = await c.reset({ scenario: 'arm-reach', seed: 0 });
    let r: StepReply | undefined;
    for (let i = 0; i <= info.maxSteps && !(r?.terminated || r?.truncated); i++) r = await c.step([0, 0, 0]);
    expect(r!.truncated).toBe(true);
    const m = await c.request('step', { action: [0, 0, 0] });
    expect((m.payload as { message: string }).message).toMatch(/step after the episode was truncated: send reset/);
    c.close();
  });

  it('frees every session\'s world when it resets and when it closes', async () => {
    while (server.sessions() > 0) await new Promise((r) => setTimeout(r, 20));
    const before = liveNativeObjects();
    const clients = await Promise.all([0, 1, 2].map(() => EnvClient.connect(server.url)));
    for (const [i, c] of clients.entries()) {
      for (let k = 0; k < 3; k++) await c.reset({ scenario: 'push-box', seed: i * 10 + k });
      await c.step([1, 0]);
    }
    expect(liveNativeObjects().worlds).toBe(before.worlds + 3); // one per session, not per reset
    for (const c of clients) c.close();
    while (server.sessions() > 0) await new Promise((r) => setTimeout(r, 20));
    expect(liveNativeObjects()).toEqual(before);
  });

  it('turns clients away beyond --max-sessions', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => EnvClient.connect(server.url)));
    await clients[3].reset({ scenario: 'open-field', seed: 0 }); // every session is served
    const extra = await EnvClient.connect(server.url);
    await new Promise((r) => extra.ws.once('close', r));
    expect(extra.closed?.code).toBe(1013);
    expect((extra.unsolicited[0].payload as { message: string }).message).toMatch(/server full: 4 sessions open/);
    for (const c of clients) c.close();
  });
});

describe('planarena env-server', () => {
  it('serves until SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'env-server', '--port', '0'], { cwd: ROOT });
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /env server: (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(out)));
    });
    const c = await EnvClient.connect(url);
    expect((await c.reset({ scenario: 'open-field', seed: 1 })).info.scenario).toBe('open-field');
    c.close();
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
  });

  it('refuses bad flags in one line', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'planarena.mjs'), 'env-server', '--physics', 'quantum'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(err.trim()).toBe('planarena env-server: --physics must be one of deterministic, fast; got "quantum".');
  });
});
