/**
 * Re-records `planners/llm/cassettes/ci.json`: the smoke suite, LLM planner in skills mode,
 * against the scripted OpenAI-compatible test server (NOT a real language model).
 *
 *     npx tsx test/llm/recordCiCassette.ts
 *
 * Run it after changing prompt templates, skill descriptions or the smoke scenarios, which
 * change the prompts and so the cassette keys.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLlmServer } from '../support/llmServer.ts';

export const CI_CASSETTE = fileURLToPath(new URL('../../planners/llm/cassettes/ci.json', import.meta.url));
export const CI_MODEL = 'scripted-competent-policy';
const NOTE =
  'Recorded against planarena\'s scripted OpenAI-compatible test server (test/support/llmServer.ts, competentPolicy), not a real LLM: ' +
  'it plans move_to/push/reach straight at the goal. It exercises prompting, parsing, validation, skills, accounting and replay in CI; it says nothing about how well a language model plans. ' +
  'Re-record with `npx tsx test/llm/recordCiCassette.ts`.';

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const server = await startLlmServer();
  const out = mkdtempSync(join(tmpdir(), 'ci-cassette-'));
  rmSync(CI_CASSETTE, { force: true });
  try {
    // Async spawn: the scripted server lives in this process and must keep answering.
    const child = spawn(
      process.execPath,
      ['bin/planarena.mjs', 'run', '--suite', 'smoke', '--planners', 'llm', '--llm-url', server.url, '--llm-model', CI_MODEL, '--llm-cassette', CI_CASSETTE, '--llm-record', '--out', join(out, 'run'), '--no-live'],
      { cwd: root, stdio: 'inherit', env: { ...process.env, PLANARENA_LLM_API_KEY: '' } },
    );
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`planarena run exited with ${code}`);
  } finally {
    await server.close();
  }
  const cassette = JSON.parse(readFileSync(CI_CASSETTE, 'utf8'));
  cassette.note = NOTE;
  writeFileSync(CI_CASSETTE, `${JSON.stringify(cassette, null, 1)}\n`);
  console.log(`wrote ${CI_CASSETTE}: ${Object.keys(cassette.entries).length} exchanges`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
