/**
 * The --llm-hints ablation on the same seeds: runs the LLM planner (skills mode) on the core
 * suite twice, without and with hints, against planarena's scripted OpenAI-compatible test
 * server (NOT a language model: it plans straight at the goal and ignores the text), then
 * prints `planarena compare` of the two runs.
 *
 *     npx tsx test/llm/hintAblation.ts [--suite S] [--seeds LIST] [--out DIR]
 *
 * With the scripted server the two runs can differ only through prompt length (tokens): it
 * shows the ablation's plumbing and cost, not what a hint is worth. Point a real model at the
 * same two commands (`--llm-url`, `--llm-model`, with and without `--llm-hints`) for that.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLlmServer } from '../support/llmServer.ts';

async function planarena(root: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['bin/planarena.mjs', ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, PLANARENA_LLM_API_KEY: '' } });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`planarena ${args[0]} exited with ${code}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { suite: { type: 'string', default: 'core' }, seeds: { type: 'string', default: '0-2' }, out: { type: 'string' } } });
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const out = values.out ?? mkdtempSync(join(tmpdir(), 'hint-ablation-'));
  const server = await startLlmServer();
  try {
    const common = ['run', '--suite', values.suite!, '--planners', 'llm', '--seeds', values.seeds!, '--llm-url', server.url, '--llm-model', 'scripted-competent-policy', '--no-live', '--force'];
    await planarena(root, [...common, '--out', join(out, 'plain')]);
    await planarena(root, [...common, '--llm-hints', '--out', join(out, 'hints')]);
  } finally {
    await server.close();
  }
  await planarena(root, ['compare', join(out, 'plain'), join(out, 'hints')]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
