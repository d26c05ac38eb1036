import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CLI = ['bin/planarena.mjs', 'serve'];

describe('planarena serve', () => {
  it('serves the viewer and the runs API, and exits 0 on SIGTERM', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'planarena-serve-'));
    const child = spawn(process.execPath, [...CLI, '--port', '0', '--runs', runs], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /planarena viewer: (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('planarena viewer');
      expect(await (await fetch(`${url}api/runs`)).json()).toEqual({ runsDir: runs, runs: [] });
      const missing = await fetch(`${url}api/runs/nope`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: string }).error).toMatch(/no run "nope"/);
      expect((await fetch(`${url}api/runs/..%2F..%2Fetc/episode?path=passwd`)).status).toBe(404);
      expect((await fetch(`${url}../../package.json`)).status).toBe(404);
      const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(runs, { recursive: true, force: true });
    }
  });

  it('rejects a bad flag in one line', async () => {
    const err = await promisify(execFile)(process.execPath, [...CLI, '--port', 'eighty']).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr.trim()).toBe('planarena serve: --port must be an integer >= 0, got "eighty".');
  });
});
