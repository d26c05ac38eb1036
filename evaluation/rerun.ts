/**
 * Runs a run configuration again — a CI baseline's, or a manifest's — through the same session
 * as `planarena run`, so that a re-run differs from the original only in what changed in the
 * code. Scenarios are passed by id (not by suite), so a suite file edited since the original
 * run cannot silently change what is compared.
 */
import { runScaledSession } from '../runner/scaledSession.ts';
import type { SessionResult } from '../runner/session.ts';
import { resolveRunSettings } from '../runner/settings.ts';
import type { RunManifest } from '../core/records.ts';

export type RerunConfig = Pick<RunManifest['config'], 'scenarios' | 'planners' | 'seeds' | 'physics' | 'clock' | 'plannerConfig'> & { record?: boolean };

export interface RerunOptions {
  out: string;
  force?: boolean;
  /** The command line, for the manifest. */
  command: string[];
  log?: (line: string) => void;
  /** Where progress lines go (stderr by default). */
  progressStream?: { write(s: string): unknown; isTTY?: boolean };
  /** Worker threads (`--workers`); 1 runs in this process. */
  workers?: number | 'auto';
  /** Return true to stop after the episodes in flight (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Extra planner settings (e.g. secrets that were redacted from the manifest). */
  plannerConfig?: Record<string, unknown>;
}

/** Planner settings as recorded, minus the redacted secrets ("***"), plus `extra`. */
export function usableConfig(recorded: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(recorded)) if (v !== '***') out[k] = v;
  return { ...out, ...extra };
}

export async function rerun(config: RerunConfig, opts: RerunOptions): Promise<SessionResult> {
  const base = resolveRunSettings({
    scenarios: config.scenarios.join(','),
    planners: config.planners.join(','),
    seeds: config.seeds.join(','),
    out: opts.out,
    force: opts.force ?? false,
    physics: config.physics,
    clock: config.clock,
    record: config.record ?? false,
  });
  const settings = Object.freeze({ ...base, plannerConfig: usableConfig(config.plannerConfig, opts.plannerConfig) });
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  return runScaledSession(settings, { workers: opts.workers ?? 1 }, { log, progressStream: opts.progressStream }, { command: opts.command, shouldStop: opts.shouldStop });
}
