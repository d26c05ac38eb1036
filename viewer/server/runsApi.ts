/**
 * The read-only HTTP API over a folder of run directories, for replay and the results page:
 *
 * - `GET /api/runs`                          → {@link RunListing}
 * - `GET /api/runs/<name>`                   → {@link RunDetail} (summary + episode records)
 * - `GET /api/runs/<name>/episode?path=<rel>` → {@link EpisodeData} (a recording, whole)
 *
 * `runsDir` is a folder of run directories or one run directory. A run directory is any folder
 * holding `manifest.json`, `episodes.jsonl` or `summary.json`: `runsDir` itself, or folders up to
 * two levels below it. Runs are named by their path relative to `runsDir` (`demo-20260101T…`,
 * `sweep/a`); `runsDir` itself when it is a run, by its folder name. Nothing outside `runsDir` is
 * ever read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { EpisodeRecord, RunManifest, RunSummary } from '../../core/records.ts';
import { shippedAnchors } from '../../scenarios/anchors.ts';
import { readRecording } from '../../sim/recording.ts';
import type { EpisodeData, RunDetail, RunListing } from '../protocol.ts';
import { HttpError } from './HttpError.ts';
import { recordingToEpisode } from './recordingToEpisode.ts';

const RUN_MARKERS = ['manifest.json', 'episodes.jsonl', 'summary.json'];

export class RunsApi {
  readonly root: string | null;

  constructor(runsDir: string | undefined) {
    this.root = runsDir ? resolve(runsDir) : null;
  }

  /** True when `runsDir` is itself one run directory (`serve --runs runs/demo-…`). */
  private get rootIsRun(): boolean {
    return this.root !== null && isRun(this.root);
  }

  /** The name a run directory is listed under. */
  private nameOf(dir: string): string {
    return dir === this.root ? basename(dir) : relative(this.root!, dir).split(sep).join('/');
  }

  list(): RunListing {
    if (!this.root || !existsSync(this.root)) return { runsDir: this.root, runs: [] };
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (isRun(dir)) {
        found.push(dir);
        return;
      }
      if (depth >= 2) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return; // unreadable folder: not a run
      }
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(dir, e.name), depth + 1);
    };
    walk(this.root, 0);
    const runs = found.map((dir) => {
      const episodes = readEpisodes(dir);
      const manifest = readJson<RunManifest>(join(dir, 'manifest.json'));
      return {
        name: this.nameOf(dir),
        // Shown and sorted on only: a manifest damaged here must not break the listing.
        createdAt: typeof manifest?.createdAt === 'string' ? manifest.createdAt : null,
        episodes: episodes.length,
        hasSummary: existsSync(join(dir, 'summary.json')),
        recordings: episodes.filter((e) => e.recording).length,
      };
    });
    runs.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.name.localeCompare(b.name));
    return { runsDir: this.root, runs };
  }

  detail(name: string): RunDetail {
    const dir = this.runDir(name);
    const episodes = readEpisodes(dir);
    const manifest = readJson<RunManifest>(join(dir, 'manifest.json'));
    const hashes = manifest?.config?.scenarioHashes;
    const anchors = shippedAnchors();
    const ids = new Set(episodes.map((e) => e.scenario));
    const planners = manifest?.config?.planners;
    return {
      name,
      ...(Array.isArray(planners) ? { planners: planners.filter((p) => typeof p === 'string') } : {}),
      summary: readJson<RunSummary>(join(dir, 'summary.json')),
      episodes,
      anchors: [...ids].flatMap((id) => (anchors.has(id) ? [anchors.get(id)!] : [])),
      scenarioHashes: hashes && typeof hashes === 'object' ? hashes : null,
    };
  }

  async episode(name: string, recording: string): Promise<EpisodeData> {
    const dir = this.runDir(name);
    const file = inside(dir, recording);
    if (!file || !existsSync(file)) throw new HttpError(404, `no recording ${JSON.stringify(recording)} in run ${JSON.stringify(name)}`);
    let rec;
    try {
      rec = await readRecording(file);
    } catch (e) {
      throw new HttpError(422, e instanceof Error ? e.message : String(e));
    }
    const record = readEpisodes(dir).find((e) => e.recording && resolve(dir, e.recording) === file) ?? null;
    return recordingToEpisode(rec, record);
  }

  private runDir(name: string): string {
    if (!this.root) throw new HttpError(404, 'no runs folder: start the server with --runs DIR');
    const dir = this.rootIsRun ? (name === basename(this.root) ? this.root : null) : inside(this.root, name);
    if (!dir || (dir === this.root && !this.rootIsRun) || !isRun(dir)) throw new HttpError(404, `no run ${JSON.stringify(name)} under ${this.root}`);
    return dir;
  }
}

function isRun(dir: string): boolean {
  return RUN_MARKERS.some((m) => existsSync(join(dir, m)));
}

/** `base/rel` when it stays inside `base`, else null (no `..` escapes, no absolute paths). */
function inside(base: string, rel: string): string | null {
  if (rel.includes('\0') || isAbsolute(rel)) return null;
  const p = resolve(base, rel);
  return p === base || p.startsWith(base + sep) ? p : null;
}

function readJson<T>(path: string): T | null {
  if (!existsSync(path) || !statSync(path).isFile()) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null; // a half-written summary while a run is going: shown as absent
  }
}

function readEpisodes(dir: string): EpisodeRecord[] {
  const path = join(dir, 'episodes.jsonl');
  if (!existsSync(path)) return [];
  const out: EpisodeRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as EpisodeRecord);
    } catch {
      // A torn last line of a run still being written; it is not a finished episode.
    }
  }
  return out;
}
