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
      await mod.init();
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
