/**
 * Record and replay of LLM exchanges (`--llm-cassette FILE` with `--llm-record` / `--llm-replay`).
 *
 * A cassette is a JSON file of entries keyed by the SHA-256 of (model, messages, parameters,
 * occurrence): the occurrence counts identical requests within one episode, so a model asked the
 * same thing twice may answer differently and still replay exactly. Each entry keeps the reply,
 * its token usage and its latency; replaying the latency keeps `--clock realtime` bit-identical.
 *
 * Recording is "replay what is there, call the server for the rest": a record run therefore
 * makes exactly the episodes its replay will make. Entries never hold headers, and the file's
 * text is scrubbed of every registered secret (`core/secrets.ts`) before it is written, so the
 * API key cannot reach it even when a server echoes it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../core/errors.ts';
import { scrubSecrets } from '../../core/secrets.ts';
import type { ChatMessage, ChatRequest, ChatUsage, LlmCallErrorKind } from './ChatProvider.ts';

export const CASSETTE_FORMAT = 'planarena-llm-cassette';
export const CASSETTE_VERSION = 1;

export interface CassetteEntry {
  model: string;
  /** Which decision asked, e.g. "nav-basic seed 3 decision 4" (for people reading the file). */
  label: string;
  occurrence: number;
  request: { messages: ChatMessage[]; temperature: number; maxTokens: number; seed?: number; schema?: string };
  /** The reply, or the error that ended the call (replayed as the same `LlmCallError`, so an
   * episode that met a failing server replays exactly too). */
  response: { content: string; usage: ChatUsage; truncated?: boolean; error?: { kind: LlmCallErrorKind; message: string; status?: number } };
  /** Latency of the recorded call, ms, rounded to 0.01 ms. */
  latencyMs: number;
}

interface CassetteFile {
  format: typeof CASSETTE_FORMAT;
  version: number;
  /** Free text: where the recording came from (a real model, or a scripted stand-in). */
  note?: string;
  entries: Record<string, CassetteEntry>;
}

/** The key of a request: hash of everything that shapes the reply, never of headers. */
export function requestKey(req: ChatRequest, occurrence: number): string {
  const material = {
    model: req.model,
    messages: req.messages.map((m) => [m.role, m.content]),
    temperature: req.temperature,
    maxTokens: req.maxTokens,
    seed: req.seed ?? null,
    schema: req.schema ? [req.schema.name, req.schema.schema] : null,
    occurrence,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

export function roundLatency(ms: number): number {
  return Math.round(ms * 100) / 100;
}

const OPEN = new Map<string, Cassette>();

export class Cassette {
  private readonly entries = new Map<string, CassetteEntry>();
  private dirty = 0;
  /** mtime of the file as last read or written here; null when there is none yet. */
  private mtimeMs: number | null = null;
  note: string | undefined;

  private constructor(readonly path: string) {}

  /** The process-wide cassette for `path` (parallel episodes share it). Replay needs the file;
   * record starts an empty one when it is missing. A long-lived process (the viewer's server)
   * rereads the file when it changed on disk since this process last read or wrote it. */
  static open(path: string, mode: 'record' | 'replay'): Cassette {
    const key = resolve(path);
    const onDisk = existsSync(path) ? statSync(path).mtimeMs : null;
    let c = OPEN.get(key);
    if (c && c.dirty === 0 && c.mtimeMs !== onDisk) c = undefined;
    if (!c) {
      c = new Cassette(path);
      if (onDisk !== null) c.load(readCassetteFile(path), onDisk);
      else if (mode === 'replay') {
        throw new UserError('E_LLM_CASSETTE', `--llm-cassette ${path}: no such file. Record one first with --llm-record (and --llm-url), or check the path.`);
      }
      OPEN.set(key, c);
    }
    return c;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Models that appear in the cassette, for replay without --llm-model. */
  models(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.model))].sort();
  }

  get(key: string): CassetteEntry | undefined {
    return this.entries.get(key);
  }

  put(key: string, entry: CassetteEntry): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, entry);
    this.dirty++;
  }

  /** Writes new entries, merged with whatever other processes saved meanwhile, atomically. */
  async save(): Promise<void> {
    if (this.dirty === 0) return;
    this.dirty = 0;
    await mkdir(dirname(this.path), { recursive: true });
    await withLock(`${this.path}.lock`, async () => {
      if (existsSync(this.path)) {
        const onDisk = readCassetteFile(this.path);
        for (const [k, e] of Object.entries(onDisk.entries)) if (!this.entries.has(k)) this.entries.set(k, e);
      }
      const sorted = [...this.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const file: CassetteFile = { format: CASSETTE_FORMAT, version: CASSETTE_VERSION, entries: Object.fromEntries(sorted) };
      if (this.note) file.note = this.note;
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, `${scrubSecrets(JSON.stringify(file, null, 1))}\n`);
      await rename(tmp, this.path);
      this.mtimeMs = statSync(this.path).mtimeMs;
    });
  }

  private load(file: CassetteFile, mtimeMs: number): void {
    this.mtimeMs = mtimeMs;
    this.note = file.note;
    for (const [k, e] of Object.entries(file.entries)) this.entries.set(k, e);
  }
}

function readCassetteFile(path: string): CassetteFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError('E_LLM_CASSETTE', `--llm-cassette ${path}: not valid JSON (${(e as Error).message.split('\n')[0]}); delete it and record again.`);
  }
  const f = json as Partial<CassetteFile>;
  if (f.format !== CASSETTE_FORMAT || typeof f.entries !== 'object' || f.entries === null) {
    throw new UserError('E_LLM_CASSETTE', `--llm-cassette ${path}: not a planarena LLM cassette (expected "format": "${CASSETTE_FORMAT}").`);
  }
  if (f.version !== CASSETTE_VERSION) {
    throw new UserError('E_LLM_CASSETTE', `--llm-cassette ${path}: cassette version ${f.version} is not supported (this planarena reads version ${CASSETTE_VERSION}); record it again.`);
  }
  return f as CassetteFile;
}

/** A lock file made with O_EXCL; a lock older than 30 s is taken to be left by a dead process. */
async function withLock(lockPath: string, fn: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 30_000) await unlink(lockPath).catch(() => undefined); // stale: its owner died
      else if (i > 600) throw new UserError('E_LLM_CASSETTE', `cannot lock ${lockPath} for writing; delete it if no planarena is running.`);
      else await sleep(50);
    }
  }
  try {
    await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined); // already gone: a stale-lock sweep by another process
  }
}
