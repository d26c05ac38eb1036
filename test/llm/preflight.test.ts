/** The LLM planner's preflight: what `create` would read (cassette, prompts, prices), checked
 * before the first episode without contacting a server. */
import { describe, expect, it } from 'vitest';
import { factory } from '../../planners/llm/LlmPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { CI_CASSETTE } from './recordCiCassette.ts';

const robots = [loadScenario('open-field').robot.type, loadScenario('arm-reach').robot.type];

describe('llm preflight', () => {
  it('passes a replayable cassette and the shipped prompts', async () => {
    await expect(factory.preflight!({ config: { llmCassette: CI_CASSETTE, llmReplay: true } }, robots)).resolves.toBeUndefined();
  });

  it('names a missing cassette, prompts folder or prices file', async () => {
    await expect(factory.preflight!({ config: { llmCassette: '/nonexistent/c.json', llmReplay: true } }, robots)).rejects.toThrow(/--llm-cassette \/nonexistent\/c\.json: no such file/);
    await expect(factory.preflight!({ config: { llmUrl: 'http://127.0.0.1:9/v1', llmModel: 'm', llmPrompts: '/nonexistent/prompts' } }, robots)).rejects.toThrow(/nonexistent\/prompts/);
    await expect(factory.preflight!({ config: { llmUrl: 'http://127.0.0.1:9/v1', llmModel: 'm', llmPrices: '/nonexistent/prices.json' } }, robots)).rejects.toThrow(/nonexistent\/prices\.json/);
  });
});
