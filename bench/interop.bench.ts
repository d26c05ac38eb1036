/**
 * Interop overhead: what protocol v1 (WebSocket + MessagePack on loopback) costs per decision
 * and per env step.
 *
 * - Remote planner: the TypeScript reference policy server's go-to-goal policy, asked over the
 *   protocol (`RemotePlanner.act`) against the same policy called in process on the same
 *   observation payload. The ratio is remote ÷ in-process time per decision. The overhead (the
 *   difference: encode, two socket hops, decode, checks) is also compared with one env control
 *   step: below 1, a remote policy at most doubles the simulator's cost per decision.
 * - Env server: control steps/s for a client stepping through `planarena env-server`, against
 *   stepping the environment in process, with the same fixed actions.
 *
 * Server and client share this process (so the figures include both sides' work). Each stretch
 * is timed on the wall clock and its fastest of REPEATS runs counts, as in the runner bench; the
 * remote decision's process CPU time (encode, decode, socket calls, both policy ends) is also
 * given, as a figure a busy machine inflates less than the wall-clock round trip.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { catalogOf } from '../interop/EnvSession.ts';
import { startEnvServer } from '../interop/EnvServer.ts';
import { episodeStartPayload, observationPayload, taskView } from '../interop/policyProtocol.ts';
import { decodeMessage, encodeMessage, frameBytes } from '../interop/wire.ts';
import { taskSpec } from '../planners/Planner.ts';
import { remoteFactory } from '../planners/remote/RemotePlanner.ts';
import { loadScenario, loadSuite } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import type { Observation } from '../sim/types.ts';
import { policy, startPolicyServer } from '../test/support/policyServer.ts';
import { cpuMs, fastestTotal, type Bench, type BenchLine } from './types.ts';

const SCENE = 'open-field';
const REPEATS = 7;
const STRETCH = 50;

const fixedAction = (i: number, dim: number) => Array.from({ length: dim }, (_, k) => ((i * 7 + k * 3) % 11) / 5 - 1);

/** Observations of one episode driven by the policy, and the wall ms of its control steps. */
async function episode(): Promise<{ observations: Observation[]; stepMs: number }> {
  const scenario = loadScenario(SCENE);
  const env = await createEnv(scenario);
  const start = episodeStartPayload(taskView(scenario, env.actionSpace), 0);
  let obs = env.reset({ seed: 0 }).obs;
  const observations: Observation[] = [];
  let ms = 0;
  for (;;) {
    observations.push(obs);
    const action = policy(start, observationPayload(obs) as unknown as Record<string, unknown>);
    const t0 = performance.now();
    const r = env.step(action);
    ms += performance.now() - t0;
    obs = r.obs;
    if (r.terminated || r.truncated) break;
  }
  env.dispose();
  return { observations, stepMs: ms / observations.length };
}

async function remoteLines(): Promise<BenchLine[]> {
  const scenario = loadScenario(SCENE);
  const server = await startPolicyServer();
  const planner = await remoteFactory(undefined).create({ config: { remoteUrl: server.url } });
  try {
    // Warm the physics first: the step time is the fastest of a few episodes.
    const first = await episode();
    const observations = first.observations;
    let stepMs = first.stepMs;
    for (let i = 0; i < 4; i++) stepMs = Math.min(stepMs, (await episode()).stepMs);
    const env = await createEnv(scenario);
    const start = episodeStartPayload(taskView(scenario, env.actionSpace), 0);
    await planner.reset(taskSpec(scenario, env.actionSpace), 0);
    env.dispose();
    const stretches = Math.floor(observations.length / STRETCH);
    const remoteRuns: number[][] = [];
    const remoteCpuRuns: number[][] = [];
    const localRuns: number[][] = [];
    for (let r = 0; r < REPEATS + 1; r++) {
      const remote: number[] = [];
      const remoteCpu: number[] = [];
      const local: number[] = [];
      for (let s = 0; s < stretches; s++) {
        const slice = observations.slice(s * STRETCH, (s + 1) * STRETCH);
        let t0 = performance.now();
        const c0 = cpuMs();
        for (const o of slice) await planner.act(o);
        remote.push(performance.now() - t0);
        remoteCpu.push(cpuMs() - c0);
        t0 = performance.now();
        for (const o of slice) policy(start, observationPayload(o) as unknown as Record<string, unknown>);
        local.push(performance.now() - t0);
      }
      if (r > 0) {
        // The first run warms both paths up.
        remoteRuns.push(remote);
        remoteCpuRuns.push(remoteCpu);
        localRuns.push(local);
      }
    }
    const n = stretches * STRETCH;
    const cpuUs = (fastestTotal(remoteCpuRuns) * 1000) / n;
    const remoteUs = (fastestTotal(remoteRuns) * 1000) / n;
    const localUs = (fastestTotal(localRuns) * 1000) / n;
    const overheadUs = remoteUs - localUs;
    return [
      { figure: `remote policy decision, loopback (${SCENE})`, value: remoteUs, unit: 'µs', baseline: { name: 'same policy in process', value: localUs }, ratio: remoteUs / localUs },
      { figure: `remote decision CPU time, both ends (${SCENE})`, value: cpuUs, unit: 'µs' },
      { figure: `remote protocol overhead per decision (${SCENE})`, value: overheadUs, unit: 'µs', baseline: { name: 'one env control step', value: stepMs * 1000 }, ratio: overheadUs / (stepMs * 1000), target: 1, targetBelow: true },
    ];
  } finally {
    await planner.dispose();
    await server.close();
  }
}

async function envServerLines(): Promise<BenchLine[]> {
  const scenario = loadScenario(SCENE);
  const server = await startEnvServer({ port: 0, host: '127.0.0.1', physics: 'deterministic', lidar: 'analytic', catalog: catalogOf({ loadScenario, loadSuite }), maxSessions: 2 });
  const ws = new WebSocket(server.url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let seq = 0;
  let waiting: ((v: unknown) => void) | null = null;
  ws.on('message', (data, isBinary) => {
    const m = decodeMessage(frameBytes(data as Buffer), isBinary);
    if (m.type === 'error') throw new Error(`env server: ${(m.payload as { message: string }).message}`);
    waiting?.(m.payload);
  });
  const request = (type: string, payload: unknown) =>
    new Promise<unknown>((resolve) => {
      waiting = resolve;
      ws.send(encodeMessage(type, seq++, payload));
    });
  try {
    const remoteRuns: number[][] = [];
    const localRuns: number[][] = [];
    let steps = 0;
    for (let r = 0; r < REPEATS + 1; r++) {
      // Through the server: one episode of fixed actions, in stretches.
      await request('reset', { scenario: SCENE, seed: 0 });
      const remote: number[] = [];
      let done = false;
      let i = 0;
      while (!done) {
        const t0 = performance.now();
        for (let k = 0; k < STRETCH && !done; k++, i++) {
          const reply = (await request('step', { action: fixedAction(i, 2) })) as { terminated: boolean; truncated: boolean };
          done = reply.terminated || reply.truncated;
        }
        remote.push(performance.now() - t0);
      }
      steps = i;
      // In process: the same actions on a fresh environment.
      const env = await createEnv(scenario);
      env.reset({ seed: 0 });
      const local: number[] = [];
      for (let j = 0; j < steps; ) {
        const t0 = performance.now();
        for (let k = 0; k < STRETCH && j < steps; k++, j++) env.step(fixedAction(j, 2));
        local.push(performance.now() - t0);
      }
      env.dispose();
      if (r > 0) {
        remoteRuns.push(remote);
        localRuns.push(local);
      }
    }
    const remoteRate = (steps * 1000) / fastestTotal(remoteRuns);
    const localRate = (steps * 1000) / fastestTotal(localRuns);
    return [{ figure: `env-server control steps/s, loopback (${SCENE})`, value: remoteRate, unit: 'steps/s', baseline: { name: 'env in process', value: localRate }, ratio: remoteRate / localRate }];
  } finally {
    ws.close();
    await server.close();
  }
}

export const benches: Bench[] = [
  { name: 'interop-remote-planner', run: remoteLines },
  { name: 'interop-env-server', run: envServerLines },
];
