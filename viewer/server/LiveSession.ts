/**
 * The live side of the stream server: an {@link EpisodeObserver} that turns running episodes
 * into protocol events for every connected client, keeps every episode's stream — running ones,
 * and finished ones up to a memory budget — for clients that come later (a late or reloaded
 * browser), and applies teaching-mode requests (shoves, dropped obstacles) to the running
 * simulation between control steps.
 *
 * A client that connects is told the finished episodes (`episode_end`, `kept` when their stream
 * is here) and the running ones (`episode_start` with `history: true`); it fetches what it missed
 * of each as one {@link EpisodeData} over HTTP (`GET /api/live/episodes/<channel>`, answered by
 * {@link LiveSession.episodeData}), while the stream goes on. Over HTTP a long history arrives
 * whole; over the socket a slow client's backlog would be thinned (`ClientStream.ts`).
 *
 * Everything the observer does runs synchronously inside the runner's episode loop and never
 * throws into it.
 */
import type { EpisodeKey as RunnerKey, EpisodeObserver } from '../../runner/types.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { Environment, StaticScene } from '../../sim/types.ts';
import { decodeFrame, encodeFrame, levelOf, trimPlannerInfo, type ClientRequest, type EpisodeData, type SpawnShape, type EpisodeTask, type ServerEvent, type StepData } from '../protocol.ts';
import type { ClientStream } from './ClientStream.ts';

/** Steps kept per episode (the newest; an episode longer than this loses its start). */
const HISTORY_FRAMES = 20_000;
/** Finished episode records kept for the scoreboard of clients that join late. */
const HISTORY_RECORDS = 2000;
/** Bytes of finished episodes' streams kept for clients that join late; the oldest go first. */
export const KEPT_BYTES = 256 << 20;
/** Obstacles viewers may drop into one episode, all clients together: each one is a body the
 * simulation steps from then on (1,000 drops once slowed every client's stream to a crawl). */
export const MAX_SPAWNS_PER_EPISODE = 20;
/** Requests waiting for one episode's next control step, all clients together. */
export const MAX_QUEUED_PER_EPISODE = 32;

/** Teaching mode's obstacle drop: `SimEnv.spawnObstacle` (sim/Env.ts), not part of the Environment contract. */
type SpawnCapable = Environment & {
  spawnObstacle?(shape: SpawnShape, position: [number, number]): string;
};

interface LiveEpisode {
  channel: number;
  key: RunnerKey;
  /** The scene now (it changes when a viewer drops an obstacle) and at the start. */
  scene: StaticScene;
  scene0: StaticScene;
  task: EpisodeTask;
  env: SpawnCapable | null;
  /** Every step so far: the step event as sent (JSON text) and its transforms frame. */
  history: { text: string; frame: Uint8Array }[];
  frame0: Uint8Array;
  /** Scene changes, by the step from which they apply. */
  sceneChanges: { step: number; scene: StaticScene }[];
  lastStep: number;
  queue: { req: Extract<ClientRequest, { type: 'shove' | 'spawn' }>; client: ClientStream }[];
  bodyCount: number;
  /** Spawn requests accepted for this episode (queued or applied). */
  spawns: number;
  /** Bytes held in `history`. */
  bytes: number;
  record: EpisodeRecord | null;
}

export class LiveSession {
  private nextChannel = 1;
  private readonly episodes = new Map<string, LiveEpisode>();
  private readonly byChannel = new Map<number, LiveEpisode>();
  /** Finished episodes whose stream is kept, oldest first. */
  private readonly kept = new Map<number, LiveEpisode>();
  private keptBytes = 0;
  private readonly finished: Extract<ServerEvent, { type: 'episode_end' }>[] = [];
  private warned = false;

  constructor(
    private readonly clients: () => Iterable<ClientStream>,
    private readonly keptLimit = KEPT_BYTES,
  ) {}

  /** The observer to hand to the runner. */
  readonly observer: EpisodeObserver = {
    onEpisodeStart: (key, scene, transforms, task, env, scenario) =>
      this.guard(() => {
        const channel = this.nextChannel++;
        if (this.nextChannel > 65535) this.nextChannel = 1;
        this.forget(channel); // a channel number used again after 65535 episodes
        const t: EpisodeTask = {
          instruction: task.instruction,
          ...levelOf(scenario.generated),
          controlPeriod: task.controlPeriod,
          maxSteps: task.maxSteps,
          actionNames: task.actionSpace.names,
        };
        const ep: LiveEpisode = {
          channel,
          key: { ...key },
          scene,
          scene0: scene,
          task: t,
          env,
          history: [],
          frame0: encodeFrame(channel, 0, 0, transforms),
          sceneChanges: [],
          lastStep: 0,
          queue: [],
          bodyCount: transforms.length / 7,
          spawns: 0,
          bytes: 0,
          record: null,
        };
        this.episodes.set(keyOf(key), ep);
        this.byChannel.set(channel, ep);
        for (const c of this.clients()) this.sendStart(c, ep, false);
      }),

    beforeStep: (key) =>
      this.guard(() => {
        const ep = this.episodes.get(keyOf(key));
        if (!ep || ep.queue.length === 0 || !ep.env) return;
        const queue = ep.queue.splice(0);
        for (const { req, client } of queue) {
          try {
            if (req.type === 'shove') ep.env.shove(req.target, req.impulse, 'user');
            else ep.env.spawnObstacle!(req.shape, req.position);
            client.sendControl({ type: 'ack', id: req.id });
          } catch (e) {
            client.sendControl({ type: 'error', id: req.id, code: 'E_BAD_REQUEST', message: e instanceof Error ? e.message : String(e) });
          }
        }
      }),

    onStep: (key, s) =>
      this.guard(() => {
        const ep = this.episodes.get(keyOf(key));
        if (!ep) return;
        const bodies = s.transforms.length / 7;
        if ((bodies !== ep.bodyCount || s.result.info.events.some((e) => e.type === 'spawn')) && ep.env) {
          ep.bodyCount = bodies;
          ep.scene = ep.env.staticScene();
          ep.sceneChanges.push({ step: s.result.info.step, scene: ep.scene });
          const ev: ServerEvent = { type: 'scene', channel: ep.channel, scene: ep.scene };
          for (const c of this.clients()) c.sendControl(ev);
        }
        const data: StepData = {
          step: s.result.info.step,
          t: s.result.info.t,
          action: Array.from(s.action),
          reward: s.result.reward,
          events: s.result.info.events,
          goalDistance: s.result.info.goalDistance,
          plannerMs: s.plannerMs,
          info: trimPlannerInfo(s.decision.info ?? {}),
        };
        // Serialised once for every client and for the history.
        const text = JSON.stringify({ type: 'step', channel: ep.channel, data } satisfies ServerEvent);
        const frame = encodeFrame(ep.channel, data.step, data.t, s.transforms);
        ep.lastStep = data.step;
        ep.history.push({ text, frame });
        ep.bytes += text.length + frame.byteLength;
        if (ep.history.length > HISTORY_FRAMES) {
          const old = ep.history.shift()!;
          ep.bytes -= old.text.length + old.frame.byteLength;
        }
        for (const c of this.clients()) {
          c.sendStepText(text);
          c.sendFrame(ep.channel, frame);
        }
      }),

    onEpisodeEnd: (key, record) =>
      this.guard(() => {
        const ep = this.episodes.get(keyOf(key));
        const base = { type: 'episode_end' as const, channel: ep?.channel ?? 0, record };
        if (ep) {
          ep.record = record;
          ep.env = null; // the runner frees it; nothing may touch it from now on
          this.keep(ep);
        }
        const ev = { ...base, kept: ep !== undefined && this.kept.has(ep.channel) };
        for (const c of this.clients()) c.sendControl(ev);
        this.finished.push(base);
        if (this.finished.length > HISTORY_RECORDS) this.finished.shift();
        if (!ep) return;
        for (const { req, client } of ep.queue) {
          client.sendControl({ type: 'error', id: req.id, code: 'E_NO_EPISODE', message: `episode on channel ${ep.channel} ended before the request applied` });
        }
        ep.queue = [];
        this.episodes.delete(keyOf(key));
        this.byChannel.delete(ep.channel);
      }),
  };

  /** Brings a new client up to date: the finished episodes (records; their streams over HTTP),
   * then the running ones (their history over HTTP, the rest as it streams). */
  greet(c: ClientStream): void {
    for (const ev of this.finished) c.sendControl({ ...ev, kept: this.kept.has(ev.channel) && this.kept.get(ev.channel)!.record === ev.record });
    for (const ep of this.episodes.values()) {
      this.sendStart(c, ep, true);
    }
  }

  /**
   * Everything streamed so far of a running or kept finished episode, as a replay reads a
   * recording; null when the channel is unknown or its stream was let go.
   */
  episodeData(channel: number): EpisodeData | null {
    const ep = this.byChannel.get(channel) ?? this.kept.get(channel);
    if (!ep) return null;
    const f0 = decodeFrame(ep.frame0);
    const frames = [{ step: 0, t: 0, transforms: Array.from(f0.transforms) }];
    const steps: StepData[] = [];
    for (const h of ep.history) {
      const f = decodeFrame(h.frame);
      frames.push({ step: f.step, t: f.t, transforms: Array.from(f.transforms) });
      steps.push((JSON.parse(h.text) as Extract<ServerEvent, { type: 'step' }>).data);
    }
    return { key: ep.key, scene: ep.scene0, task: ep.task, sceneChanges: ep.sceneChanges, frames, steps, record: ep.record };
  }

  /** Queues a teaching-mode request; it applies before the episode's next control step. */
  request(c: ClientStream, req: Extract<ClientRequest, { type: 'shove' | 'spawn' }>): void {
    const ep = this.byChannel.get(req.channel);
    if (!ep) {
      c.sendControl({ type: 'error', id: req.id, code: 'E_NO_EPISODE', message: `no running episode on channel ${req.channel}` });
      return;
    }
    if (req.type === 'shove' && !ep.scene.bodies.some((b) => b.id === req.target && b.dynamic)) {
      const ids = ep.scene.bodies.filter((b) => b.dynamic).map((b) => b.id);
      c.sendControl({ type: 'error', id: req.id, code: 'E_BAD_REQUEST', message: `"target" ${JSON.stringify(req.target)} is not a dynamic body; valid: ${ids.join(', ')}` });
      return;
    }
    if (req.type === 'spawn' && typeof ep.env?.spawnObstacle !== 'function') {
      c.sendControl({ type: 'error', id: req.id, code: 'E_UNSUPPORTED', message: 'this environment cannot spawn obstacles' });
      return;
    }
    if (req.type === 'spawn' && ep.spawns >= MAX_SPAWNS_PER_EPISODE) {
      c.sendControl({ type: 'error', id: req.id, code: 'E_LIMIT', message: `episode on channel ${ep.channel} already has ${MAX_SPAWNS_PER_EPISODE} dropped obstacles, the most one episode takes` });
      return;
    }
    if (ep.queue.length >= MAX_QUEUED_PER_EPISODE) {
      c.sendControl({ type: 'error', id: req.id, code: 'E_RATE_LIMIT', message: `${MAX_QUEUED_PER_EPISODE} requests already wait for the next step of channel ${ep.channel}; try again shortly` });
      return;
    }
    if (req.type === 'spawn') ep.spawns++;
    ep.queue.push({ req, client: c });
  }

  /** Records of the episodes finished so far (for tests and the demo's summary). */
  records(): EpisodeRecord[] {
    return this.finished.map((e) => e.record);
  }

  /** Bytes held for finished episodes (tests, docs/limits.md). */
  get keptBytesHeld(): number {
    return this.keptBytes;
  }

  private keep(ep: LiveEpisode): void {
    this.kept.set(ep.channel, ep);
    this.keptBytes += ep.bytes;
    for (const [channel] of this.kept) {
      if (this.keptBytes <= this.keptLimit) break;
      this.forget(channel);
    }
  }

  private forget(channel: number): void {
    const ep = this.kept.get(channel);
    if (!ep) return;
    this.kept.delete(channel);
    this.keptBytes -= ep.bytes;
  }

  private sendStart(c: ClientStream, ep: LiveEpisode, late: boolean): void {
    // A late client fetches the history (`episodeData`); frames from now on stream.
    c.sendControl({ type: 'episode_start', channel: ep.channel, key: ep.key, scene: late ? ep.scene0 : ep.scene, task: ep.task, t: 0, ...(late ? { history: true } : {}) });
    if (!late) c.sendFrame(ep.channel, ep.frame0);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // Observers must never break the simulation; report once, keep the run going.
      if (!this.warned) console.error(`planarena viewer: live stream error (further errors silenced): ${e instanceof Error ? e.stack : e}`);
      this.warned = true;
    }
  }
}

function keyOf(k: RunnerKey): string {
  return `${k.scenario}\u0000${k.planner}\u0000${k.seed}`;
}
