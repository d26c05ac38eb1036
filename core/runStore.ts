/**
 * The run directory writer: `manifest.json` first, then one line of `episodes.jsonl` per
 * finished episode (appended and fsync'ed at once, so a crash or Ctrl-C loses nothing that
 * finished), recordings under `recordings/<scenario>/<planner>/seed-<n>.json`, and
 * `summary.json` at the end. Layout documented in `core/records.ts`.
 *
 * Reading run directories for the evaluation commands (report, compare, merge, ci): the
 * manifest and the episode records, one record per (scenario, planner, seed) — if a resumed or
 * merged run holds an episode twice, the last one written wins — in plan order.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from './errors.ts';
import { checkManifest } from './manifestSchema.ts';
import type { EpisodeRecord, RunManifest, RunSummary } from './records.ts';

/** Files and folders a run writes; `--force` removes exactly these and nothing else. */
export const RUN_FILES = ['manifest.json', 'episodes.jsonl', 'summary.json', 'recordings'] as const;

/** `runs/<label>-<UTC timestamp>`, e.g. `runs/smoke-20261124T183200Z`. */
export function defaultRunDir(label: string, now = new Date(), base = 'runs'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(base, `${label}-${stamp}`);
}

export class RunDir {
  private constructor(readonly path: string) {}

  /**
   * Creates (or, with `force`, clears the run files of) the directory. An existing non-empty
   * directory without `force` is a user error: results are never overwritten silently.
   */
  static create(path: string, opts: { force?: boolean } = {}): RunDir {
    const dir = resolve(path);
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new UserError('E_RUN_DIR', `--out ${path} is a file, not a directory. Pass a new --out DIR.`);
      const entries = readdirSync(dir);
      if (entries.length > 0) {
        if (!opts.force) {
          throw new UserError('E_RUN_DIR', `run directory ${path} already exists and is not empty. Pass a new --out DIR, or --force to replace its results.`);
        }
        for (const name of RUN_FILES) rmSync(join(dir, name), { recursive: true, force: true });
      }
    }
    mkdirSync(dir, { recursive: true });
    return new RunDir(dir);
  }

  /** Opens an existing run directory for reading (and, for resume, appending). */
  static open(path: string): RunDir {
    const dir = resolve(path);
    if (!existsSync(join(dir, 'manifest.json'))) throw new UserError('E_RUN_DIR', `${path} is not a run directory (no manifest.json).`);
    return new RunDir(dir);
  }

  get manifestPath(): string {
    return join(this.path, 'manifest.json');
  }
  get episodesPath(): string {
    return join(this.path, 'episodes.jsonl');
  }
  get summaryPath(): string {
    return join(this.path, 'summary.json');
  }

  writeManifest(manifest: RunManifest): void {
    writeFileSync(this.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Appends one record as one line and flushes it to disk before returning. */
  appendEpisode(record: EpisodeRecord): void {
    const fd = openSync(this.episodesPath, 'a');
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Every record written so far, in order. A torn last line (crash mid-write) is skipped. */
  readEpisodes(): EpisodeRecord[] {
    if (!existsSync(this.episodesPath)) return [];
    const lines = readFileSync(this.episodesPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const out: EpisodeRecord[] = [];
    lines.forEach((line, i) => {
      try {
        out.push(JSON.parse(line) as EpisodeRecord);
      } catch (e) {
        if (i < lines.length - 1) throw new UserError('E_RUN_DIR', `${this.episodesPath}:${i + 1}: not valid JSON (${(e as Error).message}).`);
        // Only the last line may be torn by a crash; it is not a finished episode.
      }
    });
    return out;
  }

  writeSummary(summary: RunSummary): void {
    writeFileSync(this.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  }

  /** Where an episode's recording goes, relative to the run directory. */
  recordingPath(scenario: string, planner: string, seed: number): string {
    return join('recordings', scenario, planner, `seed-${seed}.json`);
  }

  /** Absolute path of a path relative to the run directory (creating its parent folder). */
  prepare(relPath: string): string {
    const abs = join(this.path, relPath);
    mkdirSync(join(abs, '..'), { recursive: true });
    return abs;
  }

  /** A path for printing: relative to the working directory when shorter. */
  display(abs = this.path): string {
    const rel = relative(process.cwd(), abs);
    return rel && !rel.startsWith('..') && rel.length < abs.length ? rel : abs;
  }
}

export interface LoadedRun {
  dir: RunDir;
  manifest: RunManifest;
  records: EpisodeRecord[];
}

export function episodeKey(r: { scenario: string; planner: string; seed: number }): string {
  return `${r.scenario}\u0000${r.planner}\u0000${r.seed}`;
}

/** Keeps the last record of every (scenario, planner, seed), in first-appearance order. */
export function dedupeRecords(records: readonly EpisodeRecord[]): EpisodeRecord[] {
  const byKey = new Map<string, EpisodeRecord>();
  for (const r of records) byKey.set(episodeKey(r), r);
  return [...byKey.values()];
}

/** Opens `path` as a run directory; a `manifest.json` path is accepted for its folder. */
export function loadRun(path: string, flag = 'DIR'): LoadedRun {
  const folder = existsSync(path) && statSync(path).isFile() && path.endsWith('manifest.json') ? join(path, '..') : path;
  if (!existsSync(folder)) throw new UserError('E_RUN_DIR', `${flag} ${path} does not exist. Pass a run directory written by \`planarena run\`.`);
  const dir = RunDir.open(folder);
  const shown = dir.display(dir.manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(dir.manifestPath, 'utf8'));
  } catch (e) {
    throw new UserError('E_RUN_DIR', `${shown}: not valid JSON (${(e as Error).message}).`);
  }
  if (!json || typeof json !== 'object' || !('config' in json)) {
    throw new UserError('E_RUN_DIR', `${shown}: missing "config"; is this a planarena run manifest?`);
  }
  // Every field the readers use, with its type: a damaged manifest is one line naming the field.
  const manifest = checkManifest(json, shown);
  return { dir, manifest, records: planOrder(dedupeRecords(dir.readEpisodes()), manifest.config) };
}

/**
 * Records in plan order (scenario, seed, planner, as in `runner/plan.ts`): parallel runs append in
 * completion order, and reports must not depend on which worker finished first. Records outside
 * the configuration keep their relative order, after the rest.
 */
export function planOrder(records: readonly EpisodeRecord[], config: Pick<RunManifest['config'], 'scenarios' | 'seeds' | 'planners'>): EpisodeRecord[] {
  const rank = (list: readonly (string | number)[], v: string | number) => {
    const i = list.indexOf(v);
    return i < 0 ? list.length : i;
  };
  return records
    .map((r, i) => ({ r, key: [rank(config.scenarios, r.scenario), rank(config.seeds, r.seed), rank(config.planners, r.planner), i] }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3])
    .map((x) => x.r);
}
