/**
 * Issue 16: corrupt or absurd world-model checkpoints are refused before anything is allocated
 * or run, by the planner factory (create and preflight) and the CLI, with a message naming the
 * file and what is wrong: a bad tensor offset, a directory named weights.bin, a truncated file,
 * NaN weights, swapped or zero normalisation statistics, `hidden: 2e6`.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import type { CheckpointMeta } from '../../planners/world-model/io/checkpointFormat.ts';
import { validateCheckpoint } from '../../planners/world-model/io/validateCheckpoint.ts';
import { factory, SHIPPED_CHECKPOINTS } from '../../planners/world-model/WorldModelPlanner.ts';
import { loadScenario } from '../../scenarios/load.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'wm-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A copy of the shipped diffdrive checkpoint, damaged by `edit` (which may rewrite the weights:
 * the hash in model.json is then updated, so only the damage itself is left to find). */
function damaged(edit: (dir: string, meta: CheckpointMeta, weights: Float32Array) => 'rehash' | void): string {
  const dir = join(tmp, `ckpt-${n++}`);
  cpSync(join(SHIPPED_CHECKPOINTS, 'diffdrive'), dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as CheckpointMeta;
  const bytes = readFileSync(join(dir, 'weights.bin'));
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (edit(dir, meta, weights) === 'rehash') {
    const out = Buffer.from(weights.buffer);
    writeFileSync(join(dir, 'weights.bin'), out);
    meta.weights.sha256 = createHash('sha256').update(out).digest('hex');
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(meta));
  return dir;
}

const tensor = (meta: CheckpointMeta, name: string) => meta.weights.tensors.find((t) => t.name === name)!;

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isUserError(e), String(e)).toBe(true);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** The shipped checkpoint's index: expected names and offsets follow it, not a past layout. */
const SHIPPED_INDEX = (JSON.parse(readFileSync(join(SHIPPED_CHECKPOINTS, 'diffdrive', 'model.json'), 'utf8')) as CheckpointMeta).weights.tensors;
const floats = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const [T4, T5, T0] = [SHIPPED_INDEX[4], SHIPPED_INDEX[5], SHIPPED_INDEX[0]];
const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const BAD_OFFSET = new RegExp(`model\\.json: tensor "${esc(T5.name)}" starts at offset ${T5.offset + 3} but the tensor before it ends at ${T4.offset + floats(T4.shape)}: the tensor index \\(offsets\\) in model\\.json is damaged`);
const TRUNCATED = new RegExp(`weights\\.bin: tensor "${esc(T0.name)}" \\(shape \\[${T0.shape.join(',')}\\], offset 0\\) lies past the end of the file \\(1000 floats\\): the file is truncated`);

const CASES: [string, Parameters<typeof damaged>[0], RegExp][] = [
  ['hidden: 2e6 (refused before allocating 3 GB)', (_d, m) => void (m.config.model.hidden = 2e6), /model\.json: "config\.model\.hidden" must be a whole number from 1 to 2048 .*found 2000000/],
  ['a bad tensor offset', (_d, m) => void (m.weights.tensors[5].offset += 3), BAD_OFFSET],
  ['an offset past the end', (_d, m) => void (m.weights.tensors[m.weights.tensors.length - 1].offset = 1e9), /starts at offset 1000000000/],
  [
    'a directory named weights.bin',
    (d) => {
      rmSync(join(d, 'weights.bin'));
      mkdirSync(join(d, 'weights.bin'));
    },
    /weights\.bin is a directory, not a weights file \(named by .*model\.json\)/,
  ],
  ['a truncated weights file', (d) => truncateSync(join(d, 'weights.bin'), 4000), TRUNCATED],
  ['a torn last float', (d) => truncateSync(join(d, 'weights.bin'), 532142), /weights\.bin is 532142 bytes, not a whole number of float32 values: the file is truncated/],
  [
    'NaN weights',
    (_d, m, w) => {
      w[tensor(m, 'predictor/l1/w').offset + 7] = Number.NaN;
      return 'rehash';
    },
    /weights\.bin: tensor "predictor\/l1\/w" holds 1 non-finite value \(NaN or infinity; the first at element 7\)/,
  ],
  [
    'swapped normalisation statistics',
    (_d, m, w) => {
      const mean = tensor(m, 'encoder/obs_mean').offset;
      const std = tensor(m, 'encoder/obs_std').offset;
      const a = w.slice(mean, mean + 56);
      w.copyWithin(mean, std, std + 56);
      w.set(a, std);
      return 'rehash';
    },
    /weights\.bin: observation statistics "encoder\/obs_std" has -?[\d.e-]+ at slot \d+ .*the normalisation is damaged \(zero, or swapped with obs_mean\?\)/,
  ],
  [
    'a zero standard deviation',
    (_d, m, w) => {
      w[tensor(m, 'encoder_target/obs_std').offset + 3] = 0;
      return 'rehash';
    },
    /"encoder_target\/obs_std" has 0 at slot 3/,
  ],
  ['weights that are not the ones indexed', (_d, m) => void (m.weights.sha256 = '0'.repeat(64)), /weights\.bin is corrupt \(SHA-256 does not match model\.json\)/],
  ['a weights file outside the checkpoint', (_d, m) => void (m.weights.file = '../../etc/passwd'), /"weights\.file" must be a file name inside the checkpoint directory/],
];

describe('validateCheckpoint', () => {
  it('passes the shipped checkpoints', () => {
    for (const robot of ['diffdrive', 'pusher', 'arm'] as const) expect(validateCheckpoint(join(SHIPPED_CHECKPOINTS, robot)).meta.robot).toBe(robot);
  });

  it.each(CASES)('%s: named with the file', (_name, edit, says) => {
    expect(message(() => validateCheckpoint(damaged(edit)))).toMatch(says);
  });
});

describe('the world-model planner factory', () => {
  it('create() refuses a corrupt --checkpoint with the preflight message', async () => {
    const dir = damaged((_d, m) => void (m.weights.tensors[5].offset += 3));
    const err = await factory.create({ config: { checkpoint: dir } }).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(BAD_OFFSET);
  });

  it('preflight() checks the checkpoint of every robot the run uses, and the planner settings', async () => {
    const robots = ['open-field', 'push-box', 'arm-reach'].map((id) => loadScenario(id).robot.type);
    await expect(factory.preflight!({ config: {} }, robots)).resolves.toBeUndefined();
    const nan = damaged((_d, m, w) => {
      w[5] = Number.POSITIVE_INFINITY;
      return 'rehash';
    });
    await expect(factory.preflight!({ config: { checkpoint: nan } }, [robots[0]])).rejects.toThrow(/tensor "encoder\/l0\/w" holds 1 non-finite value/);
    await expect(factory.preflight!({ config: { checkpoint: nan } }, [robots[2]])).rejects.toThrow(/trained for robot "diffdrive" but the scenario uses "arm"/);
    await expect(factory.preflight!({ config: { wmSamples: -1 } }, [robots[0]])).rejects.toThrow(/--set wm-samples must be a non-negative number/);
  });

  it('planarena run with a corrupt --checkpoint exits 1 with one line naming the file', () => {
    const dir = damaged((d) => truncateSync(join(d, 'weights.bin'), 4000));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/planarena.mjs'), 'run', '--scenarios', 'open-field', '--seeds', '1', '--planners', 'world-model', '--checkpoint', dir, '--out', join(tmp, 'run'), '--no-live'], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^planarena run: .*weights\.bin: tensor "encoder\/l0\/w" .* lies past the end of the file .*the file is truncated/);
  });
});
