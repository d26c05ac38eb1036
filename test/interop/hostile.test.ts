/**
 * Hostile policy servers: each misbehaviour ends its episode as `planner_error` with a
 * categorised reason, and the run finishes — the next episode connects again and succeeds.
 * Seed 0 meets the fault after three observations; seed 1 is served correctly.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { startPolicyServer, type Fault, type FaultContext, type PolicyServer } from '../support/policyServer.ts';
import { runFlags, tmpDir } from './session.ts';

const tmp = tmpDir('hostile');
const servers: PolicyServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(tmp, { recursive: true, force: true });
});

let runs = 0;
async function runAgainst(fault: (ctx: FaultContext) => Fault | null, extra: Record<string, string> = {}): Promise<{ records: EpisodeRecord[]; server: PolicyServer }> {
  const server = await startPolicyServer({ fault, slowMs: 4000 });
  servers.push(server);
  const result = await runFlags({ scenarios: 'arm-reach', seeds: '0,1', planners: 'remote', 'remote-url': server.url, 'remote-timeout': '1.5', out: `${tmp}/run-${runs++}`, ...extra });
  expect(result.interrupted).toBe(false);
  return { records: result.records, server };
}

/** The fault on seed 0's fourth observation. */
const onObservation = (f: Fault) => (ctx: FaultContext) => (ctx.type === 'observation' && ctx.seed === 0 && ctx.step === 3 ? f : null);

const CASES: [Fault, string, RegExp][] = [
  ['garbage', 'protocol', /frame of 4 bytes is not MessagePack/],
  ['text', 'protocol', /got a text frame/],
  ['wrong_seq', 'protocol', /reply "action" carries seq 11, but the request waiting is "observation" seq 4/],
  ['wrong_type', 'protocol', /expected "action" in reply to "observation" seq 4, got "ack"/],
  ['slow', 'timeout', /no "action" to "observation" seq 4 within 1\.5 s/],
  ['silent', 'timeout', /no "action" to "observation" seq 4 within 1\.5 s/],
  ['close', 'connection', /the server closed the connection \(code 1011, "policy crashed"\)/],
  ['huge', 'oversize', /the server sent a frame larger than the limit/],
  ['error', 'server_error', /in reply to "observation" seq 4: CUDA out of memory/],
  ['short_action', 'bad_action', /action has 2 numbers; this robot takes 3/],
  ['nan_action', 'bad_action', /action\[0\] is NaN; every component must be finite/],
];

describe('hostile policy servers', () => {
  it.each(CASES)('%s → planner_error (%s), and the run goes on', async (fault, category, detail) => {
    const { records, server } = await runAgainst(onObservation(fault));
    const [bad, good] = records;
    expect(bad.failure).toBe('planner_error');
    expect(bad.error).toMatch(new RegExp(`^act: remote policy ${category}: `));
    expect(bad.error).toMatch(detail);
    expect(bad.error).toContain(`[remote at ${server.url}]`);
    expect(bad.steps).toBe(3);
    expect(bad.plannerStats[`remoteError_${category}`]).toBe(1);
    // The next episode reconnects and is served normally.
    expect(good.failure).not.toBe('planner_error');
    expect(good.success).toBe(true);
    expect(good.plannerStats.remoteConnects).toBe(1);
    expect(server.connections).toBe(2);
    expect(server.clientViolations).toEqual([]);
  });

  it('an error answering episode_start fails that episode at reset', async () => {
    const { records } = await runAgainst((ctx) => (ctx.type === 'episode_start' && ctx.seed === 0 ? 'error' : null));
    expect(records[0]).toMatchObject({ failure: 'planner_error', steps: 0 });
    expect(records[0].error).toMatch(/^reset: remote policy server_error: in reply to "episode_start" seq 0: CUDA out of memory/);
    expect(records[1].success).toBe(true);
  });

  it('a missing ack to episode_end is counted, and the outcome stands', async () => {
    const { records, server } = await runAgainst((ctx) => (ctx.type === 'episode_end' && ctx.seed === 0 ? 'silent' : null));
    expect(records[0]).toMatchObject({ success: true, failure: null });
    expect(records[0].error).toBeUndefined();
    expect(records[0].plannerStats.remoteEndFailures).toBe(1);
    expect(records[1].success).toBe(true);
    expect(server.connections).toBe(2);
  });

  it('a server that dies for good fails every later episode at reset, and the run still ends', async () => {
    let dying: PolicyServer | undefined;
    const server = await startPolicyServer({
      fault: (ctx) => {
        if (ctx.type !== 'observation' || ctx.step !== 3) return null;
        void dying?.close();
        return 'close';
      },
    });
    dying = server;
    const result = await runFlags({ scenarios: 'arm-reach', seeds: '0,1,2', planners: 'remote', 'remote-url': server.url, 'remote-timeout': '1.5', out: `${tmp}/dies` });
    expect(result.records.map((r) => r.failure)).toEqual(['planner_error', 'planner_error', 'planner_error']);
    expect(result.records[0].error).toMatch(/^act: remote policy connection: /);
    for (const r of result.records.slice(1)) expect(r.error).toMatch(/^reset: remote policy connection: cannot connect to ws:\/\/127\.0\.0\.1:\d+\/policy: ECONNREFUSED/);
  });
});
