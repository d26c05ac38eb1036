/**
 * Issue 16: an LLM server that echoes the Authorization header must not get the API key into a
 * recording, a cassette, an episode record or the terminal, in any casing or encoding. Plus the
 * scrubber itself (`core/secrets.ts`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { registerSecret, SCRUBBED, scrubDeep, scrubSecrets } from '../../core/secrets.ts';
import { echoForms, startLlmServer } from '../support/llmServer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'sk-proj-Echo7fQ2xLw9NEVERwriteME0123';
const tmp = mkdtempSync(join(tmpdir(), 'llm-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Where the key shows in `text`, in any case, or as base64 at any of the three byte alignments
 * (computed here independently of the scrubber: the middle of base64(padding + key)). */
function leaks(text: string, key = KEY): string[] {
  const found: string[] = [];
  if (text.toLowerCase().includes(key.toLowerCase())) found.push('raw');
  for (let pad = 0; pad < 3; pad++) {
    for (const enc of ['base64', 'base64url'] as const) {
      const b = Buffer.concat([Buffer.alloc(pad, 0x41), Buffer.from(key)]).toString(enc);
      const core = b.slice(Math.ceil((pad * 8) / 6) + 1, b.length - 3);
      if (text.includes(core)) found.push(`${enc}@${pad}`);
    }
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function planarena(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/planarena.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('the secret scrubber', () => {
  registerSecret(KEY);

  it('removes every form an echoing server sends, and base64 of the key at any offset', () => {
    for (const form of echoForms(`Bearer ${KEY}`)) {
      const text = `before ${form} after`;
      const out = scrubSecrets(text);
      expect(leaks(out), form).toEqual([]);
      expect(out, form).toContain(SCRUBBED);
      expect(out.startsWith('before ') && out.endsWith(' after'), form).toBe(true);
    }
    for (let pad = 0; pad < 6; pad++) {
      const blob = Buffer.from(`${'p'.repeat(pad)}${KEY}${'s'.repeat(pad)}`).toString('base64');
      expect(leaks(scrubSecrets(blob)), `offset ${pad}`).toEqual([]);
    }
    // JSON-escaped inside a string that was itself serialised.
    const twice = JSON.stringify(JSON.stringify({ auth: `Bearer ${KEY}` }));
    expect(leaks(scrubSecrets(twice))).toEqual([]);
  });

  it('leaves other text alone, ignores short values and copies only what it changes', () => {
    const plain = 'ordinary text with base64 AAAAAAAAAAAA and sk-proj-other';
    expect(scrubSecrets(plain)).toBe(plain);
    registerSecret('short');
    expect(scrubSecrets('a short word')).toBe('a short word');
    const clean = { a: [1, 'x'], b: { c: 'y' } };
    expect(scrubDeep(clean)).toBe(clean);
    const dirty = { a: [1, `k=${KEY}`], b: { [KEY]: 'v' }, t: new Float32Array([1, 2]) };
    const out = scrubDeep(dirty);
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(out.t).toBe(dirty.t);
    expect(dirty.a[1]).toBe(`k=${KEY}`);
  });
});

describe('a server that echoes the Authorization header', () => {
  it('the key is in no recording, cassette, episode record or output; record and replay still agree', async () => {
    const server = await startLlmServer({ echoAuthorization: true });
    // The first answer is an error whose body echoes the header too.
    server.push({ kind: 'status', status: 401 });
    const cassette = join(tmp, 'cassette.json');
    const common = ['run', '--scenarios', 'open-field', '--seeds', '2', '--planners', 'llm', '--record', '--no-live', '--llm-cassette', cassette, '--set', 'llm-retries=0', '--allow-planner-errors'];
    let rec;
    try {
      rec = await planarena([...common, '--out', join(tmp, 'rec'), '--llm-url', server.url, '--llm-model', 'scripted', '--llm-record'], { PLANARENA_LLM_API_KEY: KEY });
    } finally {
      await server.close();
    }
    expect(rec.code, rec.output).toBe(0);
    // The server did echo it: otherwise this test proves nothing.
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);

    const rep = await planarena([...common, '--out', join(tmp, 'rep'), '--llm-replay'], { PLANARENA_LLM_API_KEY: KEY });
    expect(rep.code, rep.output).toBe(0);

    const files = [...filesUnder(join(tmp, 'rec')), ...filesUnder(join(tmp, 'rep')), cassette];
    expect(files.filter((f) => f.includes('recordings'))).toHaveLength(4);
    for (const f of files) expect(leaks(readFileSync(f, 'utf8')), f).toEqual([]);
    expect(leaks(rec.output + rep.output)).toEqual([]);

    // The echo reached the files in scrubbed form, and replay saw exactly what record saw.
    expect(readFileSync(cassette, 'utf8')).toContain(`you sent Bearer ${SCRUBBED} | bearer ${SCRUBBED}`);
    const episodes = (dir: string) => readFileSync(join(tmp, dir, 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpisodeRecord);
    const [r, p] = [episodes('rec'), episodes('rep')];
    expect(r.find((e) => e.seed === 0)!.error).toMatch(/HTTP 401/);
    expect(p.map((e) => e.trajectoryHash)).toEqual(r.map((e) => e.trajectoryHash));
  });
});
