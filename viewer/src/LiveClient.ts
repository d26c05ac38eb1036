/**
 * The browser end of the stream: one WebSocket to the server, reconnecting with backoff, that
 * turns protocol events and binary frames into {@link Episode}s and sends teaching requests.
 *
 * A page that connects late (or is reloaded) gets what it missed over HTTP: a running episode's
 * history (`episode_start` with `history`) and every finished episode the server kept
 * (`episode_end` with `kept`), from `api/live/episodes/<channel>`. While a history is on its
 * way, that channel's streamed steps and frames wait, then apply after it (duplicates skipped).
 */
import { decodeFrame, PROTOCOL_VERSION, WS_PATH, type ClientRequest, type EpisodeData, type ServerEvent } from '../protocol.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import { Episode } from './Episode.ts';

/** Finished episodes whose frames stay in memory for scrubbing. */
const KEEP_FINISHED = 64;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<ClientRequest, 'id'>;

export interface LiveListener {
  onEpisode?(ep: Episode): void;
  onChange?(ep: Episode): void;
  onStatus?(status: string): void;
  onHello?(hello: Extract<ServerEvent, { type: 'hello' }>): void;
}

export class LiveClient {
  /** Episodes by channel, in arrival order. */
  readonly episodes = new Map<number, Episode>();
  /** Records of every finished episode, for the scoreboard. */
  readonly finished: EpisodeRecord[] = [];
  hello: Extract<ServerEvent, { type: 'hello' }> | null = null;
  dropped = { frames: 0, steps: 0 };
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, (ev: ServerEvent) => void>();
  private retryMs = 250;
  private closed = false;
  /** Channels are per server session: a reconnect starts a new session. */
  private session = 0;
  /** Channels whose history is being fetched: what streamed meanwhile, applied after it. */
  private readonly waiting = new Map<number, (ArrayBuffer | string)[]>();

  constructor(private readonly listener: LiveListener) {}

  connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.listener.onStatus?.('connecting');
    ws.onopen = () => {
      this.retryMs = 250;
      this.session++;
      this.listener.onStatus?.('connected');
    };
    ws.onmessage = (msg) => this.onMessage(msg.data as ArrayBuffer | string);
    ws.onclose = () => {
      this.listener.onStatus?.('disconnected');
      for (const [, resolve] of this.pending) resolve({ type: 'error', id: null, code: 'E_NO_EPISODE', message: 'connection closed' });
      this.pending.clear();
      if (this.closed) return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  /** Sends a request; resolves with the server's `ack` or `error`. */
  request(body: RequestBody): Promise<ServerEvent> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        resolve({ type: 'error', id, code: 'E_NOT_LIVE', message: 'not connected to a live server' });
        return;
      }
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ ...body, id }));
    });
  }

  /** Episodes in the order they started (channels count up). */
  ordered(): Episode[] {
    return [...this.episodes.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  }

  /** The live episode with this id (`live:<session>:<channel>`), if any. */
  channelOf(ep: Episode): number | null {
    for (const [ch, e] of this.episodes) if (e === ep && !e.done) return ch;
    return null;
  }

  /** A long run streams thousands of episodes: keep the frames of the newest finished ones only. */
  private evict(): void {
    const done = [...this.episodes].filter(([, e]) => e.done);
    for (const [ch] of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.episodes.delete(ch);
  }

  /** Fetches what the server kept of a channel's episode; null when it is gone. */
  private async history(channel: number): Promise<EpisodeData | null> {
    try {
      const res = await fetch(`api/live/episodes/${channel}`);
      return res.ok ? ((await res.json()) as EpisodeData) : null;
    } catch {
      return null; // the server went away; the stream (if any) still applies
    }
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      const f = decodeFrame(data);
      const wait = this.waiting.get(f.channel);
      if (wait) return void wait.push(data);
      const ep = this.episodes.get(f.channel);
      if (!ep) return;
      ep.addFrame(f.step, f.t, f.transforms);
      this.listener.onChange?.(ep);
      return;
    }
    const ev = JSON.parse(data) as ServerEvent;
    if ((ev.type === 'step' || ev.type === 'scene' || ev.type === 'episode_end') && this.waiting.has(ev.channel)) {
      this.waiting.get(ev.channel)!.push(data);
      return;
    }
    switch (ev.type) {
      case 'hello':
        if (ev.protocol !== PROTOCOL_VERSION) this.listener.onStatus?.(`protocol ${ev.protocol} (viewer speaks ${PROTOCOL_VERSION}): reload the page`);
        this.hello = ev;
        this.listener.onHello?.(ev);
        return;
      case 'episode_start': {
        const ep = new Episode(`live:${this.session}:${ev.channel}`, ev.key, ev.scene, ev.task, true);
        this.episodes.set(ev.channel, ep);
        if (ev.history) {
          // Started before this page connected: fetch what streamed so far, then apply the rest.
          const wait: (ArrayBuffer | string)[] = [];
          this.waiting.set(ev.channel, wait);
          void this.history(ev.channel).then((d) => {
            if (this.episodes.get(ev.channel) !== ep) return;
            if (d) ep.fill(d);
            this.waiting.delete(ev.channel);
            for (const m of wait) this.onMessage(m);
            this.listener.onChange?.(ep);
          });
        }
        this.listener.onEpisode?.(ep);
        return;
      }
      case 'scene': {
        const ep = this.episodes.get(ev.channel);
        ep?.addScene(ev.scene);
        if (ep) this.listener.onChange?.(ep);
        return;
      }
      case 'step': {
        const ep = this.episodes.get(ev.channel);
        ep?.addStep(ev.data);
        if (ep) this.listener.onChange?.(ep);
        return;
      }
      case 'episode_end': {
        this.finished.push(ev.record);
        const ep = this.episodes.get(ev.channel);
        if (ep && !ep.done) {
          ep.end(ev.record);
          this.listener.onChange?.(ep);
        } else if (!ep && ev.kept) {
          // Ended before this page connected: the server kept its stream, so it replays here too.
          const session = this.session;
          void this.history(ev.channel).then((d) => {
            if (!d || session !== this.session || this.episodes.has(ev.channel)) return;
            const done = Episode.fromData(`live:${session}:${ev.channel}`, d, true);
            this.episodes.set(ev.channel, done);
            this.evict();
            this.listener.onEpisode?.(done);
          });
        }
        this.evict();
        return;
      }
      case 'gap':
        this.dropped.frames += ev.droppedFrames;
        this.dropped.steps += ev.droppedSteps;
        return;
      case 'ack':
      case 'error': {
        const resolve = ev.id ? this.pending.get(ev.id) : undefined;
        if (resolve && ev.id) {
          this.pending.delete(ev.id);
          resolve(ev);
        } else if (ev.type === 'error') console.warn(`server: ${ev.code}: ${ev.message}`);
        return;
      }
    }
  }
}

