/**
 * The shape of `manifest.json` as the readers of a run directory rely on it (report, compare,
 * merge, ci, `run --resume` / `--from`). A manifest is checked against it on load, so a damaged
 * or hand-edited one is one line naming the field (`$.config.seeds[1]: expected a whole number
 * >= 0, found a string "x"`) instead of a stack trace somewhere downstream.
 *
 * Unknown keys of the envelope are kept (newer planarena versions may add some); the `config` is
 * the run configuration's own schema (`core/runConfig.ts`), whose fields older manifests lack
 * get their defaults.
 */
import { z } from 'zod';
import { UserError } from './errors.ts';
import type { RunManifest } from './records.ts';
import { parseRunConfig, RunConfigSchema } from './runConfig.ts';
import { describeIssues } from './schemaIssues.ts';

export const ManifestShape = z
  .object({
    planarena: z.string(),
    createdAt: z.string(),
    command: z.array(z.string()),
    git: z.object({ commit: z.string().nullable(), dirty: z.boolean().nullable() }).loose(),
    versions: z.record(z.string(), z.string()),
    machine: z.object({ platform: z.string(), arch: z.string(), cpus: z.string(), cores: z.number(), memGiB: z.number(), node: z.string() }).loose(),
    config: RunConfigSchema,
  })
  .loose();

/** Checks parsed manifest JSON; throws a one-line `UserError` naming `shown` and the first bad field. */
export function checkManifest(json: unknown, shown: string): RunManifest {
  const r = ManifestShape.safeParse(json);
  if (r.success) return { ...(r.data as unknown as RunManifest), config: parseRunConfig(r.data.config, shown) };
  throw new UserError('E_RUN_DIR', `${shown}: ${describeIssues(r.error.issues, json)}; this is not an intact planarena run manifest: restore it, or start a new run with --out`);
}
