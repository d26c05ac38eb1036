import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real physics, real servers and a real browser: generous per-test budget, no timing assertions.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    // Hermetic: a model the developer pulled (or PLANARENA_LLM_GGUF) must not turn the LLM planner
    // on in tests that expect it off. The llama.cpp runtime stays visible (embedded.test.ts).
    env: { PLANARENA_MODELS: join(tmpdir(), 'planarena-test-no-models'), PLANARENA_LLM_GGUF: '' },
  },
});
