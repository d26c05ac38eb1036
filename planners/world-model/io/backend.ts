/**
 * Picks the TensorFlow.js backend at run time. All model code is written against the plain
 * `@tensorflow/tfjs` API; only this file knows which backends exist and how to load them.
 *
 * `auto` tries, in order:
 * 1. `tensorflow` — `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, if the user installed
 *    one (optional peers: their install scripts download libtensorflow, so they are never required);
 * 2. `webgpu` — the `webgpu` npm package (Dawn) when it loads *and* yields an adapter;
 * 3. `wasm` — XNNPACK SIMD kernels, the default on CPU machines;
 * 4. `cpu` — plain JavaScript, always there.
 * Naming a backend explicitly never falls back: a missing one is a `UserError` saying how to get it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../../core/errors.ts';

export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it could not be used (absent when ok). */
  reason?: string;
}

export interface BackendSelection {
  /** The backend now active in tfjs. */
  backend: BackendName;
  /** What `auto` tried, in order (a single entry for an explicit choice). */
  tried: BackendAttempt[];
}

const ORDER: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

const HINTS: Record<BackendName, string> = {
  tensorflow: 'install @tensorflow/tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1) or @tensorflow/tfjs-node yourself, or use --backend auto',
  webgpu: 'needs the optional `webgpu` package and a GPU with a Vulkan/Metal/D3D12 driver; use --backend auto to fall back',
  wasm: 'reinstall dependencies (npm ci) so that @tensorflow/tfjs-backend-wasm is present',
  cpu: 'reinstall dependencies (npm ci)',
};

/** Loaders register a backend with tfjs; they throw with a short reason when it is unusable. */
const LOADERS: Record<BackendName, () => Promise<void>> = {
  async tensorflow() {
    const errors: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(/* @vite-ignore */ pkg);
        return;
      } catch (e) {
        errors.push(`${pkg}: ${firstLine(e)}`);
      }
    }
    throw new Error(`not installed (${errors.join('; ')})`);
  },
  async webgpu() {
    if (process.platform === 'linux' && !vulkanLoaderPresent()) {
      // Dawn would only print a warning and find no adapter; say why instead.
      throw new Error('no Vulkan loader (libvulkan.so.1) on this machine');
    }
    let gpuModule: { create(flags: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
    try {
      gpuModule = (await import(/* @vite-ignore */ 'webgpu')) as unknown as typeof gpuModule;
    } catch (e) {
      throw new Error(`the webgpu package does not load (${firstLine(e)})`);
    }
    const gpu = gpuModule.create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('no GPU adapter (no Vulkan/Metal/D3D12 device visible to Dawn)');
    // tfjs-backend-webgpu registers itself at import time only if navigator.gpu already exists.
    Object.assign(globalThis, gpuModule.globals);
    if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }
    await import('@tensorflow/tfjs-backend-webgpu');
  },
  async wasm() {
    await import('@tensorflow/tfjs-backend-wasm');
  },
  async cpu() {
    // Registered by @tensorflow/tfjs itself.
  },
};

function vulkanLoaderPresent(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib'];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

async function tryBackend(name: BackendName): Promise<BackendAttempt> {
  try {
    await quietly(() => LOADERS[name]());
    if (!(await quietly(() => tf.setBackend(name)))) return { backend: name, ok: false, reason: 'tfjs could not initialise it' };
    await tf.ready();
    // The plain-JS backend prints a banner recommending tfjs-node on its first tensor; the
    // selection log already says which backend runs and why.
    const b = tf.backend() as { firstUse?: boolean };
    if (name === 'cpu' && 'firstUse' in b) b.firstUse = false;
    return { backend: name, ok: true };
  } catch (e) {
    return { backend: name, ok: false, reason: firstLine(e) };
  }
}

/**
 * Activates a backend. With `auto`, the first usable one in {@link ORDER}; otherwise exactly the
 * one named, or a `UserError` (code `E_BACKEND_UNAVAILABLE`) naming the reason and the fix.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendSelection> {
  if (choice !== 'auto') {
    const attempt = await tryBackend(choice);
    if (!attempt.ok) {
      throw new UserError('E_BACKEND_UNAVAILABLE', `--backend ${choice} is not available here: ${attempt.reason}. Fix: ${HINTS[choice]}.`);
    }
    return { backend: choice, tried: [attempt] };
  }
  const tried: BackendAttempt[] = [];
  for (const name of ORDER) {
    if (name === 'tensorflow' && !(await canResolveNodeBackend())) {
      tried.push({ backend: name, ok: false, reason: 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed' });
      continue;
    }
    const attempt = await tryBackend(name);
    tried.push(attempt);
    if (attempt.ok) return { backend: name, tried };
  }
  // cpu is built into tfjs; reaching here means tfjs itself is broken.
  throw new UserError('E_BACKEND_UNAVAILABLE', `no TensorFlow.js backend could start: ${tried.map((t) => `${t.backend}: ${t.reason}`).join('; ')}`);
}

/** One line for logs and manifests, e.g. "wasm (tried tensorflow: not installed; webgpu: no GPU adapter)". */
export function describeSelection(sel: BackendSelection): string {
  const failed = sel.tried.filter((t) => !t.ok);
  return failed.length ? `${sel.backend} (skipped ${failed.map((t) => `${t.backend}: ${t.reason}`).join('; ')})` : sel.backend;
}

/** Checks for the optional node backends without importing them (an import would run their native addon). */
async function canResolveNodeBackend(): Promise<boolean> {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      // Not installed: the usual case; try the next one.
    }
  }
  return false;
}

/** tfjs and Dawn print advice to the console while loading (e.g. "install tfjs-node");
 * the selection result already says what happened, so keep the CLI output clean. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, log } = console;
  const filter = (orig: (...a: unknown[]) => void) => (...args: unknown[]) => {
    const text = String(args[0] ?? '');
    if (/tfjs-node|Hi there|Couldn't load Vulkan|backend was already registered|Platform node has already been set/i.test(text)) return;
    orig(...args);
  };
  console.warn = filter(warn);
  console.log = filter(log);
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}
