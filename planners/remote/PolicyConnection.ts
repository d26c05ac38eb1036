/**
 * One WebSocket to a policy server, speaking protocol v1 (`interop/policyProtocol.ts`) as the
 * client: one request outstanding at a time, each answered by one reply with the request's `seq`.
 *
 * Every way a server can misbehave becomes a `RemotePolicyError` with a category, and poisons
 * the connection: after the first failure it is closed and never used again (the planner opens
 * a new one for the next episode), so a late or stray frame can never be taken as the answer to
 * a later request.
 *
 * | category       | cause                                                                     |
 * |----------------|---------------------------------------------------------------------------|
 * | `connection`   | cannot connect, or the connection closed or failed                        |
 * | `timeout`      | no reply within the timeout                                               |
 * | `protocol`     | a text frame, not MessagePack, not an envelope, wrong `seq` or type, an unsolicited message |
 * | `oversize`     | a frame larger than the limit (`remote-max-frame-mb`)                     |
 * | `server_error` | the server sent `error {message}`                                         |
 * | `bad_action`   | the action has the wrong length, non-numbers or non-finite values (checked by the planner) |
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { POLICY_REPLY, type PolicyRequestType } from '../../interop/policyProtocol.ts';
import { decodeMessage, encodeMessage, frameBytes, ProtocolViolation, type Envelope } from '../../interop/wire.ts';

export type RemoteFailure = 'connection' | 'timeout' | 'protocol' | 'oversize' | 'server_error' | 'bad_action';
export const REMOTE_FAILURES: readonly RemoteFailure[] = ['connection', 'timeout', 'protocol', 'oversize', 'server_error', 'bad_action'];

export class RemotePolicyError extends Error {
  override readonly name = 'RemotePolicyError';
  constructor(
    readonly category: RemoteFailure,
    detail: string,
  ) {
    super(`remote policy ${category}: ${detail}`);
  }
}

export interface Reply {
  envelope: Envelope;
  /** Wall time from sending the request to decoding its reply. */
  latencyMs: number;
  bytesOut: number;
  bytesIn: number;
}

interface Pending {
  seq: number;
  request: PolicyRequestType;
  resolve(reply: Reply): void;
  reject(e: RemotePolicyError): void;
  timer: NodeJS.Timeout;
  sentAt: number;
  bytesOut: number;
}

export class PolicyConnection {
  private seq = 0;
  private pending: Pending | null = null;
  /** The first failure; once set, every request fails with it. */
  private fault: RemotePolicyError | null = null;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(frameBytes(data as Buffer | ArrayBuffer | Buffer[]), isBinary));
    ws.on('error', (e: Error & { code?: string }) => {
      // ws reports a frame over maxPayload as an error, then closes with 1009.
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.fail(new RemotePolicyError('oversize', `${this.waitingFor()}: the server sent a frame larger than the limit (--set remote-max-frame-mb); ${e.message}`));
      else this.fail(new RemotePolicyError('connection', `${this.waitingFor()}: ${e.message}`));
    });
    ws.on('close', (code, reason) => {
      const why = reason.length > 0 ? `, "${reason.toString('utf8').slice(0, 120)}"` : '';
      this.fail(new RemotePolicyError('connection', `${this.waitingFor()}: the server closed the connection (code ${code}${why})`));
    });
  }

  /** Connects; rejects with a `connection` (or `timeout`) RemotePolicyError naming the URL. */
  static open(url: string, timeoutMs: number, maxPayloadBytes: number): Promise<PolicyConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: maxPayloadBytes, perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const failed = (e: RemotePolicyError) => {
        ws.removeAllListeners();
        ws.on('error', () => {}); // a late error of an abandoned socket is not news
        ws.terminate();
        reject(e);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve(new PolicyConnection(ws, url));
      });
      ws.once('unexpected-response', (_req, res) => failed(new RemotePolicyError('connection', `cannot connect to ${url}: the server answered HTTP ${res.statusCode} instead of a WebSocket upgrade`)));
      ws.once('error', (e: Error & { code?: string }) => {
        const timedOut = /timed out/i.test(e.message);
        failed(new RemotePolicyError(timedOut ? 'timeout' : 'connection', `cannot connect to ${url}: ${e.code ?? e.message}${timedOut ? '' : ' (is the policy server running?)'}`));
      });
    });
  }

  /** False once anything went wrong: the connection must be replaced. */
  get usable(): boolean {
    return this.fault === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends `type` with `payload` and waits for its reply (POLICY_REPLY[type]) for at most `timeoutMs`. */
  request(type: PolicyRequestType, payload: unknown, timeoutMs: number): Promise<Reply> {
    if (this.fault) return Promise.reject(this.fault);
    if (this.pending) return Promise.reject(new RemotePolicyError('protocol', `planarena bug: "${type}" sent while "${this.pending.request}" seq ${this.pending.seq} waits`));
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(this.poison(new RemotePolicyError('connection', `connection to ${this.url} is not open`)));
    const seq = this.seq++;
    const frame = encodeMessage(type, seq, payload);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new RemotePolicyError('timeout', `no "${POLICY_REPLY[type]}" to "${type}" seq ${seq} within ${timeoutMs / 1000} s (--remote-timeout)`));
      }, timeoutMs);
      this.pending = { seq, request: type, resolve, reject, timer, sentAt: performance.now(), bytesOut: frame.byteLength };
      this.ws.send(frame, (e) => {
        if (e) this.fail(new RemotePolicyError('connection', `sending "${type}" seq ${seq}: ${e.message}`));
      });
    });
  }

  /** Closes politely (code 1000); safe to call more than once. */
  close(): void {
    this.poison(new RemotePolicyError('connection', 'connection closed by planarena'));
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000, 'planarena done');
  }

  private onFrame(bytes: Uint8Array, isBinary: boolean): void {
    if (this.fault) return;
    let msg: Envelope;
    try {
      msg = decodeMessage(bytes, isBinary);
    } catch (e) {
      if (e instanceof ProtocolViolation) return this.fail(new RemotePolicyError('protocol', `${this.waitingFor()}: ${e.message}`));
      throw e;
    }
    const p = this.pending;
    if (msg.type === 'error') {
      const text = (msg.payload as { message?: unknown }).message;
      return this.fail(new RemotePolicyError('server_error', `${p ? `in reply to "${p.request}" seq ${p.seq}` : `unprompted (seq ${msg.seq})`}: ${typeof text === 'string' ? text.slice(0, 500) : 'error without a message'}`));
    }
    if (!p) return this.fail(new RemotePolicyError('protocol', `unsolicited "${msg.type}" (seq ${msg.seq}) while no request was waiting`));
    if (msg.seq !== p.seq) return this.fail(new RemotePolicyError('protocol', `reply "${msg.type}" carries seq ${msg.seq}, but the request waiting is "${p.request}" seq ${p.seq}`));
    const expected = POLICY_REPLY[p.request];
    if (msg.type !== expected) return this.fail(new RemotePolicyError('protocol', `expected "${expected}" in reply to "${p.request}" seq ${p.seq}, got "${msg.type}"`));
    clearTimeout(p.timer);
    this.pending = null;
    p.resolve({ envelope: msg, latencyMs: performance.now() - p.sentAt, bytesOut: p.bytesOut, bytesIn: bytes.byteLength });
  }

  private waitingFor(): string {
    const p = this.pending;
    return p ? `waiting for "${POLICY_REPLY[p.request]}" to "${p.request}" seq ${p.seq}` : 'between requests';
  }

  /** Records the failure, rejects the request in flight with it and drops the connection. */
  private fail(e: RemotePolicyError): void {
    this.poison(e);
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  private poison(e: RemotePolicyError): RemotePolicyError {
    this.fault ??= e;
    const p = this.pending;
    if (p) {
      this.pending = null;
      clearTimeout(p.timer);
      p.reject(this.fault);
    }
    return this.fault;
  }
}
