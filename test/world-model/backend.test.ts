import { describe, expect, it } from 'vitest';
import { describeSelection, selectBackend } from '../../planners/world-model/io/backend.ts';
import * as tf from '@tensorflow/tfjs';

describe('backend selection', () => {
  it('auto falls back past missing backends to the first that runs, saying why', async () => {
    const sel = await selectBackend('auto');
    expect(tf.getBackend()).toBe(sel.backend);
    const first = sel.tried[0];
    expect(first.backend).toBe('tensorflow');
    // This machine has no tfjs-node and no GPU: both are skipped with a reason, wasm runs.
    if (!first.ok) expect(first.reason).toMatch(/tfjs-node/);
    expect(sel.tried.at(-1)!.ok).toBe(true);
    for (const t of sel.tried.slice(0, -1)) expect(t.reason, t.backend).toBeTruthy();
    expect(describeSelection(sel)).toContain(sel.backend);
  });

  it('an explicitly named missing backend is a one-line UserError with the fix, and never falls back', async () => {
    const before = tf.getBackend();
    await expect(selectBackend('tensorflow')).rejects.toMatchObject({
      name: 'UserError',
      code: 'E_BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/^--backend tensorflow is not available here: .*install @tensorflow\/tfjs-node/),
    });
    expect(tf.getBackend()).toBe(before);
  });

  it('cpu and wasm can be chosen explicitly', async () => {
    expect((await selectBackend('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
