/** Shared helpers for the simulator tests: fixtures, scenario files, seeded action sequences. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioSpec, type Scenario } from '../../scenarios/schema.ts';
import { Rng } from '../../sim/rng.ts';
import type { Environment } from '../../sim/types.ts';
import { TrajectoryHasher } from '../../sim/recording.ts';

const HERE = new URL('.', import.meta.url).pathname;
export const ROOT = join(HERE, '..', '..');

export function fixture(name: 'nav' | 'push' | 'arm'): Scenario {
  return ScenarioSpec.parse(JSON.parse(readFileSync(join(HERE, 'fixtures', `${name}.json`), 'utf8')));
}

/** Every shipped scenario file (the scenarios helper owns them; may be empty early on). */
export function scenarioFiles(): { file: string; scenario: Scenario }[] {
  const dir = join(ROOT, 'scenarios', 'files');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, scenario: ScenarioSpec.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
}

/** A reproducible action sequence in [-1.2, 1.2] (some components get clipped). */
export function actionSequence(dim: number, n: number, key = 'test'): number[][] {
  const rng = Rng.fromKey(key);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.uniform(-1.2, 1.2)));
}

/** Resets, plays `actions` (stopping at the episode's end) and returns the trajectory hash. */
export function rollout(env: Environment, seed: number, actions: number[][]): { hash: string; obsHash: string; steps: number; rewards: number[] } {
  const h = new TrajectoryHasher();
  const o = new TrajectoryHasher();
  o.update(env.reset({ seed }).obs.flat);
  h.update(env.transforms());
  const rewards: number[] = [];
  let steps = 0;
  for (const a of actions) {
    const r = env.step(a);
    h.update(env.transforms());
    o.update(r.obs.flat);
    rewards.push(r.reward);
    steps++;
    if (r.terminated || r.truncated) break;
  }
  return { hash: h.digest(), obsHash: o.digest(), steps, rewards };
}
