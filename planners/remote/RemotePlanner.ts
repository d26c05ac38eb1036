/**
 * Remote planner: the policy runs in another process, in any language, behind a WebSocket
 * (protocol v1, `interop/policyProtocol.ts`, docs/interop.md). planarena is the client; each
 * planner instance — one per run worker — holds one connection.
 *
 * Per episode: `reset` sends `episode_start` and waits for `ready`; each `act` sends the
 * observation and waits for `action`; `endEpisode` sends `episode_end` with the outcome and waits
 * for `ack`. Any failure (see `PolicyConnection` for the categories, plus `bad_action` for an
 * action of the wrong length or with non-finite values) throws a `RemotePolicyError`, which the
 * runner records as `planner_error` with the message; the connection is dropped and the next
 * episode connects again, so one bad episode never spoils the rest of the run.
 *
 * Naming: plain `remote`, or `remote:LABEL` (`--remote-name LABEL` names a plain `remote`), so a
 * report can show two remote policies side by side. Latency per decision is in `info.remote`
 * and in the record's plannerMs; `--clock realtime` charges the measured round trip.
 */
import { UserError } from '../../core/errors.ts';
import { episodeStartPayload, observationPayload, type ActionPayload } from '../../interop/policyProtocol.ts';
import { readVector, toJsonSafe } from '../../interop/wire.ts';
import type { Action, Observation } from '../../sim/types.ts';
import type { ActResult, EpisodeOutcome, Planner, PlannerFactory, PlannerOptions, TaskSpec } from '../Planner.ts';
import { PolicyConnection, RemotePolicyError, type RemoteFailure } from './PolicyConnection.ts';
import { resolveRemoteConfig, type RemoteSettings } from './RemoteConfig.ts';

/** Per-episode counters, returned by `episodeStats` (merged into the record's plannerStats). */
class RemoteStats {
  decisions = 0;
  latencyMsTotal = 0;
  latencyMsMax = 0;
  bytesOut = 0;
  bytesIn = 0;
  connects = 0;
  /** `episode_end` that got no `ack` (the outcome was already recorded; only the connection is replaced). */
  endFailures = 0;
  failure: RemoteFailure | null = null;

  toRecord(): Record<string, number> {
    const out: Record<string, number> = {
      remoteDecisions: this.decisions,
      remoteLatencyMsMean: this.decisions ? round(this.latencyMsTotal / this.decisions) : 0,
      remoteLatencyMsMax: round(this.latencyMsMax),
      remoteBytesOut: this.bytesOut,
      remoteBytesIn: this.bytesIn,
      remoteConnects: this.connects,
      remoteEndFailures: this.endFailures,
    };
    // One counter per category, so `planarena report` and jq can count failures by kind.
    if (this.failure) out[`remoteError_${this.failure}`] = 1;
    return out;
  }
}

export class RemotePlanner implements Planner {
  private conn: PolicyConnection | null = null;
  private task: TaskSpec | null = null;
  private stats = new RemoteStats();
  /** An episode_start was answered and no episode_end has been sent since. */
  private inEpisode = false;

  constructor(
    readonly name: string,
    readonly config: Readonly<RemoteSettings> & { url: string },
  ) {}

  private get timeoutMs(): number {
    return this.config.timeoutS * 1000;
  }

  /** Opens the connection now, so a wrong URL is refused before the run starts. */
  async connect(): Promise<void> {
    this.conn = await PolicyConnection.open(this.config.url, this.timeoutMs, Math.round(this.config.maxFrameMb * 1024 * 1024));
    this.stats.connects++;
  }

  async reset(task: TaskSpec, seed: number): Promise<void> {
    this.stats = new RemoteStats();
    this.task = task;
    this.inEpisode = false;
    // A connection that failed in an earlier episode is replaced; the server saw it close.
    if (!this.conn?.usable) {
      this.conn?.close();
      this.conn = null;
      await this.guard(() => this.connect());
    }
    await this.guard(() => this.conn!.request('episode_start', episodeStartPayload(task, seed), this.timeoutMs).then((r) => this.count(r)));
    this.inEpisode = true;
  }

  async act(obs: Observation): Promise<ActResult> {
    if (!this.task || !this.conn || !this.inEpisode) throw new Error('RemotePlanner.act called before reset');
    const dim = this.task.actionSpace.dim;
    return this.guard(async () => {
      const reply = await this.conn!.request('observation', observationPayload(obs), this.timeoutMs);
      this.count(reply);
      this.stats.decisions++;
      this.stats.latencyMsTotal += reply.latencyMs;
      this.stats.latencyMsMax = Math.max(this.stats.latencyMsMax, reply.latencyMs);
      const payload = reply.envelope.payload as ActionPayload;
      const action = checkAction(payload?.action, dim);
      const info = payload.info && typeof payload.info === 'object' && !Array.isArray(payload.info) ? (toJsonSafe(payload.info) as Record<string, unknown>) : {};
      return { action, info: { ...info, remote: { latencyMs: round(reply.latencyMs), seq: reply.envelope.seq } } };
    });
  }

  /** Tells the server how the episode ended; a missing `ack` is counted, never thrown: the outcome stands. */
  async endEpisode(outcome: EpisodeOutcome): Promise<void> {
    if (!this.inEpisode) return;
    this.inEpisode = false;
    if (!this.conn?.usable) return; // the failure that ended the episode already closed it
    try {
      this.count(await this.conn.request('episode_end', outcome, this.timeoutMs));
    } catch {
      // The connection is poisoned by the failure and replaced at the next reset.
      this.stats.endFailures++;
    }
  }

  episodeStats(): Record<string, number> {
    return this.stats.toRecord();
  }

  dispose(): void {
    this.conn?.close();
    this.conn = null;
  }

  private count(r: { bytesOut: number; bytesIn: number }): void {
    this.stats.bytesOut += r.bytesOut;
    this.stats.bytesIn += r.bytesIn;
  }

  /** Runs a protocol step; on failure notes the category, drops the connection and rethrows. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e instanceof RemotePolicyError ? e : new RemotePolicyError('protocol', e instanceof Error ? e.message : String(e));
      this.stats.failure ??= err.category;
      this.inEpisode = false;
      this.conn?.close();
      throw new RemotePolicyError(err.category, `${err.message.replace(/^remote policy [a-z_]+: /, '')} [${this.name} at ${this.config.url}]`);
    }
  }
}

/** The action as numbers: exactly `dim` of them, all finite; else a `bad_action` error. */
function checkAction(value: unknown, dim: number): Action {
  let action: number[];
  try {
    action = readVector(value, 'action');
  } catch (e) {
    throw new RemotePolicyError('bad_action', (e as Error).message);
  }
  if (action.length !== dim) throw new RemotePolicyError('bad_action', `action has ${action.length} numbers; this robot takes ${dim}`);
  const bad = action.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RemotePolicyError('bad_action', `action[${bad}] is ${action[bad]}; every component must be finite`);
  return action;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

const HOW = 'pass --remote-url ws://HOST:PORT (or LABEL=ws://… per remote planner) with a policy server listening there (examples/remote_policy_server.py).';

/** The factory for `remote` (label undefined) or `remote:LABEL`; the registry resolves names to it. */
export function remoteFactory(label: string | undefined): PlannerFactory {
  const name = label === undefined ? 'remote' : `remote:${label}`;
  return {
    name,
    description: 'a policy served over WebSocket + MessagePack by another process, in any language (protocol v1, docs/interop.md)',
    // Whatever the server does is outside planarena's control: no hash guarantees.
    deterministic: false,
    observes: () => ({ reads: 'the whole observation, flat as a float32 array (docs/interop.md)' }),
    unavailable(opts: PlannerOptions) {
      const cfg = resolveRemoteConfig(opts.config, label);
      // Two short lines: the demo prints it as the planner's skip line.
      return cfg.url === null ? `no --remote-url for ${name}: start a policy server (examples/remote_policy_server.py)\n  and pass --remote-url ws://HOST:PORT (LABEL=ws://… per remote planner)` : null;
    },
    async create(opts: PlannerOptions) {
      const cfg = resolveRemoteConfig(opts.config, label);
      if (cfg.url === null) throw new UserError('E_REMOTE_CONFIG', `no --remote-url for ${name}; ${HOW}`);
      const planner = new RemotePlanner(name, { ...cfg, url: cfg.url });
      try {
        await planner.connect();
      } catch (e) {
        if (e instanceof RemotePolicyError) throw new UserError('E_REMOTE_CONNECT', `${name}: ${e.message.replace(/^remote policy [a-z_]+: /, '')}; start the policy server first, or fix --remote-url.`);
        throw e;
      }
      return planner;
    },
  };
}
