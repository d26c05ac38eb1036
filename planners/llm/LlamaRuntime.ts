/**
 * Where the embedded llama.cpp runtime (node-llama-cpp) lives, how `planarena llm setup`
 * installs it, and how the provider loads it.
 *
 * Why a setup step and not a dependency: `npm install node-llama-cpp@3.21.1` pulls every prebuilt
 * binary of its platform (CUDA, Vulkan, ARM...): 732 MB on disk and 408 MB downloaded, measured on
 * Linux x64, more than the rest of planarena's dependencies (601 MB). `llm setup` installs the
 * package with only this machine's binary (83 MB, CPU; `--gpu cuda|vulkan` adds that build) into
 * a folder of its own, outside the project's node_modules, so `npm ci` neither pays for it nor
 * removes it. A node-llama-cpp the user installed in the project is used too.
 *
 * | what              | where                                                                |
 * |-------------------|----------------------------------------------------------------------|
 * | cache root        | $PLANARENA_CACHE, else $XDG_CACHE_HOME/planarena, else ~/.cache/planarena |
 * | runtime           | $PLANARENA_LLM_RUNTIME, else <cache root>/llama-runtime              |
 * | models            | $PLANARENA_MODELS, else <cache root>/models (see ModelStore.ts)      |
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../../core/errors.ts';

/** The node-llama-cpp release planarena is tested with (bundles llama.cpp; see docs/llm.md). */
export const RUNTIME_VERSION = '3.21.1';

export type GpuChoice = 'auto' | 'cuda' | 'vulkan' | 'metal' | 'none';
export const GPU_CHOICES: readonly GpuChoice[] = ['auto', 'cuda', 'vulkan', 'metal', 'none'];

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLANARENA_CACHE) return env.PLANARENA_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'planarena');
}

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLANARENA_LLM_RUNTIME || join(cacheRoot(env), 'llama-runtime');
}

const SETUP_HINT = 'run `planarena llm setup` (installs node-llama-cpp with its llama.cpp binary, ~85 MB), or serve a model and use --llm-url';

/** The node-llama-cpp entry file in `dir`, or null when it is not installed there. */
function entryIn(dir: string): string | null {
  const pkg = join(dir, 'node_modules', 'node-llama-cpp', 'package.json');
  if (!existsSync(pkg)) return null;
  const main = join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
  return existsSync(main) ? main : null;
}

/** The project's own node_modules (a node-llama-cpp the user installed with npm). */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when `loadRuntime` would find node-llama-cpp: in `dir`, or (unless `projectFallback` is
 * false) in the project's node_modules. */
export function runtimeInstalled(dir: string = runtimeDir(), projectFallback = true): boolean {
  return entryIn(dir) !== null || (projectFallback && entryIn(PROJECT_ROOT) !== null);
}

/** The installed node-llama-cpp version in `dir`, or null. */
export function installedVersion(dir: string = runtimeDir()): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null; // not installed
  }
}

/**
 * Imports node-llama-cpp: from the runtime folder, else from the project's own node_modules.
 * `projectFallback: false` looks only in `dir` (tests of the "not installed" message).
 */
export async function loadRuntime<T = unknown>(dir: string = runtimeDir(), projectFallback = true): Promise<T> {
  const entry = entryIn(dir);
  if (entry) return (await import(pathToFileURL(entry).href)) as T;
  if (projectFallback) {
    try {
      const name = 'node-llama-cpp'; // a variable, so type-checking does not require the package
      return (await import(name)) as T;
    } catch {
      // not in the project either: fall through to the message
    }
  }
  throw new UserError('E_LLM_RUNTIME', `the embedded LLM runtime is not installed (looked in ${dir}): ${SETUP_HINT}.`);
}

/** The npm packages for this platform: node-llama-cpp and the one prebuilt binary it needs. */
export function runtimePackages(gpu: GpuChoice, platform: string = process.platform, arch: string = process.arch): string[] {
  const os = platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : platform;
  const base = `${os}-${arch}`;
  const binaries: Record<string, string[]> = {
    none: [platform === 'darwin' && arch === 'arm64' ? 'mac-arm64-metal' : base],
    auto: [platform === 'darwin' && arch === 'arm64' ? 'mac-arm64-metal' : base],
    cuda: [`${base}-cuda`, `${base}-cuda-ext`],
    vulkan: [`${base}-vulkan`],
    metal: ['mac-arm64-metal'],
  };
  const supported = ['linux-x64', 'linux-arm64', 'linux-armv7l', 'linux-riscv64', 'mac-arm64', 'mac-x64', 'win-x64', 'win-arm64'];
  if (!supported.includes(base)) throw new UserError('E_LLM_RUNTIME', `setup: node-llama-cpp ships no binary for ${platform}-${arch}; serve a model with llama.cpp or Ollama and use --llm-url.`);
  if ((gpu === 'cuda' || gpu === 'vulkan') && !['linux-x64', 'win-x64'].includes(base)) {
    throw new UserError('E_LLM_RUNTIME', `setup --gpu ${gpu}: node-llama-cpp ships ${gpu} builds for linux-x64 and win-x64 only, not ${base}.`);
  }
  if (gpu === 'metal' && base !== 'mac-arm64') throw new UserError('E_LLM_RUNTIME', `setup --gpu metal: Metal builds exist for Apple silicon (mac-arm64) only, not ${base}.`);
  // The CPU build stays installed next to a GPU one, so a machine without the GPU still runs.
  const bins = new Set([...binaries[gpu], ...(gpu === 'cuda' || gpu === 'vulkan' ? binaries.none : [])]);
  return [`node-llama-cpp@${RUNTIME_VERSION}`, ...[...bins].map((b) => `@node-llama-cpp/${b}@${RUNTIME_VERSION}`)];
}

export interface SetupOptions {
  dir: string;
  gpu: GpuChoice;
  /** The npm executable (tests may point it elsewhere). */
  npm?: string;
  log: (line: string) => void;
}

/**
 * Installs the runtime into `dir` with npm: only this platform's binary (`--omit=optional`),
 * no install scripts (node-llama-cpp's postinstall would try to build llama.cpp from source).
 * Returns the packages installed.
 */
export async function setupRuntime(opts: SetupOptions): Promise<string[]> {
  const packages = runtimePackages(opts.gpu);
  mkdirSync(opts.dir, { recursive: true });
  const manifest = join(opts.dir, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, `${JSON.stringify({ name: 'planarena-llama-runtime', private: true, type: 'module', description: 'node-llama-cpp for planarena (planarena llm setup)' }, null, 2)}\n`);
  }
  const args = ['install', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', '--save-exact', ...packages];
  opts.log(`npm ${args.join(' ')}  (in ${opts.dir})`);
  const npm = opts.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm');
  const { code, output } = await run(npm, args, opts.dir);
  if (code !== 0) {
    const last = output.trim().split('\n').filter((l) => /ERR|error/i.test(l)).slice(-1)[0] ?? output.trim().split('\n').slice(-1)[0] ?? '';
    throw new UserError(
      'E_LLM_RUNTIME',
      `setup: npm install failed (exit ${code}${last ? `: ${last.trim().slice(0, 160)}` : ''}); check access to the npm registry, or run it by hand: cd ${opts.dir} && npm ${args.join(' ')}`,
    );
  }
  return packages;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: 127, output: `${output}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
