/**
 * Runs LLM-planner episodes through the real runner (`runEpisode`) against real scenarios, and
 * keeps what the planner said per decision, for assertions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factory } from '../../planners/llm/LlmPlanner.ts';
import type { PlannerInfo } from '../../planners/Planner.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import { runEpisode, type Clock } from '../../runner/episode.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { competentPolicy, replies, type ReceivedRequest, type Reply } from '../support/llmServer.ts';

export interface EpisodeOutcome {
  record: EpisodeRecord;
  /** `info` of every decision step that asked the model (has `llm`). */
  decisions: PlannerInfo[];
  /** `thinkMs` the planner reported for each of those steps. */
  thinkMs: (number | undefined)[];
}

/** `timeLimit` (seconds) shortens the scenario, for slow planners that need only a few decisions. */
export async function llmEpisode(scenarioId: string, config: Record<string, unknown>, seed = 1, clock: Clock = 'turn', timeLimit?: number): Promise<EpisodeOutcome> {
  const loaded = loadScenario(scenarioId);
  const scenario = timeLimit === undefined ? loaded : { ...loaded, timeLimit };
  const planner = await factory.create({ config: { llmModel: 'scripted', llmBackoff: 0.01, ...config } });
  const decisions: PlannerInfo[] = [];
  const thinkMs: (number | undefined)[] = [];
  try {
    const { record } = await runEpisode(
      { scenario: scenarioId, planner: 'llm', seed },
      {
        scenario,
        planner,
        privileged: false,
        physics: 'deterministic',
        clock,
        record: false,
        pace: 0,
        observer: {
          onStep: (_key, step) => {
            if (!step.decision.info.llm) return;
            decisions.push(step.decision.info);
            thinkMs.push(step.decision.thinkMs);
          },
        },
      },
    );
    return { record, decisions, thinkMs };
  } finally {
    await planner.dispose();
  }
}

/** A fallback that answers the first requests with variants of the competent plan, then competently. */
export function scripted(...variants: ((good: unknown, req: ReceivedRequest) => Reply)[]): (req: ReceivedRequest) => Reply {
  let n = 0;
  return (req) => {
    const good = competentPolicy(req);
    const variant = variants[n++];
    if (!variant || good.kind !== 'content') return good;
    return variant(JSON.parse(good.content), req);
  };
}

export const variant = {
  prose: (good: unknown) => replies.prose(good),
  fenced: (good: unknown) => replies.fenced(good),
  malformed: () => replies.malformed(),
  unknownSkill: () => replies.json({ reasoning: 'fly there', plan: [{ skill: 'fly_to', args: { x: 1, y: 1 } }] }),
  hallucinated: () => replies.json({ reasoning: 'push the crate', plan: [{ skill: 'push', args: { object_id: 'crate_9', x: 0, y: 0 } }] }),
  outOfRange: () => replies.json({ reasoning: 'far away', plan: [{ skill: 'move_to', args: { x: 100, y: 0 } }] }),
};

/** A price table in a temp file, pricing the scripted model. */
export function pricesFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'prices-')), 'prices.json');
  writeFileSync(path, JSON.stringify({ models: { scripted: { input: 2, output: 10 } } }));
  return path;
}
