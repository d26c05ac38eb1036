/**
 * Snapshots: fork/restore reproduce the original future exactly (Rapier state plus episode
 * bookkeeping: time, perturbation cursor, moving-obstacle phase, controller targets), spawned
 * bodies come and go with the snapshot, and native memory does not grow over many cycles.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEnv, liveNativeObjects, type SimEnv } from '../../sim/Env.ts';
import { TrajectoryHasher } from '../../sim/recording.ts';
import type { Environment } from '../../sim/types.ts';
import { actionSequence, fixture } from './helpers.ts';

const envs: SimEnv[] = [];
afterAll(() => envs.forEach((e) => e.dispose()));

function future(env: Environment, actions: number[][]): { hash: string; rewards: number[]; events: string[] } {
  const h = new TrajectoryHasher();
  const rewards: number[] = [];
  const events: string[] = [];
  for (const a of actions) {
    const r = env.step(a);
    h.update(env.transforms());
    rewards.push(r.reward);
    for (const e of r.info.events) events.push(`${e.type}@${e.t.toFixed(4)}`);
  }
  return { hash: h.digest(), rewards, events };
}

describe('snapshots', () => {
  it.each(['nav', 'push', 'arm'] as const)('%s: fork and restore replay the same future as the original', async (name) => {
    const env = await createEnv(fixture(name));
    envs.push(env);
    const acts = actionSequence(env.actionSpace.dim, 30, `${name}-snap`);
    env.reset({ seed: 2 });
    // Before the nav fixture's scheduled shove (0.5-1.0 s), so the cursor must travel too.
    for (const a of acts.slice(0, 3)) env.step(a);
    const snap = env.snapshot();
    expect(snap.step).toBe(3);
    expect(snap.t).toBeCloseTo(0.3, 9);

    const fork = env.fork(snap);
    const forkFuture = future(fork, acts.slice(3));
    fork.dispose();
    const original = future(env, acts.slice(3));
    expect(forkFuture).toEqual(original);
    if (name === 'nav') expect(original.events.some((e) => e.startsWith('perturbation'))).toBe(true);

    env.restore(snap);
    const again = future(env, acts.slice(3));
    expect(again).toEqual(original);
  });

  it('restores time, step and the goal-progress baseline', async () => {
    const env = await createEnv(fixture('nav'));
    envs.push(env);
    env.reset({ seed: 0 });
    for (let i = 0; i < 5; i++) env.step([1, 1]);
    const snap = env.snapshot();
    const r1 = env.step([1, 1]);
    for (let i = 0; i < 5; i++) env.step([-1, 1]);
    env.restore(snap);
    const r2 = env.step([1, 1]);
    expect(r2.obs.step).toBe(6);
    expect(r2.obs.t).toBe(r1.obs.t);
    expect(r2.reward).toBe(r1.reward);
    expect(Array.from(r2.obs.flat)).toEqual(Array.from(r1.obs.flat));
  });

  it('fork() without an argument forks the current state', async () => {
    const env = await createEnv(fixture('push'));
    envs.push(env);
    env.reset({ seed: 4 });
    env.step([1, 0]);
    const f = env.fork();
    expect(Array.from(f.transforms())).toEqual(Array.from(env.transforms()));
    f.step([0, 1]);
    // Independent: stepping the fork leaves the original where it was.
    expect(Array.from(f.transforms())).not.toEqual(Array.from(env.transforms()));
    f.dispose();
  });

  it('spawned obstacles appear in the scene and transforms, and leave with a restore', async () => {
    const env = await createEnv(fixture('nav'));
    envs.push(env);
    env.reset({ seed: 0 });
    const before = env.staticScene();
    const n = env.transforms().length;
    const snap = env.snapshot();
    const id = env.spawnObstacle('box', [-1, 0]);
    expect(env.sceneVersion).toBeGreaterThan(0);
    const scene = env.staticScene();
    expect(scene.bodies).toHaveLength(before.bodies.length + 1);
    expect(scene.bodies[scene.bodies.length - 1]).toMatchObject({ id, kind: 'spawned', dynamic: true });
    expect(env.transforms().length).toBe(n + 7);
    const r = env.step([1, 1]);
    expect(r.info.events).toContainEqual({ type: 'spawn', t: 0, id, source: 'user' });
    expect(r.obs.objects.map((o) => o.id)).toContain(id);
    // The robot drives into it: a collision with the spawned body.
    let hit = false;
    for (let i = 0; i < 20 && !hit; i++) hit = env.step([1, 1]).info.events.some((e) => e.type === 'collision' && e.b === id);
    expect(hit).toBe(true);
    const v = env.sceneVersion;
    env.restore(snap);
    expect(env.sceneVersion).toBeGreaterThan(v);
    expect(env.staticScene().bodies).toHaveLength(before.bodies.length);
    expect(env.transforms().length).toBe(n);
  });

  it('shove applies an impulse now and reports it as a perturbation event', async () => {
    const env = await createEnv(fixture('push'));
    envs.push(env);
    env.reset({ seed: 0 });
    env.shove('box', [0, 3, 0], 'user');
    const r = env.step([0, 0]);
    expect(r.info.events).toContainEqual({ type: 'perturbation', t: 0, target: 'box', impulse: [0, 3, 0], source: 'user' });
    expect(r.obs.objects.find((o) => o.id === 'box')!.y).toBeGreaterThan(0.1);
    expect(() => env.shove('nope', [1, 0, 0], 'user')).toThrow(/cannot shove "nope"/);
  });

  it('memory does not grow across hundreds of fork/dispose and restore cycles', async () => {
    const env = await createEnv(fixture('nav'));
    envs.push(env);
    env.reset({ seed: 1 });
    for (let i = 0; i < 5; i++) env.step([1, 1]);
    const snap = env.snapshot();
    const cycle = (k: number) => {
      for (let i = 0; i < k; i++) {
        const f = env.fork(snap);
        f.step([1, -1]);
        f.dispose();
        env.restore(snap);
      }
    };
    cycle(50); // warm up: WASM memory grows to its working size once and never shrinks
    const live0 = liveNativeObjects();
    const rss0 = process.memoryUsage().rss;
    cycle(300);
    // Every world and event queue created by a fork, a restore or a reset has been freed.
    expect(liveNativeObjects()).toEqual(live0);
    const grown = process.memoryUsage().rss - rss0;
    // A leak of one world per cycle would be hundreds of MB; allow allocator noise and the
    // known ~1.7 KB/restore leak of Rapier 0.21 (dimforge/rapier#990).
    expect(grown).toBeLessThan(48 * 1024 * 1024);
  });

  it('refuses use after dispose, and dispose frees its world and queue', async () => {
    const before = liveNativeObjects();
    const env = await createEnv(fixture('push'));
    env.reset({ seed: 0 });
    env.reset({ seed: 1 });
    expect(liveNativeObjects()).toEqual({ worlds: before.worlds + 1, queues: before.queues + 1 });
    env.dispose();
    expect(liveNativeObjects()).toEqual(before);
    env.dispose();
    expect(() => env.step([0, 0])).toThrow(/after dispose/);
  });
});
