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
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from './errors.ts';
import { checkManifest } from './manifestSchema.ts';
import { scrubDeep } from './secrets.ts';
import type { EpisodeRecord, RunManifest, RunSummary } from './records.ts';
import type { RunConfig } from './runConfig.ts';

/** Files and folders a run writes; `--force` removes exactly these and nothing else. */
export const RUN_FILES = ['manifest.json', 'episodes.jsonl', 'episodes.corrupt.jsonl', 'summary.json', 'recordings'] as const;

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

  /** Every file the store writes goes through the secret scrubber (core/secrets.ts): an API key
   * that reached a value by any path never reaches the disk. */
  writeManifest(manifest: RunManifest): void {
    writeFileSync(this.manifestPath, `${JSON.stringify(scrubDeep(manifest), null, 2)}\n`);
  }

  /** Appends one record as one line and flushes it to disk before returning. */
  appendEpisode(record: EpisodeRecord): void {
    const fd = openSync(this.episodesPath, 'a');
    try {
      writeSync(fd, `${JSON.stringify(scrubDeep(record))}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Every record written so far, in order, and the lines that are not records. The last line may
   * be torn by a crash mid-write (with or without its newline: an editor adds one); it is not a
   * finished episode and is not reported. A corrupt line elsewhere is reported by number and
   * skipped, so one bad line never makes the directory unusable.
   */
  scanEpisodes(): { records: EpisodeRecord[]; corrupt: { line: number; message: string }[]; tornTail: boolean } {
    if (!existsSync(this.episodesPath)) return { records: [], corrupt: [], tornTail: false };
    const lines = readFileSync(this.episodesPath, 'utf8').split('\n');
    const records: EpisodeRecord[] = [];
    const bad: { line: number; message: string }[] = [];
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const why = recordProblem(text);
      if (why === null) records.push(JSON.parse(text) as EpisodeRecord);
      else bad.push({ line: i + 1, message: why });
    });
    const lastLine = lines.reduce((last, text, i) => (text.trim() !== '' ? i + 1 : last), 0);
    const tornTail = bad.length > 0 && bad[bad.length - 1].line === lastLine;
    return { records, corrupt: tornTail ? bad.slice(0, -1) : bad, tornTail };
  }

  /** Every record written so far, in order (see `scanEpisodes` for what is skipped). */
  readEpisodes(): EpisodeRecord[] {
    return this.scanEpisodes().records;
  }

  /**
   * Before a resume appends: drops a torn last line, and moves corrupt lines (with their line
   * numbers) to `episodes.corrupt.jsonl` next to it, so the appended lines follow clean ones and
   * nothing that was in the file is lost. Returns what it did, one line each, for the log.
   */
  repairEpisodes(): string[] {
    const { records, corrupt, tornTail } = this.scanEpisodes();
    if (!tornTail && corrupt.length === 0) return [];
    const lines = readFileSync(this.episodesPath, 'utf8').split('\n');
    const notes: string[] = [];
    if (corrupt.length > 0) {
      const kept = corrupt.map((c) => `${JSON.stringify({ line: c.line, problem: c.message, text: lines[c.line - 1] })}\n`).join('');
      writeFileSync(join(this.path, 'episodes.corrupt.jsonl'), kept, { flag: 'a' });
      notes.push(...corrupt.map((c) => `${this.display(this.episodesPath)}:${c.line}: ${c.message}; moved to episodes.corrupt.jsonl, the episode runs again`));
    }
    if (tornTail) notes.push(`${this.display(this.episodesPath)}: dropped a torn last line (an episode cut off mid-write); it runs again`);
    const tmp = `${this.episodesPath}.tmp`;
    writeFileSync(tmp, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(tmp, this.episodesPath);
    return notes;
  }

  writeSummary(summary: RunSummary): void {
    writeFileSync(this.summaryPath, `${JSON.stringify(scrubDeep(summary), null, 2)}\n`);
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
  /** The manifest's config, validated (`core/runConfig.ts`). */
  config: RunConfig;
  /** One record per episode, in plan order. */
  records: EpisodeRecord[];
  /** Lines of episodes.jsonl that are not records (a torn last line is not listed). */
  corrupt: { line: number; message: string }[];
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
  const where = dir.display(dir.manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(dir.manifestPath, 'utf8'));
  } catch (e) {
    throw new UserError('E_RUN_DIR', `${where}: not valid JSON (${(e as Error).message}).`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || !('config' in json)) {
    throw new UserError('E_RUN_DIR', `${where}: missing "config"; is this a planarena run manifest?`);
  }
  // Every field the readers use, with its type: a damaged manifest is one line naming the field.
  const manifest = checkManifest(json, where);
  const config = manifest.config;
  const { records, corrupt } = dir.scanEpisodes();
  return { dir, manifest, config, records: planOrder(dedupeRecords(records), config), corrupt };
}

/** Null when `text` is one episode record, else what is wrong with it. */
function recordProblem(text: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not an episode record (expected a JSON object)';
  const r = v as Record<string, unknown>;
  if (typeof r.scenario !== 'string' || typeof r.planner !== 'string' || !Number.isInteger(r.seed)) return 'not an episode record (needs scenario, planner and seed)';
  if (typeof r.success !== 'boolean' || typeof r.steps !== 'number' || typeof r.return !== 'number') return 'not an episode record (needs success, steps and return)';
  return null;
}

/**
 * Records in plan order (scenario, seed, planner, as in `runner/plan.ts`): parallel runs append in
 * completion order, and reports must not depend on which worker finished first. Records outside
 * the configuration keep their relative order, after the rest.
 */
export function planOrder(records: readonly EpisodeRecord[], config: Pick<RunConfig, 'scenarios' | 'seeds' | 'planners'>): EpisodeRecord[] {
  const rank = (list: readonly (string | number)[], v: string | number) => {
    const i = list.indexOf(v);
    return i < 0 ? list.length : i;
  };
  return records
    .map((r, i) => ({ r, key: [rank(config.scenarios, r.scenario), rank(config.seeds, r.seed), rank(config.planners, r.planner), i] }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3])
    .map((x) => x.r);
}
