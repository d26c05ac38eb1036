/**
 * `planarena llm pull` against a real HTTP server on 127.0.0.1 serving the tiny model: sizes and
 * checksums verified, resumes after a cut connection (HTTP Range), wrong files refused, progress
 * printed, unreachable hosts explained. No network beyond 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { whyNoLlm } from '../../planners/llm/connectProvider.ts';
import { loadRuntime, runtimeDir, runtimePackages, setupRuntime } from '../../planners/llm/LlamaRuntime.ts';
import { resolveLlmConfig } from '../../planners/llm/LlmConfig.ts';
import { catalogModel, DEFAULT_MODEL } from '../../planners/llm/ModelCatalog.ts';
import { downloadModel } from '../../planners/llm/ModelDownload.ts';
import { defaultModelFile, listModels } from '../../planners/llm/ModelStore.ts';
import { closedPortUrl } from '../support/llmServer.ts';
import { tinyLlm } from '../support/tinyLlm.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const model = tinyLlm().toBuffer();
const sha = createHash('sha256').update(model).digest('hex');

interface Served {
  url: string;
  requests: IncomingMessage['headers'][];
  paths: string[];
  /** Cut the connection of the next request after this many bytes. */
  cutNextAfter: number | null;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange: boolean;
  close(): Promise<void>;
}

/** Serves `model` at every path, honouring `Range: bytes=N-` with 206 like a CDN. */
async function serve(): Promise<Served> {
  const s: Served = { url: '', requests: [], paths: [], cutNextAfter: null, ignoreRange: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    s.requests.push(req.headers);
    s.paths.push(req.url ?? '');
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !s.ignoreRange ? Number(m[1]) : 0;
    const body = model.subarray(start);
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': body.length, 'accept-ranges': 'bytes' };
    if (start > 0) headers['content-range'] = `bytes ${start}-${model.length - 1}/${model.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = s.cutNextAfter;
    s.cutNextAfter = null;
    if (cut === null) return res.end(body);
    // Send part of the body, then drop the socket mid-transfer.
    res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () => new Promise((resolve) => server.close(() => resolve()));
  return s;
}

let server: Served;
beforeAll(async () => {
  server = await serve();
});
afterAll(() => server.close());

const fresh = () => mkdtempSync(join(tmpdir(), 'pull-'));

describe('llm pull', () => {
  it('downloads, verifies the SHA-256 and prints progress (the CLI, as a user runs it)', async () => {
    const models = fresh();
    const env = { ...process.env, PLANARENA_MODELS: models, PLANARENA_LLM_RUNTIME: join(models, 'no-runtime') };
    const { stdout, stderr } = await run('node', ['bin/planarena.mjs', 'llm', 'pull', '--url', `${server.url}/files/tiny.gguf`, '--sha256', sha], { cwd: root, env });
    const dest = join(models, 'tiny.gguf');
    expect(readFileSync(dest).equals(model)).toBe(true);
    expect(stdout).toContain(`tiny.gguf: downloaded, ${(model.length / 1e6).toFixed(1)} MB, SHA-256 verified: ${dest}`);
    expect(stdout).toMatch(/next: planarena llm setup/);
    // Not a terminal: a line per 10%, ending at 100%.
    const lines = stderr.split('\n').filter((l) => / MB\/s/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[lines.length - 1]).toMatch(/100\.0%/);
    // list shows it; a second pull only re-verifies.
    const list = await run('node', ['bin/planarena.mjs', 'llm', 'list'], { cwd: root, env });
    expect(list.stdout).toMatch(/tiny\.gguf\s+1\.\d MB/);
    expect(list.stdout).toMatch(/runtime: not installed \(planarena llm setup\)/);
    const again = await run('node', ['bin/planarena.mjs', 'llm', 'pull', '--url', `${server.url}/files/tiny.gguf`, '--sha256', sha], { cwd: root, env });
    expect(again.stdout).toMatch(/already here, .* SHA-256 verified/);
  });

  it('resumes after a cut connection with an HTTP Range request, and the result is verified', async () => {
    const dest = join(fresh(), 'tiny.gguf');
    server.requests.length = 0;
    server.cutNextAfter = 700_000;
    const logs: string[] = [];
    const progress: number[] = [];
    const outcome = await downloadModel({ url: `${server.url}/m.gguf`, dest, sha256: sha, size: model.length, log: (l) => logs.push(l), onProgress: (p) => progress.push(p.received) });
    expect(outcome).toBe('downloaded');
    expect(readFileSync(dest).equals(model)).toBe(true);
    // The second request asks for the rest of what reached the disk (at most what was sent).
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(700_000);
    expect(logs.join('\n')).toContain(`connection lost after ${(resumedAt / 1e6).toFixed(1)} MB`);
    expect(logs.join('\n')).toMatch(/resuming \(1\/3\)/);
    expect(progress[progress.length - 1]).toBe(model.length);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('a cut with no retries left keeps the part, says how to resume, and the next pull resumes it', async () => {
    const dir = fresh();
    const dest = join(dir, 'tiny.gguf');
    server.requests.length = 0;
    server.cutNextAfter = 300_000;
    const err = await downloadModel({ url: `${server.url}/m.gguf`, dest, sha256: sha, retries: 0, label: 'tiny' }).catch((e: unknown) => e);
    expect(isUserError(err) && err.code).toBe('E_LLM_DOWNLOAD');
    const kept = statSync(`${dest}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(300_000);
    expect((err as Error).message).toMatch(new RegExp(`^download of tiny interrupted after ${(kept / 1e6).toFixed(1).replace('.', '\\.')} MB .*run the same command again to resume`));
    expect(listModels(dir)).toEqual([expect.objectContaining({ file: 'tiny.gguf', partial: true, bytes: kept })]);
    await downloadModel({ url: `${server.url}/m.gguf`, dest, sha256: sha });
    expect(server.requests[1].range).toBe(`bytes=${kept}-`);
    expect(readFileSync(dest).equals(model)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    const dest = join(fresh(), 'tiny.gguf');
    writeFileSync(`${dest}.part`, model.subarray(0, 1000));
    server.ignoreRange = true;
    try {
      const logs: string[] = [];
      await downloadModel({ url: `${server.url}/m.gguf`, dest, sha256: sha, log: (l) => logs.push(l) });
      expect(logs.join('\n')).toMatch(/does not resume downloads; starting .* over/);
      expect(readFileSync(dest).equals(model)).toBe(true);
    } finally {
      server.ignoreRange = false;
    }
  });

  it('refuses a wrong checksum (and deletes the bytes) and a file of the wrong size (before keeping any)', async () => {
    const dest = join(fresh(), 'tiny.gguf');
    const wrong = await downloadModel({ url: `${server.url}/m.gguf`, dest, sha256: '0'.repeat(64), label: 'tiny' }).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(new RegExp(`^tiny from .* has SHA-256 ${sha}, expected 0{64}: the file was deleted`));
    expect(existsSync(dest) || existsSync(`${dest}.part`)).toBe(false);

    // The catalog's default model through a mirror (HF_ENDPOINT) that serves another file.
    const models = fresh();
    const env = { ...process.env, PLANARENA_MODELS: models, HF_ENDPOINT: server.url };
    const cli = await run('node', ['bin/planarena.mjs', 'llm', 'pull'], { cwd: root, env }).catch((e: { stderr: string; code: number }) => e);
    const def = catalogModel(DEFAULT_MODEL)!;
    expect((cli as { code: number }).code).toBe(1);
    expect((cli as { stderr: string }).stderr).toContain(`offers ${model.length} bytes for ${DEFAULT_MODEL}, expected ${def.size}: not the catalogued file; nothing was kept.`);
    expect(server.paths[server.paths.length - 1]).toBe(new URL(def.url).pathname); // the pinned commit's path, on the mirror
    expect(listModels(models)).toEqual([]);
  });

  it('an unreachable host gives one line: what to fetch by hand and where to put it', async () => {
    const url = `${await closedPortUrl()}/Qwen.gguf`;
    const dest = join(fresh(), 'Qwen.gguf');
    const err = await downloadModel({ url, dest, sha256: sha }).catch((e: unknown) => e);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): fetch http:\/\/127\.0\.0\.1:\d+\/v1\/Qwen\.gguf by hand, save it as .*Qwen\.gguf, then run the same command again to verify it\.$/);
    expect(msg).not.toContain('\n');
  });

  it('a file fetched by hand is accepted only if it verifies', async () => {
    const dest = join(fresh(), 'tiny.gguf');
    writeFileSync(dest, model);
    expect(await downloadModel({ url: 'http://127.0.0.1:9/never', dest, sha256: sha, size: model.length })).toBe('already-present');
    writeFileSync(dest, Buffer.concat([model.subarray(0, 100), Buffer.from('x'), model.subarray(101)]));
    await expect(downloadModel({ url: 'http://127.0.0.1:9/never', dest, sha256: sha, size: model.length })).rejects.toThrow(/has SHA-256 [0-9a-f]{64}, .* delete it and pull again/);
  });
});

describe('the cached model is the default', () => {
  it('PLANARENA_LLM_GGUF, else the catalog model in the models folder; a configured --llm-url still wins', () => {
    const models = fresh();
    const file = join(models, catalogModel(DEFAULT_MODEL)!.file);
    expect(defaultModelFile({ PLANARENA_MODELS: models })).toBeNull();
    writeFileSync(file, model);
    expect(defaultModelFile({ PLANARENA_MODELS: models })).toBe(file);
    expect(defaultModelFile({ PLANARENA_MODELS: models, PLANARENA_LLM_GGUF: '/x/y.gguf' })).toBe('/x/y.gguf');
    const env = { PLANARENA_MODELS: models };
    expect(resolveLlmConfig({}, env).gguf).toBe(file);
    expect(resolveLlmConfig({ llmUrl: 'http://127.0.0.1:1/v1', llmModel: 'm' }, env)).toMatchObject({ gguf: null, url: 'http://127.0.0.1:1/v1' });
    expect(resolveLlmConfig({ llmCassette: 'c.json', llmReplay: true }, env).gguf).toBeNull();
    expect(() => resolveLlmConfig({}, { PLANARENA_LLM_GGUF: '/nowhere/m.gguf' })).toThrow(/^PLANARENA_LLM_GGUF \/nowhere\/m\.gguf: no such file\.$/);
  });

  it('the skip line offers the pull command in at most two short lines, and disappears once model and runtime are there', () => {
    const models = fresh();
    const noRuntime = join(models, 'none');
    const lines = (s: string | null) => s!.split('\n');
    const nothing = whyNoLlm({}, { PLANARENA_MODELS: models, PLANARENA_LLM_RUNTIME: noRuntime })!;
    expect(nothing).toMatch(/`planarena llm setup && planarena llm pull`/);
    expect(nothing).toMatch(/--llm-url URL --llm-model NAME/);
    for (const l of lines(nothing)) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines(nothing).length).toBeLessThanOrEqual(2);
    writeFileSync(join(models, catalogModel(DEFAULT_MODEL)!.file), model);
    const noRt = whyNoLlm({}, { PLANARENA_MODELS: models, PLANARENA_LLM_RUNTIME: noRuntime })!;
    expect(noRt).toMatch(/runtime is not installed:\n {2}run `planarena llm setup`/);
    expect(lines(noRt).length).toBeLessThanOrEqual(2);
    expect(whyNoLlm({ llmUrl: 'http://x/v1' }, { PLANARENA_MODELS: models, PLANARENA_LLM_RUNTIME: noRuntime })).toBeNull();
    // With the runtime this machine has (if `llm setup` ran), the planner is available.
    if (existsSync(join(runtimeDir(), 'node_modules', 'node-llama-cpp'))) expect(whyNoLlm({}, { PLANARENA_MODELS: models })).toBeNull();
  });

  it('without the runtime the error says to run `planarena llm setup`; setup installs only this platform\'s binary', async () => {
    const err = await loadRuntime(fresh(), false).catch((e: unknown) => e);
    expect(isUserError(err) && err.code).toBe('E_LLM_RUNTIME');
    expect((err as Error).message).toMatch(/not installed \(looked in .*\): run `planarena llm setup`/);
    expect(runtimePackages('auto', 'linux', 'x64')).toEqual(['node-llama-cpp@3.21.1', '@node-llama-cpp/linux-x64@3.21.1']);
    expect(runtimePackages('cuda', 'linux', 'x64')).toEqual([
      'node-llama-cpp@3.21.1',
      '@node-llama-cpp/linux-x64-cuda@3.21.1',
      '@node-llama-cpp/linux-x64-cuda-ext@3.21.1',
      '@node-llama-cpp/linux-x64@3.21.1',
    ]);
    expect(runtimePackages('auto', 'darwin', 'arm64')).toEqual(['node-llama-cpp@3.21.1', '@node-llama-cpp/mac-arm64-metal@3.21.1']);
    expect(() => runtimePackages('cuda', 'darwin', 'arm64')).toThrow(/linux-x64 and win-x64 only/);
  });

  it('a failed npm install in `llm setup` says what to run by hand, in one line', async () => {
    const dir = fresh();
    const err = await setupRuntime({ dir, gpu: 'none', npm: 'false', log: () => {} }).catch((e: unknown) => e);
    expect(isUserError(err) && err.code).toBe('E_LLM_RUNTIME');
    const msg = (err as Error).message;
    expect(msg).toMatch(/^setup: npm install failed \(exit 1\); check access to the npm registry, or run it by hand: cd .* && npm install .*node-llama-cpp@3\.21\.1/);
    expect(msg).not.toContain('\n');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: 'planarena-llama-runtime', private: true });
  });
});
