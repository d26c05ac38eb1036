/**
 * Loading the Rapier WASM module. Both builds expose the same API; we type against the
 * deterministic one. Each flavour is initialised once per process and cached: `init()` decodes
 * and compiles ~1.5 MB of inlined WASM, which we pay for only on the first environment.
 */
import type RAPIER_NS from '@dimforge/rapier3d-deterministic-compat';
import type { PhysicsFlavor } from './types.ts';

/** The Rapier module namespace (World, RigidBodyDesc, ColliderDesc, JointData, ...). */
export type Rapier = typeof RAPIER_NS;

const cache = new Map<PhysicsFlavor, Promise<Rapier>>();

/** Each flavour's compiled WebAssembly module, once this process has initialised it. */
const compiled = new Map<PhysicsFlavor, WebAssembly.Module>();

/** Serialises initialisations: `WebAssembly.instantiate` is swapped while one runs. */
let initLock: Promise<unknown> = Promise.resolve();

/**
 * The compiled Rapier module of `flavor` (after `loadRapier(flavor)`), for sharing with worker
 * threads. A `WebAssembly.Module` posted to a worker keeps its machine code: V8 optimises hot
 * functions in the background once per module, so N workers sharing one do that work once
 * instead of N times (it cost a third of all CPU in short parallel runs).
 */
export function compiledRapier(flavor: PhysicsFlavor): WebAssembly.Module | undefined {
  return compiled.get(flavor);
}

/**
 * Makes the next `loadRapier(flavor)` in this thread instantiate `module` (from
 * `compiledRapier` in another thread) instead of compiling the inlined bytes again.
 */
export function adoptCompiledRapier(flavor: PhysicsFlavor, module: WebAssembly.Module): void {
  if (!cache.has(flavor)) compiled.set(flavor, module);
}

/**
 * Runs the package's `init()` (which instantiates its inlined bytes) so that the bytes are
 * compiled once into a module we keep, or not compiled at all when one was adopted. The Rapier
 * packages' `init()` takes no module argument, hence the scoped swap of `instantiate`.
 */
async function initKeepingModule(flavor: PhysicsFlavor, init: () => Promise<void>): Promise<void> {
  const run = initLock.then(async () => {
    const original = WebAssembly.instantiate;
    const swapped = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
      if (source instanceof WebAssembly.Module) return original(source, imports);
      const module = compiled.get(flavor) ?? (await WebAssembly.compile(source));
      compiled.set(flavor, module);
      return { module, instance: await original(module, imports) };
    };
    WebAssembly.instantiate = swapped as typeof WebAssembly.instantiate;
    try {
      await init();
    } finally {
      WebAssembly.instantiate = original;
    }
  });
  initLock = run.catch(() => undefined);
  return run;
}

/** The initialised Rapier module for `flavor`: `deterministic` is bit-identical across machines,
 * `fast` (SIMD) only on the same machine. */
export function loadRapier(flavor: PhysicsFlavor = 'deterministic'): Promise<Rapier> {
  let p = cache.get(flavor);
  if (!p) {
    p = (async () => {
      const mod =
        flavor === 'fast'
          ? ((await import('@dimforge/rapier3d-simd-compat')).default as unknown as Rapier)
          : (await import('@dimforge/rapier3d-deterministic-compat')).default;
      await initKeepingModule(flavor, () => mod.init());
      return mod;
    })();
    cache.set(flavor, p);
    // A failed init must not poison the cache for later callers.
    p.catch(() => cache.delete(flavor));
  }
  return p;
}

/** Every flavour, for CLI flag validation. */
export const PHYSICS_FLAVORS: readonly PhysicsFlavor[] = ['deterministic', 'fast'];
