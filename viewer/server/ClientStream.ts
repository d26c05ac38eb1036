/**
 * One connected viewer, seen from the server: sends events and frames without ever waiting on
 * the client. The simulation calls `send*` synchronously from the episode loop; a client that
 * reads slowly (or not at all) only loses data itself:
 *
 * - below {@link HIGH_WATER} bytes buffered, everything is sent as it comes;
 * - above it, transforms frames are coalesced (only the newest per episode channel is kept, and
 *   sent once the socket drains) and per-step events are dropped and counted; episode starts,
 *   scene changes, episode ends and replies are always sent (they are rare and small);
 * - a `gap` event tells the client how much it missed once it catches up;
 * - above {@link HARD_LIMIT} the client is disconnected.
 *
 * The server (`LiveServer.ts`) adds what one client cannot see: a cap on the bytes buffered for
 * all clients together, and disconnection of a client that stays congested for the stall time or
 * stops answering pings (see docs/limits.md).
 */
import type { WebSocket } from 'ws';
import type { ServerEvent } from '../protocol.ts';

export const HIGH_WATER = 1 << 20;
export const HARD_LIMIT = 32 << 20;
const DRAIN_POLL_MS = 25;

export interface ClientStats {
  sentFrames: number;
  droppedFrames: number;
  droppedSteps: number;
  /** Bytes the socket holds that the client has not read yet. */
  buffered: number;
  /** Why the server dropped this client, once it did. */
  disconnected?: string;
}

export class ClientStream {
  readonly stats: ClientStats = { sentFrames: 0, droppedFrames: 0, droppedSteps: 0, buffered: 0 };
  /** Newest unsent frame per channel while congested. */
  private readonly pendingFrames = new Map<number, Uint8Array>();
  private gapFrames = 0;
  private gapSteps = 0;
  private drainTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly ws: WebSocket,
    private readonly highWater = HIGH_WATER,
    private readonly hardLimit = HARD_LIMIT,
  ) {
    ws.on('close', () => this.stopDrainPoll());
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Events that must arrive (starts, ends, scene changes, replies). */
  sendControl(ev: ServerEvent): void {
    if (!this.open) return;
    this.ws.send(JSON.stringify(ev));
    this.checkLimit();
  }

  /** A per-step event: dropped (and counted) while the client is behind. */
  sendStep(ev: ServerEvent): void {
    this.sendStepText(JSON.stringify(ev));
  }

  /** {@link sendStep} of an event already serialised (once for every client). */
  sendStepText(text: string): void {
    if (!this.open) return;
    if (this.congested()) {
      this.stats.droppedSteps++;
      this.gapSteps++;
      this.startDrainPoll();
      return;
    }
    this.flushPending();
    this.ws.send(text);
  }

  /** A binary transforms frame: coalesced per channel while the client is behind. */
  sendFrame(channel: number, frame: Uint8Array): void {
    if (!this.open) return;
    if (this.congested()) {
      if (this.pendingFrames.has(channel)) {
        this.stats.droppedFrames++;
        this.gapFrames++;
      }
      this.pendingFrames.set(channel, frame);
      this.startDrainPoll();
      return;
    }
    this.flushPending();
    this.ws.send(frame);
    this.stats.sentFrames++;
  }

  /** Drops the connection at once (a close frame would only queue behind the backlog). */
  terminate(reason: string): void {
    this.stats.disconnected ??= reason;
    this.stopDrainPoll();
    this.ws.terminate();
  }

  close(code = 1001, reason = 'server shutting down'): void {
    this.stopDrainPoll();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private congested(): boolean {
    this.stats.buffered = this.ws.bufferedAmount;
    this.checkLimit();
    return this.stats.buffered > this.highWater;
  }

  private checkLimit(): void {
    if (this.ws.bufferedAmount > this.hardLimit) {
      // The client stopped reading long ago; holding more of its backlog only costs memory.
      this.terminate(`more than ${this.hardLimit} bytes unread`);
    }
  }

  private flushPending(): void {
    if (this.pendingFrames.size === 0 && this.gapFrames === 0 && this.gapSteps === 0) return;
    if (this.gapFrames > 0 || this.gapSteps > 0) {
      this.ws.send(JSON.stringify({ type: 'gap', droppedFrames: this.gapFrames, droppedSteps: this.gapSteps } satisfies ServerEvent));
      this.gapFrames = 0;
      this.gapSteps = 0;
    }
    for (const frame of this.pendingFrames.values()) {
      this.ws.send(frame);
      this.stats.sentFrames++;
    }
    this.pendingFrames.clear();
  }

  /** While congested, polls the socket so the newest frames go out as soon as it drains, even
   * when the simulation has gone quiet. */
  private startDrainPoll(): void {
    if (this.drainTimer) return;
    this.drainTimer = setInterval(() => {
      if (!this.open) return this.stopDrainPoll();
      if (this.congested()) return;
      this.flushPending();
      this.stopDrainPoll();
    }, DRAIN_POLL_MS);
    this.drainTimer.unref();
  }

  private stopDrainPoll(): void {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
  }
}
