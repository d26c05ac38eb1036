/**
 * Remote planners against the TypeScript reference policy server over real WebSockets on
 * loopback: every robot type, two remote policies side by side, --remote-name, one connection
 * per worker, the realtime clock charging the round trip, and one-line errors for bad flags.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import type { RunManifest } from '../../core/records.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { obsLength } from '../../sim/observation.ts';
import { startPolicyServer, type PolicyServer } from '../support/policyServer.ts';
import { runFlags, tmpDir } from './session.ts';

const tmp = tmpDir('remote');
const servers: PolicyServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function server(opts: Parameters<typeof startPolicyServer>[0] = {}): Promise<PolicyServer> {
  const s = await startPolicyServer(opts);
  servers.push(s);
  return s;
}

describe('remote planner', () => {
  it('drives every robot type through the reference policy server, and tells it each outcome', async () => {
    const ref = await server();
    const result = await runFlags({ suite: 'smoke', seeds: '2', planners: 'remote', 'remote-url': ref.url, out: `${tmp}/smoke` });
    expect(result.records).toHaveLength(6);
    for (const r of result.records) {
      expect(r.planner).toBe('remote');
      expect(r.error, `${r.scenario} seed ${r.seed}`).toBeUndefined();
      expect(['planner_error', 'error']).not.toContain(r.failure);
      expect(r.plannerStats.remoteDecisions).toBe(r.steps);
      expect(r.plannerStats.remoteConnects).toBe(0); // the one connection was opened at create
    }
    // The policy is real: it reaches the goal with the wheeled robot and the arm.
    expect(result.records.filter((r) => r.scenario === 'open-field' && r.success)).toHaveLength(2);
    expect(result.records.filter((r) => r.scenario === 'arm-reach' && r.success)).toHaveLength(2);

    expect(ref.connections).toBe(1);
    expect(ref.clientViolations).toEqual([]);
    expect(new Set(ref.episodes.map((e) => e.start.robot))).toEqual(new Set(['diffdrive', 'pusher', 'arm']));
    for (const [i, e] of ref.episodes.entries()) {
      const r = result.records[i];
      expect(e.start).toMatchObject({ scenario: r.scenario, seed: r.seed });
      expect(e.start.actionNames.length).toBe(e.start.actionLow.length);
      expect(e.flatLengths).toEqual(new Set([obsLength(e.start.robot)]));
      expect(e.observations).toBe(r.steps);
      expect(e.end).toEqual({ success: r.success, failure: r.failure, return: r.return, steps: r.steps });
    }
  });

  it('runs two remote policies side by side under their own names', async () => {
    const a = await server();
    const b = await server({ ndarrayActions: true });
    const result = await runFlags({ scenarios: 'open-field', seeds: '1', planners: 'remote:ppo,remote:dreamer', 'remote-url': `ppo=${a.url},dreamer=${b.url}`, out: `${tmp}/two` });
    expect(result.summary.rows.map((r) => r.planner)).toEqual(['remote:ppo', 'remote:dreamer']);
    expect(result.records.every((r) => r.failure !== 'planner_error')).toBe(true);
    expect(a.episodes).toHaveLength(1);
    expect(b.episodes).toHaveLength(1);
    // The same policy with array and ndarray actions drives the same episode.
    expect(result.records[0].trajectoryHash).toBe(result.records[1].trajectoryHash);
  });

  it('names a plain `remote` with --remote-name', async () => {
    const ref = await server();
    const result = await runFlags({ scenarios: 'arm-reach', seeds: '1', planners: 'remote', 'remote-url': ref.url, 'remote-name': 'ik-v2', out: `${tmp}/named` });
    expect(result.records.map((r) => r.planner)).toEqual(['remote:ik-v2']);
    expect((JSON.parse(readFileSync(result.runDir.manifestPath, 'utf8')) as RunManifest).config.planners).toEqual(['remote:ik-v2']);
  });

  it('opens one connection per run worker', async () => {
    const ref = await server();
    const result = await runFlags({ scenarios: 'open-field,arm-reach', seeds: '2', planners: 'remote:ref', 'remote-url': `ref=${ref.url}`, workers: '2', out: `${tmp}/workers` });
    expect(result.records).toHaveLength(4);
    expect(result.records.every((r) => r.planner === 'remote:ref' && r.failure !== 'planner_error' && r.failure !== 'error')).toBe(true);
    expect(ref.connections).toBe(2);
    expect(new Set(ref.episodes.map((e) => e.connection))).toEqual(new Set([0, 1]));
  });

  it('charges the round trip under --clock realtime', async () => {
    const slow = await server({ fault: ({ type }) => (type === 'observation' ? 'slow' : null), slowMs: 300 });
    const result = await runFlags({ scenarios: 'arm-reach', seeds: '1', planners: 'remote', 'remote-url': slow.url, clock: 'realtime', out: `${tmp}/realtime` });
    const [r] = result.records;
    expect(r.failure).not.toBe('planner_error');
    // Every decision takes >= 300 ms = 3 control periods, during which the world runs on.
    expect(r.steps).toBeGreaterThanOrEqual(4 * r.plannerStats.remoteDecisions - 3);
    expect(r.plannerMsP50).toBeGreaterThanOrEqual(300);
  });
});

describe('remote planner: bad input', () => {
  const refuse = async (flags: Record<string, string>, pattern: RegExp) => {
    const err = await runFlags({ scenarios: 'open-field', seeds: '1', out: `${tmp}/bad-${Math.random().toString(36).slice(2)}`, ...flags }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    expect((err as Error).message).toMatch(pattern);
  };

  it('refuses a URL that is not ws://', () => refuse({ planners: 'remote', 'remote-url': 'http://127.0.0.1:1' }, /--remote-url "http:\/\/127\.0\.0\.1:1" must start with ws:\/\//));
  it('refuses a server that is not there, naming the URL', () => refuse({ planners: 'remote', 'remote-url': 'ws://127.0.0.1:1' }, /remote: cannot connect to ws:\/\/127\.0\.0\.1:1: ECONNREFUSED.*start the policy server first/));
  it('skips a remote planner without a URL, saying how to give one', () => refuse({ planners: 'remote:ppo' }, /none of the planners remote:ppo can run here/));
  it('refuses a bad label', () => refuse({ planners: 'remote:a/b' }, /the label after "remote:" must be letters, digits/));
  it('refuses a label on a planner that takes none', () => refuse({ planners: 'scripted:x' }, /planner "scripted" takes no label/));
  it('refuses a bad timeout', () => refuse({ planners: 'remote', 'remote-url': 'ws://127.0.0.1:1', 'remote-timeout': 'soon' }, /--remote-timeout must be a time in seconds/));
  it('refuses a label given twice', () => refuse({ planners: 'remote:a', 'remote-url': 'a=ws://x:1,a=ws://y:1' }, /--remote-url gives "a" twice/));
  it('refuses a bad --remote-name', () => refuse({ planners: 'remote', 'remote-url': 'ws://127.0.0.1:1', 'remote-name': 'a b' }, /--remote-name "a b": use letters/));

  it('says why a remote planner is unavailable', async () => {
    const f = await getPlannerFactory('remote:ppo');
    expect(f.unavailable?.({ config: { remoteUrl: 'dreamer=ws://h:1' } })).toMatch(/^no --remote-url for remote:ppo: start a policy server .*\n {2}and pass --remote-url ws:\/\/HOST:PORT/);
    expect(f.unavailable?.({ config: { remoteUrl: 'ws://h:1' } })).toBeNull();
  });
});
