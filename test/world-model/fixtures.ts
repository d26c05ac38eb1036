/** Small deterministic data for world-model tests: a 2-D point robot that moves by its action. */
import { Rng } from '../../sim/rng.ts';
import type { Batch, EpisodeData } from '../../planners/world-model/training/ReplayBuffer.ts';

export const OBS_DIM = 6;
export const ACTION_DIM = 2;

/** obs = [x, y, gx − x, gy − y, |g − p|, 1]; action moves the point by 0.1·a per step. */
export function pointEpisode(seed: number, length: number, source: EpisodeData['source'] = 'scripted'): EpisodeData {
  const rng = Rng.fromKey(`wm-test-episode-${seed}`);
  const goal = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
  const p = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
  const obs = new Float32Array((length + 1) * OBS_DIM);
  const actions = new Float32Array(length * ACTION_DIM);
  const goalDistance = new Float32Array(length + 1);
  const position = new Float32Array((length + 1) * 3);
  const rewards = new Float32Array(length);
  const write = (t: number) => {
    const d = Math.hypot(goal[0] - p[0], goal[1] - p[1]);
    obs.set([p[0], p[1], goal[0] - p[0], goal[1] - p[1], d, 1], t * OBS_DIM);
    goalDistance[t] = d;
    position.set([p[0] - goal[0], p[1] - goal[1], 0], t * 3);
  };
  write(0);
  for (let t = 0; t < length; t++) {
    const a = [Math.tanh(rng.normal()), Math.tanh(rng.normal())];
    actions.set(a, t * ACTION_DIM);
    const before = goalDistance[t];
    p[0] += 0.1 * a[0];
    p[1] += 0.1 * a[1];
    write(t + 1);
    rewards[t] = before - goalDistance[t + 1];
  }
  return { scenario: 'points', seed, source, length, obs, actions, rewards, goalDistance, failure: new Float32Array(length), terminal: new Float32Array(length), position };
}

/** A fixed random batch with the trainer's layout. */
export function randomBatch(size: number, rollout: number, obsDim = OBS_DIM, actionDim = ACTION_DIM): Batch {
  const rng = Rng.fromKey('wm-test-batch');
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    size,
    rollout,
    obs: normal((rollout + 1) * size * obsDim),
    actions: normal(rollout * size * actionDim).map(Math.tanh),
    rewards: normal(rollout * size),
    goalDistance: normal((rollout + 1) * size).map(Math.abs),
    failure: normal(rollout * size).map((v) => (v > 1.5 ? 1 : 0)),
    terminal: new Float32Array(rollout * size),
    position: normal((rollout + 1) * size * 3),
    imitation: new Float32Array(rollout * size).fill(1),
    subject: normal((rollout + 1) * size * 3),
    subjectWeight: new Float32Array((rollout + 1) * size).fill(1),
  };
}
