import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmCallError, type ChatRequest } from '../../planners/llm/ChatProvider.ts';
import { MAX_REPLY_BYTES, OpenAiProvider, parseRetryAfter, type OpenAiProviderOptions } from '../../planners/llm/OpenAiProvider.ts';
import { closedPortUrl, replies, startLlmServer, type ScriptedLlmServer } from '../support/llmServer.ts';

const KEY = 'sk-test-SECRET-0123456789';
const req: ChatRequest = {
  model: 'scripted',
  messages: [
    { role: 'system', content: 'You plan.' },
    { role: 'user', content: 'Where to?' },
  ],
  temperature: 0,
  maxTokens: 64,
  seed: 7,
  schema: { name: 'plan', schema: { type: 'object' } },
};

function provider(url: string, over: Partial<OpenAiProviderOptions> = {}): OpenAiProvider {
  return new OpenAiProvider({ url, apiKey: KEY, timeoutMs: 2000, retries: 2, backoffMs: 10, maxRetryWaitMs: 5000, concurrency: 2, responseFormat: 'auto', ...over });
}

describe('OpenAiProvider against a real HTTP server', () => {
  let server: ScriptedLlmServer;
  beforeAll(async () => {
    server = await startLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends the chat request with the key in the header and reads content and usage', async () => {
    server.push(replies.json({ ok: 1 }, { usage: { prompt_tokens: 11, completion_tokens: 5 } }));
    const n = server.requests.length;
    const res = await provider(server.url).complete(req);
    expect(res.content).toBe('{"ok":1}');
    expect(res.usage).toEqual({ promptTokens: 11, completionTokens: 5, estimated: false });
    expect(res.attempts).toBe(1);
    const got = server.requests[n];
    expect(got.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(got.body.model).toBe('scripted');
    expect(got.body.seed).toBe(7);
    expect(got.body.response_format?.type).toBe('json_schema');
    expect(got.body.response_format?.json_schema?.name).toBe('plan');
  });

  it('estimates tokens when the server sends no usage', async () => {
    server.push(replies.json({ a: 'bcdefgh' }, { usage: null }));
    const res = await provider(server.url).complete(req);
    expect(res.usage.estimated).toBe(true);
    expect(res.usage.completionTokens).toBe(Math.ceil(res.content.length / 4));
    expect(res.usage.promptTokens).toBeGreaterThan(0);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.push(replies.rateLimited(1), replies.json({ ok: 2 }));
    const t0 = Date.now();
    const res = await provider(server.url).complete(req);
    expect(res.content).toBe('{"ok":2}');
    expect(res.attempts).toBe(2);
    // Behaviour, not speed: the retry must not come before the server's Retry-After.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('gives up on repeated 500s with an llm_error naming the status', async () => {
    server.push(replies.serverError(), replies.serverError(), replies.serverError());
    const err = await provider(server.url).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.category).toBe('llm_error');
    expect(err.message).toMatch(/HTTP 500.*after 3 attempts/);
  });

  it('classifies a reply slower than the timeout as timeout', async () => {
    server.push(replies.slow(1500, { late: true }));
    const err = await provider(server.url, { timeoutMs: 200, retries: 0 }).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.category).toBe('timeout');
    expect(err.message).toMatch(/did not answer within 200 ms/);
  });

  it('falls back from json_schema to json_object when the server rejects it', async () => {
    const picky = await startLlmServer({ rejectFormats: ['json_schema'] });
    try {
      picky.push(replies.json({ ok: 3 }));
      const res = await provider(picky.url).complete(req);
      expect(res.content).toBe('{"ok":3}');
      expect(picky.requests.map((r) => r.body.response_format?.type)).toEqual(['json_schema', 'json_object']);
      // The choice is remembered for the endpoint.
      picky.push(replies.json({ ok: 4 }));
      await provider(picky.url).complete(req);
      expect(picky.requests[2].body.response_format?.type).toBe('json_object');
    } finally {
      await picky.close();
    }
  });

  it('reports a refused connection as llm_error, never echoing the key', async () => {
    const url = await closedPortUrl();
    const err = await provider(url, { retries: 1 }).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.category).toBe('llm_error');
    expect(err.message).toMatch(/cannot reach LLM server .*ECONNREFUSED/);
    expect(err.message).not.toContain(KEY);
  });

  it('scrubs the key from error bodies that echo it', async () => {
    server.push({ kind: 'status', status: 401, body: JSON.stringify({ error: { message: `invalid key ${KEY}` } }) });
    const err = await provider(server.url).complete(req).catch((e) => e);
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain('***');
  });

  it('refuses a reply over the size limit without reading it whole, declared or streamed', async () => {
    // Issue 16: a 10 MB reply was read into memory whole (about 600 MB of strings and JSON).
    const huge = 'x'.repeat(10 << 20);
    server.push(replies.text(huge));
    const err = await provider(server.url).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(new RegExp(`sent a reply of more than ${MAX_REPLY_BYTES} bytes .*the limit`));
    // No Content-Length (chunked): the stream is cut at the limit too.
    server.push({ kind: 'status', status: 200, headers: { 'transfer-encoding': 'chunked' }, body: JSON.stringify({ choices: [{ message: { content: huge } }] }) });
    const streamed = await provider(server.url).complete(req).catch((e) => e);
    expect(streamed.message).toMatch(/sent a reply of more than/);
    // The connection pool is fine afterwards.
    server.push(replies.json({ ok: 5 }));
    expect((await provider(server.url).complete(req)).content).toBe('{"ok":5}');
  });

  it('rejects negative or fractional token counts in usage, naming the field', async () => {
    server.push(replies.json({ ok: 1 }, { usage: { prompt_tokens: -5, completion_tokens: 3 } }));
    const err = await provider(server.url).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.message).toMatch(/sent usage\.prompt_tokens = -5; token counts must be whole numbers from 0 to/);
    server.push(replies.json({ ok: 1 }, { usage: { prompt_tokens: 5, completion_tokens: 2.5 } }));
    expect((await provider(server.url).complete(req).catch((e) => e)).message).toMatch(/usage\.completion_tokens = 2\.5/);
  });

  it('reports a connection dropped mid-request as llm_error', async () => {
    server.push(replies.hangup(), replies.hangup());
    const err = await provider(server.url, { retries: 1 }).complete(req).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(err.category).toBe('llm_error');
    expect(err.message).toMatch(/cannot reach LLM server/);
  });

  it('shares one concurrency limit per endpoint between planners', async () => {
    const busy = await startLlmServer({ fallback: () => replies.slow(150, { ok: true }) });
    try {
      // Two providers (two parallel episodes) for the same endpoint, limit 2: never 3 at once.
      const a = provider(busy.url, { concurrency: 2 });
      const b = provider(busy.url, { concurrency: 2 });
      await Promise.all([a, b, a, b, a, b].map((p) => p.complete(req)));
      expect(busy.requests).toHaveLength(6);
      expect(busy.maxConcurrent).toBe(2);
    } finally {
      await busy.close();
    }
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
