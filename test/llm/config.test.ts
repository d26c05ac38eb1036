import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { Cassette, requestKey } from '../../planners/llm/Cassette.ts';
import { CassetteProvider } from '../../planners/llm/CassetteProvider.ts';
import type { ChatProvider, ChatRequest } from '../../planners/llm/ChatProvider.ts';
import { LlmCallError } from '../../planners/llm/ChatProvider.ts';
import { apiKeyFromEnv, resolveLlmConfig } from '../../planners/llm/LlmConfig.ts';
import { factory } from '../../planners/llm/LlmPlanner.ts';
import { PriceTable } from '../../planners/llm/PriceTable.ts';
import { PromptTemplates } from '../../planners/llm/PromptTemplates.ts';

function userErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('LLM config', () => {
  it('resolves CLI strings into typed, frozen settings', () => {
    const c = resolveLlmConfig({ llmUrl: 'http://127.0.0.1:11434/v1', llmModel: 'llama3.1', llmTimeout: '2.5', llmReplanEvery: '3', llmRecord: 'false', llmMaxInvalid: '4' });
    expect(c).toMatchObject({ url: 'http://127.0.0.1:11434/v1', model: 'llama3.1', mode: 'skills', timeoutS: 2.5, replanEvery: 3, record: false, maxInvalid: 4 });
    expect(Object.isFrozen(c)).toBe(true);
    expect(resolveLlmConfig({ llmTimeout: '500ms' }).timeoutS).toBe(0.5);
    expect(resolveLlmConfig({ llmTimeout: 45 }).timeoutS).toBe(45);
    expect(resolveLlmConfig({ llmMode: 'direct', llmUrl: 'http://x/v1', llmModel: 'm' }).replanEvery).toBe(10);
  });

  it('names the flag and the fix in every error', () => {
    expect(userErrorOf(() => resolveLlmConfig({ llmTimeout: 'soon' })).message).toMatch(/--llm-timeout must be a time in seconds/);
    expect(userErrorOf(() => resolveLlmConfig({ llmMode: 'telepathy' })).message).toMatch(/--llm-mode must be one of skills, direct/);
    expect(userErrorOf(() => resolveLlmConfig({ llmUrl: 'localhost:11434' })).message).toMatch(/--llm-url must be http/);
    expect(userErrorOf(() => resolveLlmConfig({ llmUrl: 'http://127.0.0.1:1/v1' })).message).toMatch(/--llm-model NAME/);
    expect(userErrorOf(() => resolveLlmConfig({ llmReplay: true })).message).toMatch(/needs --llm-cassette FILE/);
    expect(userErrorOf(() => resolveLlmConfig({ llmCassette: 'x.json', llmRecord: true, llmReplay: true })).message).toMatch(/exclude each other/);
    expect(userErrorOf(() => resolveLlmConfig({ llmCassette: 'x.json', llmRecord: true })).message).toMatch(/--llm-record needs a live model/);
    expect(userErrorOf(() => resolveLlmConfig({ llmMaxInvalid: '2.5' })).message).toMatch(/--set llm-max-invalid must be an integer >= 0/);
    expect(userErrorOf(() => resolveLlmConfig({ llmUrl: 'http://user:pw@host/v1', llmModel: 'm' })).message).toMatch(/PLANARENA_LLM_API_KEY/);
  });

  it('reads the key from PLANARENA_LLM_API_KEY, then OPENAI_API_KEY', () => {
    expect(apiKeyFromEnv({ PLANARENA_LLM_API_KEY: 'a', OPENAI_API_KEY: 'b' })).toBe('a');
    expect(apiKeyFromEnv({ OPENAI_API_KEY: 'b' })).toBe('b');
    expect(apiKeyFromEnv({})).toBeUndefined();
  });

  it('--llm-gguf with a file that is no model says so in one line naming the file, before any runtime is needed', async () => {
    const gguf = join(mkdtempSync(join(tmpdir(), 'gguf-')), 'tiny.gguf');
    writeFileSync(gguf, 'GGUF');
    const err = await factory.create({ config: { llmGguf: gguf } }).catch((e) => e);
    expect(isUserError(err) && err.code).toBe('E_LLM_MODEL');
    expect(err.message).toMatch(new RegExp(`^model ${gguf} is truncated`));
  });

  it('with nothing configured, the error and the skip line say how to connect or embed an LLM', async () => {
    // vitest.config.ts points PLANARENA_MODELS at an empty folder: no cached model here.
    await expect(factory.create({ config: {} })).rejects.toThrow(/--llm-url http:\/\/127\.0\.0\.1:11434\/v1 --llm-model llama3\.1 .*`planarena llm setup && planarena llm pull`/);
    expect(factory.unavailable!({ config: {} })).toMatch(/planarena llm pull/);
    expect(factory.unavailable!({ config: { llmUrl: 'http://x/v1' } })).toBeNull();
    expect(factory.unavailable!({ config: { llmCassette: 'c.json', llmReplay: true } })).toBeNull();
  });

  it('reads the embedded-runtime settings: threads, context size, GPU backend and layers', () => {
    expect(resolveLlmConfig({ llmUrl: 'http://x/v1', llmModel: 'm' })).toMatchObject({ threads: 0, contextSize: 8192, gpu: 'auto', gpuLayers: 'auto' });
    expect(resolveLlmConfig({ llmThreads: '4', llmContextSize: '4096', llmGpu: 'none', llmGpuLayers: '12' })).toMatchObject({ threads: 4, contextSize: 4096, gpu: 'none', gpuLayers: 12 });
    expect(resolveLlmConfig({ llmGpuLayers: 'max' }).gpuLayers).toBe('max');
    expect(userErrorOf(() => resolveLlmConfig({ llmGpu: 'tpu' })).message).toMatch(/--set llm-gpu must be one of auto, cuda, vulkan, metal, none/);
    expect(userErrorOf(() => resolveLlmConfig({ llmGpuLayers: 'some' })).message).toMatch(/--set llm-gpu-layers must be auto, max or a whole number/);
    expect(userErrorOf(() => resolveLlmConfig({ llmContextSize: '100' })).message).toMatch(/--set llm-context-size must be an integer >= 256/);
  });
});

describe('prompt templates and prices', () => {
  it('loads the shipped templates and rejects unknown placeholders, naming the file', () => {
    const t = PromptTemplates.load();
    expect(t.render('correction', { reason: 'bad JSON' })).toMatch(/could not be used: bad JSON/);
    const dir = mkdtempSync(join(tmpdir(), 'prompts-'));
    for (const n of ['system-skills', 'system-direct', 'user']) writeFileSync(join(dir, `${n}.md`), 'x');
    writeFileSync(join(dir, 'correction.md'), 'Oops {{reson}}');
    expect(userErrorOf(() => PromptTemplates.load(dir)).message).toMatch(/correction\.md: unknown placeholder \{\{reson\}\}/);
  });

  it('prices by exact model, then longest prefix; unknown models cost nothing', () => {
    const p = PriceTable.load();
    expect(p.cost('gpt-4o-mini', 1_000_000, 1_000_000)).toBeCloseTo(0.75);
    expect(p.priceOf('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(p.priceOf('llama3.1')).toBeNull();
    expect(p.cost('llama3.1', 1000, 1000)).toBe(0);
  });
});

describe('cassette', () => {
  const req: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 10 };
  const live = (replies: string[]): ChatProvider & { calls: number } => {
    const p = {
      describe: 'fake',
      calls: 0,
      async complete() {
        const content = replies[p.calls++];
        if (content === 'ERR') throw new LlmCallError('http', 'HTTP 500', 500);
        return { content, usage: { promptTokens: 1, completionTokens: 1, estimated: false }, latencyMs: 12.3456, attempts: 1, replayed: false };
      },
    };
    return p;
  };

  it('keys requests by content and occurrence, records replies and errors, and replays them', async () => {
    expect(requestKey(req, 0)).toBe(requestKey({ ...req }, 0));
    expect(requestKey(req, 0)).not.toBe(requestKey(req, 1));
    expect(requestKey(req, 0)).not.toBe(requestKey({ ...req, temperature: 0.5 }, 0));

    const path = join(mkdtempSync(join(tmpdir(), 'cassette-')), 'c.json');
    const src = live(['first', 'second', 'ERR']);
    const rec = new CassetteProvider(Cassette.open(path, 'record'), 'record', src);
    expect((await rec.complete(req)).content).toBe('first');
    expect((await rec.complete(req)).latencyMs).toBe(12.35); // rounded as stored
    await expect(rec.complete(req)).rejects.toThrow(/HTTP 500/);
    await rec.dispose();
    expect(src.calls).toBe(3);

    // A fresh process reading the file: same answers in the same order, no live provider.
    const onDisk = JSON.parse((await import('node:fs')).readFileSync(path, 'utf8'));
    expect(Object.keys(onDisk.entries)).toHaveLength(3);
    const replay = new CassetteProvider(Cassette.open(path, 'replay'), 'replay', null);
    replay.beginEpisode();
    expect(await replay.complete(req)).toMatchObject({ content: 'first', replayed: true, latencyMs: 12.35 });
    expect((await replay.complete(req)).content).toBe('second');
    await expect(replay.complete(req)).rejects.toBeInstanceOf(LlmCallError);
    replay.label = 'open-field seed 3 decision 9';
    await expect(replay.complete(req)).rejects.toThrow(/no reply for open-field seed 3 decision 9/);
  });

  it('merges entries other processes saved meanwhile instead of overwriting them', async () => {
    const fs = await import('node:fs');
    const path = join(mkdtempSync(join(tmpdir(), 'cassette-')), 'shared.json');
    const rec = new CassetteProvider(Cassette.open(path, 'record'), 'record', live(['mine']));
    await rec.complete(req);
    // Another worker process saved its own exchange to the same file in the meantime.
    const other = { model: 'm', label: 'other worker', occurrence: 0, request: { messages: [], temperature: 0, maxTokens: 1 }, response: { content: 'theirs', usage: { promptTokens: 1, completionTokens: 1, estimated: false } }, latencyMs: 1 };
    fs.writeFileSync(path, JSON.stringify({ format: 'planarena-llm-cassette', version: 1, entries: { ['f'.repeat(64)]: other } }));
    await rec.dispose();
    const saved = JSON.parse(fs.readFileSync(path, 'utf8'));
    expect(Object.values(saved.entries).map((e) => (e as { response: { content: string } }).response.content).sort()).toEqual(['mine', 'theirs']);
    expect(fs.existsSync(`${path}.lock`)).toBe(false);
  });

  it('rereads a cassette that changed on disk since this process used it', async () => {
    const fs = await import('node:fs');
    const path = join(mkdtempSync(join(tmpdir(), 'cassette-')), 'c.json');
    const rec = new CassetteProvider(Cassette.open(path, 'record'), 'record', live(['old']));
    await rec.complete(req);
    await rec.dispose();
    expect(Cassette.open(path, 'replay').size).toBe(1);
    fs.rmSync(path);
    const again = new CassetteProvider(Cassette.open(path, 'record'), 'record', live(['new']));
    expect((await again.complete(req)).content).toBe('new'); // not the stale in-memory "old"
  });

  it('refuses a missing or foreign file in replay', () => {
    expect(userErrorOf(() => Cassette.open('/nonexistent/c.json', 'replay')).message).toMatch(/no such file/);
    const bad = join(mkdtempSync(join(tmpdir(), 'cassette-')), 'bad.json');
    writeFileSync(bad, '{"entries": {}}');
    expect(userErrorOf(() => Cassette.open(bad, 'replay')).message).toMatch(/not a planarena LLM cassette/);
  });
});
