/**
 * The channels of planarena's MCAP export: topic, schema name and JSON Schema of each. Messages
 * are JSON (`messageEncoding: "json"`, schemas with `encoding: "jsonschema"`); the Foxglove ones
 * use the schemas shipped in `@foxglove/schemas`, under the exact names Foxglove's panels expect.
 *
 * | topic                | schema                     | what                                                        |
 * |----------------------|----------------------------|-------------------------------------------------------------|
 * | `/scene`             | `foxglove.SceneUpdate`     | arena floor, goal, every body (walls, obstacles, robot, objects), each in its frame |
 * | `/tf`                | `foxglove.FrameTransforms` | `world` → `body/<id>` for every body at reset, then the moving ones every step |
 * | `/imagined`          | `foxglove.SceneUpdate`     | the world model's imagined futures, one line strip per rollout |
 * | `/log`               | `foxglove.Log`             | LLM prompts and replies, planner notes, skill changes, failures, sim events, outcomes |
 * | `/planarena/step`    | `planarena.StepMetrics`    | per control step: action, reward, return so far, events     |
 * | `/planarena/episode` | `planarena.EpisodeResult`  | per episode: the episode record (success, failure, return, hash, …) |
 */
import { FrameTransforms, Log, SceneUpdate } from '@foxglove/schemas/jsonschema';

export const STEP_METRICS_SCHEMA = {
  title: 'planarena.StepMetrics',
  description: 'One control step of a planarena episode',
  type: 'object',
  properties: {
    scenario: { type: 'string', description: 'Scenario id' },
    planner: { type: 'string', description: 'Planner name' },
    seed: { type: 'integer', minimum: 0 },
    episode: { type: 'integer', minimum: 0, description: 'Index of the episode in this file' },
    t: { type: 'number', description: 'Simulated seconds since reset' },
    step: { type: 'integer', minimum: 1, description: 'Control step index' },
    action: { type: 'array', items: { type: 'number' }, description: 'The action applied' },
    reward: { type: 'number' },
    return: { type: 'number', description: 'Sum of rewards so far' },
    events: { type: 'integer', minimum: 0, description: 'Simulator events in this step' },
    collisions: { type: 'integer', minimum: 0, description: 'Collision events in this step' },
    thinking: { type: 'boolean', description: 'True while the planner was still thinking (realtime clock): the previous action held' },
  },
  required: ['scenario', 'planner', 'seed', 'episode', 't', 'step', 'action', 'reward', 'return', 'events', 'collisions', 'thinking'],
  additionalProperties: false,
} as const;

export const EPISODE_RESULT_SCHEMA = {
  title: 'planarena.EpisodeResult',
  description: "A planarena episode's outcome: its record from episodes.jsonl (core/records.ts), or the recording's result",
  type: 'object',
  properties: {
    scenario: { type: 'string' },
    planner: { type: 'string' },
    seed: { type: 'integer', minimum: 0 },
    episode: { type: 'integer', minimum: 0 },
    success: { type: 'boolean' },
    failure: { type: ['string', 'null'], description: 'flipped | left_arena | diverged | planner_error | timeout | error; null on success' },
    steps: { type: 'integer', minimum: 0 },
    return: { type: 'number' },
    trajectoryHash: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['scenario', 'planner', 'seed', 'episode', 'success', 'failure', 'steps', 'return', 'trajectoryHash'],
} as const;

export const CHANNELS = {
  scene: { topic: '/scene', schema: SceneUpdate },
  tf: { topic: '/tf', schema: FrameTransforms },
  imagined: { topic: '/imagined', schema: SceneUpdate },
  log: { topic: '/log', schema: Log },
  step: { topic: '/planarena/step', schema: STEP_METRICS_SCHEMA },
  episode: { topic: '/planarena/episode', schema: EPISODE_RESULT_SCHEMA },
} as const;

export type ChannelKey = keyof typeof CHANNELS;

/** The schema's name as MCAP and Foxglove know it (its `title`, e.g. `foxglove.SceneUpdate`). */
export function schemaName(key: ChannelKey): string {
  return CHANNELS[key].schema.title;
}
