/**
 * The LLM planner in real episodes (real Rapier, real runner) against the scripted
 * OpenAI-compatible server: every failure mode lands in its category and never crashes a run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closedPortUrl, replies, sceneOf, startLlmServer, type ReceivedRequest, type ScriptedLlmServer } from '../support/llmServer.ts';
import { llmEpisode, pricesFile, scripted, variant } from './harness.ts';

const KEY = 'sk-planner-test-KEY-42';
let server: ScriptedLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  delete process.env.PLANARENA_LLM_API_KEY;
});

describe('LLM planner, skills mode', () => {
  it('a good plan reaches the goal with one call; tokens, cost and the exact messages are accounted', async () => {
    process.env.PLANARENA_LLM_API_KEY = KEY;
    server = await startLlmServer();
    const { record, decisions } = await llmEpisode('open-field', { llmUrl: server.url, llmPrices: pricesFile() });
    expect(record.success).toBe(true);
    expect(record.failureCategories).toEqual({});
    const s = record.plannerStats;
    expect(s).toMatchObject({ llmDecisions: 1, llmCalls: 1, llmInvalidOutputs: 0, llmSkillsStarted: 1, llmEstimatedTokenCalls: 0, llmCostKnown: 1 });
    const req = server.requests[0];
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body.seed).toBe(1);
    expect(req.body.response_format?.type).toBe('json_schema');
    // Usage comes from the server's reply, cost from the price table (2 $/M in, 10 $/M out).
    const promptTokens = Math.ceil(req.body.messages.reduce((n, m) => n + m.content.length, 0) / 4);
    expect(s.llmTokensIn).toBe(promptTokens);
    expect(s.llmCostUsd).toBeCloseTo((promptTokens * 2 + s.llmTokensOut * 10) / 1e6, 12);
    // The decision's info holds exactly what was sent and received.
    const llm = decisions[0].llm as { messages: unknown; response: string; validation: string; plan: unknown[] };
    expect(llm.messages).toEqual(req.body.messages);
    expect(llm.validation).toBe('ok');
    expect(llm.plan).toEqual([{ skill: 'move_to', args: expect.objectContaining({ x: expect.any(Number) }) }]);
    expect(JSON.stringify(record)).not.toContain(KEY);
    // In words: the skill call and the model's stated reason.
    expect(decisions[0].intent).toMatch(/^The LLM plans to drive to \(-?\d+\.\d, -?\d+\.\d\) — "the goal is at \(.*\)"\.$/);
  });

  it('pushes the box with the push skill on push-box', async () => {
    server = await startLlmServer();
    const { record } = await llmEpisode('push-box', { llmUrl: server.url });
    expect(record.success).toBe(true);
    expect(server.requests[0].body.messages[1].content).toMatch(/push box_\w+|push \w+ until its centre/);
  });

  it.each([
    ['JSON in prose', variant.prose, null],
    ['JSON in a code fence', variant.fenced, null],
    ['malformed JSON', variant.malformed, 'format_error'],
    ['an unknown skill', variant.unknownSkill, 'invalid_action'],
    ['a hallucinated object id', variant.hallucinated, 'hallucinated_object'],
    ['out-of-range numbers', variant.outOfRange, 'invalid_action'],
  ] as const)('%s: lands in its category (%#), the reason goes back to the model, the episode goes on', async (_name, bad, category) => {
    server = await startLlmServer({ fallback: scripted(bad) });
    const { record, decisions } = await llmEpisode('open-field', { llmUrl: server.url });
    expect(record.success).toBe(true);
    if (category === null) {
      expect(record.failureCategories).toEqual({});
      expect(server.requests).toHaveLength(1);
      return;
    }
    expect(record.failureCategories).toEqual({ [category]: 1 });
    expect(record.plannerStats.llmInvalidOutputs).toBe(1);
    // The correction: the bad answer, then the reason, in the same decision.
    const second = server.requests[1].body.messages;
    expect(second).toHaveLength(4);
    expect(second[2].role).toBe('assistant');
    expect(second[3].content).toMatch(/could not be used: /);
    const failures = decisions[0].failures as { category: string; detail: string }[];
    expect(failures).toEqual([{ category, detail: expect.any(String) }]);
    expect(second[3].content).toContain(failures[0].detail);
  });

  it('a target inside an obstacle is infeasible, with the obstacle named in the feedback', async () => {
    const intoObstacle = (_good: unknown, req: ReceivedRequest) => {
      const back = sceneOf(req)!.objects.find((o) => o.id === 'u-back')!;
      return replies.json({ reasoning: 'straight through', plan: [{ skill: 'move_to', args: { x: back.x, y: back.y } }] });
    };
    server = await startLlmServer({ fallback: scripted(intoObstacle) });
    const { record, decisions } = await llmEpisode('u-trap', { llmUrl: server.url });
    expect(record.failureCategories.infeasible).toBe(1);
    expect((decisions[0].failures as { detail: string }[])[0].detail).toMatch(/is inside u-back; pick a free point/);
    expect(server.requests[1].body.messages[3].content).toMatch(/inside u-back/);
  });

  it('429 with Retry-After is retried after the wait and is no failure', async () => {
    server = await startLlmServer();
    server.push(replies.rateLimited(1));
    const { record } = await llmEpisode('open-field', { llmUrl: server.url });
    expect(record.success).toBe(true);
    expect(record.failureCategories).toEqual({});
    expect(record.plannerStats.llmRetries).toBe(1);
  });

  it('a failing server ends the episode as llm_error with the reason; the next episode runs', async () => {
    server = await startLlmServer();
    server.push(replies.serverError(), replies.serverError());
    const failed = await llmEpisode('open-field', { llmUrl: server.url, llmRetries: 1 });
    expect(failed.record.success).toBe(false);
    expect(failed.record.failure).toBe('planner_error');
    expect(failed.record.failureCategories).toEqual({ llm_error: 1 });
    expect(failed.record.plannerStats).toMatchObject({ llmCalls: 0, llmFailedCalls: 1 });
    expect(failed.record.error).toMatch(/llm_error: LLM server .* answered HTTP 500.*after 2 attempts/);
    expect(failed.decisions[0].intent).toMatch(/^The LLM could not be used \(LLM call failed: LLM server .* answered HTTP 500.*\); the episode ends\.$/);
    const next = await llmEpisode('open-field', { llmUrl: server.url }, 2);
    expect(next.record.success).toBe(true);
  });

  it('a reply slower than --llm-timeout is a timeout', async () => {
    server = await startLlmServer();
    server.push(replies.slow(2000, { plan: [] }));
    const { record } = await llmEpisode('open-field', { llmUrl: server.url, llmTimeout: '300ms', llmRetries: 0 });
    expect(record.failure).toBe('planner_error');
    expect(record.failureCategories).toEqual({ timeout: 1 });
    expect(record.error).toMatch(/timeout: .*did not answer within 300 ms/);
  });

  it('a refused connection is an llm_error naming the URL', async () => {
    const url = await closedPortUrl();
    const { record } = await llmEpisode('open-field', { llmUrl: url, llmRetries: 1 });
    expect(record.failure).toBe('planner_error');
    expect(record.failureCategories).toEqual({ llm_error: 1 });
    expect(record.error).toContain(`cannot reach LLM server ${url}/chat/completions`);
  });

  it('a reply cut off at the token limit is a format_error that tells the model to be brief', async () => {
    server = await startLlmServer({ fallback: scripted(() => replies.truncated()) });
    const { record, decisions } = await llmEpisode('open-field', { llmUrl: server.url, llmMaxTokens: 64 });
    expect(record.success).toBe(true);
    expect(record.failureCategories).toEqual({ format_error: 1 });
    expect((decisions[0].failures as { detail: string }[])[0].detail).toMatch(/cut off at 64 tokens: answer more briefly/);
  });

  it('gives up after llmMaxInvalid invalid outputs', async () => {
    server = await startLlmServer({ fallback: () => replies.text('I think the robot should go right.') });
    const { record } = await llmEpisode('open-field', { llmUrl: server.url, llmMaxInvalid: 2, llmMaxAttempts: 2 });
    expect(record.failure).toBe('planner_error');
    expect(record.failureCategories).toEqual({ format_error: 3 });
    expect(record.plannerStats.llmInvalidOutputs).toBe(3);
    expect(record.error).toMatch(/gave up after 3 invalid LLM outputs/);
  });

  it('re-plans when the plan ends, telling the model what happened', async () => {
    server = await startLlmServer({ fallback: scripted(() => replies.json({ reasoning: 'look around first', plan: [{ skill: 'wait', args: { s: 0.5 } }] })) });
    const { record } = await llmEpisode('open-field', { llmUrl: server.url });
    expect(record.success).toBe(true);
    expect(record.plannerStats.llmDecisions).toBe(2);
    const user = server.requests[1].body.messages[1].content;
    expect(user).toMatch(/t=0\.\d+ s: wait\(s=0\.5\) done/);
    expect(user).toMatch(/you reasoned: look around first/);
    expect(user).toMatch(/Feedback: Your plan is complete; the goal is not reached yet \(\d+\.\d+ m away/);
  });

  it('a failed skill is reported back in words at the next decision (closed loop)', async () => {
    // push-around: the crate cannot be pushed straight through the wall, so a straight push fails.
    server = await startLlmServer();
    const { record } = await llmEpisode('push-around', { llmUrl: server.url });
    expect(record.plannerStats.llmSkillsFailed).toBeGreaterThan(0);
    expect(record.plannerStats.llmDecisions).toBeGreaterThan(1);
    const feedback = server.requests[1].body.messages[1].content.match(/Feedback: (.*)/)![1];
    expect(feedback).toMatch(/^push\(object_id="crate", x=[-\d.]+, y=[-\d.]+\) failed: crate /);
    expect(server.requests[1].body.messages[1].content).toMatch(/Recent history:\n- t=0\.00 s: you reasoned: /);
  });

  it('a plan that ends at once (stop while at rest) is not asked again on the next step', async () => {
    server = await startLlmServer({ fallback: scripted(() => replies.json({ reasoning: 'done already?', plan: [{ skill: 'stop', args: {} }] })) });
    const { record, decisions } = await llmEpisode('open-field', { llmUrl: server.url });
    expect(record.success).toBe(true);
    expect(record.plannerStats.llmDecisions).toBe(2);
    // The second decision comes a second later, not one control step later.
    const t = server.requests.map((r) => Number(r.body.messages[1].content.match(/Time: ([\d.]+) s/)![1]));
    expect(t[1] - t[0]).toBeCloseTo(1, 5);
    expect(decisions).toHaveLength(2);
  });

  it('re-plans every K seconds with llmReplanEvery', async () => {
    server = await startLlmServer();
    const { record } = await llmEpisode('open-field', { llmUrl: server.url, llmReplanEvery: 2 });
    expect(record.success).toBe(true);
    expect(record.plannerStats.llmDecisions).toBeGreaterThanOrEqual(Math.floor(record.simTime / 2));
    expect(server.requests[1].body.messages[1].content).toMatch(/interrupted for a scheduled re-plan/);
    expect(server.requests[0].body.messages[0].content).toMatch(/every 2\.00 s of simulated time/);
  });
});

describe('LLM planner, direct mode', () => {
  it('drives to the goal with one decision every K control steps', async () => {
    server = await startLlmServer();
    const { record } = await llmEpisode('open-field', { llmUrl: server.url, llmMode: 'direct', llmReplanEvery: 5 });
    expect(record.success).toBe(true);
    expect(record.plannerStats.llmDecisions).toBe(Math.ceil(record.steps / 5));
    expect(server.requests[0].body.messages[0].content).toMatch(/held for 5 control steps \(0\.50 s/);
  });

  it('out-of-range actions are invalid_action and the robot holds still meanwhile', async () => {
    server = await startLlmServer({ fallback: scripted(() => replies.json({ reasoning: 'full speed', action: [5, 5] })) });
    const { record, decisions } = await llmEpisode('open-field', { llmUrl: server.url, llmMode: 'direct' });
    expect(record.success).toBe(true);
    expect(record.failureCategories).toEqual({ invalid_action: 1 });
    expect((decisions[0].failures as { detail: string }[])[0].detail).toMatch(/left = 5 is out of range/);
  });
});
