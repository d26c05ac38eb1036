/**
 * The live side of the stream server: an {@link EpisodeObserver} that turns running episodes
 * into protocol events for every connected client, keeps enough history for a client that
 * joins mid-episode, and applies teaching-mode requests (shoves, dropped obstacles) to the
 * running simulation between control steps.
 *
 * Everything here runs synchronously inside the runner's episode loop and never throws into it.
 */
import type { EpisodeKey as RunnerKey, EpisodeObserver } from '../../runner/types.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import type { Environment, StaticScene } from '../../sim/types.ts';
import { encodeFrame, levelOf, trimPlannerInfo, type ClientRequest, type SpawnShape, type EpisodeTask, type ServerEvent, type StepData } from '../protocol.ts';
import type { ClientStream } from './ClientStream.ts';

/** Frames kept per running episode for clients that join late. */
const HISTORY_FRAMES = 3000;
/** Finished episode records kept for the scoreboard of clients that join late. */
const HISTORY_RECORDS = 2000;
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
  scene: StaticScene;
  task: EpisodeTask;
  env: SpawnCapable;
  /** Replayed to late joiners: the start, then steps and frames in order. */
  history: { step: ServerEvent; frame: Uint8Array }[];
  frame0: Uint8Array;
  sceneChanges: ServerEvent[];
  queue: { req: Extract<ClientRequest, { type: 'shove' | 'spawn' }>; client: ClientStream }[];
  bodyCount: number;
  /** Spawn requests accepted for this episode (queued or applied). */
  spawns: number;
}

export class LiveSession {
  private nextChannel = 1;
  private readonly episodes = new Map<string, LiveEpisode>();
  private readonly byChannel = new Map<number, LiveEpisode>();
  private readonly finished: ServerEvent[] = [];
  private warned = false;

  constructor(private readonly clients: () => Iterable<ClientStream>) {}

  /** The observer to hand to the runner. */
  readonly observer: EpisodeObserver = {
    onEpisodeStart: (key, scene, transforms, task, env, scenario) =>
      this.guard(() => {
        const channel = this.nextChannel++;
        if (this.nextChannel > 65535) this.nextChannel = 1;
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
          task: t,
          env,
          history: [],
          frame0: encodeFrame(channel, 0, 0, transforms),
          sceneChanges: [],
          queue: [],
          bodyCount: transforms.length / 7,
          spawns: 0,
        };
        this.episodes.set(keyOf(key), ep);
        this.byChannel.set(channel, ep);
        for (const c of this.clients()) this.sendStart(c, ep);
      }),

    beforeStep: (key) =>
      this.guard(() => {
        const ep = this.episodes.get(keyOf(key));
        if (!ep || ep.queue.length === 0) return;
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
        if (bodies !== ep.bodyCount || s.result.info.events.some((e) => e.type === 'spawn')) {
          ep.bodyCount = bodies;
          ep.scene = ep.env.staticScene();
          const ev: ServerEvent = { type: 'scene', channel: ep.channel, scene: ep.scene };
          ep.sceneChanges.push(ev);
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
        const step: ServerEvent = { type: 'step', channel: ep.channel, data };
        const frame = encodeFrame(ep.channel, data.step, data.t, s.transforms);
        ep.history.push({ step, frame });
        if (ep.history.length > HISTORY_FRAMES) ep.history.shift();
        for (const c of this.clients()) {
          c.sendStep(step);
          c.sendFrame(ep.channel, frame);
        }
      }),

    onEpisodeEnd: (key, record) =>
      this.guard(() => {
        const ep = this.episodes.get(keyOf(key));
        const ev: ServerEvent = { type: 'episode_end', channel: ep?.channel ?? 0, record };
        for (const c of this.clients()) c.sendControl(ev);
        this.finished.push(ev);
        if (this.finished.length > HISTORY_RECORDS) this.finished.shift();
        if (!ep) return;
        for (const { req, client } of ep.queue) {
          client.sendControl({ type: 'error', id: req.id, code: 'E_NO_EPISODE', message: `episode on channel ${ep.channel} ended before the request applied` });
        }
        this.episodes.delete(keyOf(key));
        this.byChannel.delete(ep.channel);
      }),
  };

  /** Brings a new client up to date: finished records, then every running episode's history. */
  greet(c: ClientStream): void {
    for (const ev of this.finished) c.sendControl(ev);
    for (const ep of this.episodes.values()) {
      this.sendStart(c, ep);
      for (const ev of ep.sceneChanges) c.sendControl(ev);
      for (const h of ep.history) {
        c.sendStep(h.step);
        c.sendFrame(ep.channel, h.frame);
      }
    }
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
    if (req.type === 'spawn' && typeof ep.env.spawnObstacle !== 'function') {
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
    return this.finished.map((e) => (e as Extract<ServerEvent, { type: 'episode_end' }>).record);
  }

  private sendStart(c: ClientStream, ep: LiveEpisode): void {
    c.sendControl({ type: 'episode_start', channel: ep.channel, key: ep.key, scene: ep.scene, task: ep.task, t: 0 });
    c.sendFrame(ep.channel, ep.frame0);
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

