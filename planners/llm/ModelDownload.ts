/**
 * One model file over HTTP(S), resumable and verified: what `planarena llm pull` does.
 *
 * 1. Bytes go to `DEST.part`. If it exists, the request asks for the rest (`Range: bytes=N-`);
 *    a server that answers 200 instead of 206 sends the whole file, and the part starts over.
 * 2. The size the server announces must be the expected size, before any byte is written.
 * 3. At the end the SHA-256 of the whole part (resumed bytes included) is checked. On a match
 *    the part is renamed to DEST; on a mismatch it is deleted and the download refused.
 * 4. A cut connection keeps the part and retries (resuming) up to `retries` times.
 *
 * Every failure is a one-line `UserError`: unreachable or refused hosts say which file to fetch
 * by hand and where to put it.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../../core/errors.ts';

export interface DownloadProgress {
  received: number;
  total: number;
  /** Bytes that were already on disk when this attempt started (a resume). */
  resumedFrom: number;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  sha256: string;
  /** Expected size in bytes; when unknown, the server's is taken. */
  size?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Log lines (resumes, retries). */
  log?: (line: string) => void;
  /** Attempts after a cut connection, each resuming where the last stopped. */
  retries?: number;
  /** Abort when no byte arrives for this long. */
  stallMs?: number;
  /** Names the model in messages ("qwen2.5-1.5b-instruct"). */
  label?: string;
}

export type DownloadOutcome = 'downloaded' | 'already-present';

export async function downloadModel(o: DownloadOptions): Promise<DownloadOutcome> {
  const label = o.label ?? o.dest;
  const handFetch = `fetch ${o.url} by hand, save it as ${o.dest}, then run the same command again to verify it`;
  await mkdir(dirname(o.dest), { recursive: true });
  if (existsSync(o.dest)) {
    // A file in place (pulled before, or fetched by hand): accept it only if it is the right one.
    const have = statSync(o.dest).size;
    if (o.size !== undefined && have !== o.size) {
      throw new UserError('E_LLM_DOWNLOAD', `${o.dest} has ${have} bytes, ${label} has ${o.size}: delete it and pull again.`);
    }
    const sum = await hashFile(o.dest);
    if (sum !== o.sha256) throw new UserError('E_LLM_DOWNLOAD', `${o.dest} has SHA-256 ${sum}, ${label} has ${o.sha256}: delete it and pull again.`);
    return 'already-present';
  }
  const part = `${o.dest}.part`;
  const retries = o.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await attemptOnce(o, part, label, handFetch);
      break;
    } catch (e) {
      if (!(e instanceof CutError)) throw e;
      const have = existsSync(part) ? statSync(part).size : 0;
      if (attempt >= retries) {
        throw new UserError(
          'E_LLM_DOWNLOAD',
          `download of ${label} interrupted after ${mb(have)} (${e.message}); run the same command again to resume, or ${handFetch}.`,
        );
      }
      o.log?.(`connection lost after ${mb(have)} (${e.message}); resuming (${attempt + 1}/${retries})`);
    }
  }
  // Verify what is on disk, whole: the resumed part and the streamed tail together.
  const sum = await hashFile(part);
  if (sum !== o.sha256) {
    await rm(part, { force: true });
    throw new UserError('E_LLM_DOWNLOAD', `${label} from ${o.url} has SHA-256 ${sum}, expected ${o.sha256}: the file was deleted; the server sent a different file (try again, or ${handFetch}).`);
  }
  await rename(part, o.dest);
  return 'downloaded';
}

/** A connection that ended early: worth resuming. */
class CutError extends Error {}

async function attemptOnce(o: DownloadOptions, part: string, label: string, handFetch: string): Promise<void> {
  let have = existsSync(part) ? statSync(part).size : 0;
  if (o.size !== undefined && have > o.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (o.size !== undefined && have === o.size) return; // complete; the caller verifies

  const stall = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Error(`no data for ${Math.round((o.stallMs ?? 60_000) / 1000)} s`)), o.stallMs ?? 60_000);
  };
  arm();
  let res: Response;
  try {
    res = await fetch(o.url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, redirect: 'follow', signal: stall.signal });
  } catch (e) {
    clearTimeout(timer);
    const err = e as { message?: string; cause?: { code?: string; message?: string } };
    const why = err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
    throw new UserError('E_LLM_DOWNLOAD', `cannot reach ${new URL(o.url).host} (${why}): ${handFetch}.`);
  }
  try {
    if (res.status === 416 && have > 0) {
      // The part is already whole (or the server lost it): start over from nothing once.
      await res.body?.cancel();
      await rm(part, { force: true });
      throw new CutError('the server refused to resume');
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new UserError('E_LLM_DOWNLOAD', `${new URL(o.url).host} answered HTTP ${res.status} for ${label}: ${handFetch}.`);
    }
    let start = 0;
    if (res.status === 206) {
      const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(res.headers.get('content-range') ?? '');
      start = m ? Number(m[1]) : -1;
      if (start !== have) {
        await res.body?.cancel();
        await rm(part, { force: true });
        throw new CutError(`the server resumed at byte ${start}, not ${have}`);
      }
    } else if (have > 0) {
      o.log?.(`the server does not resume downloads; starting ${label} over`);
      have = 0;
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? start + length : o.size ?? NaN;
    if (o.size !== undefined && Number.isFinite(total) && total !== o.size) {
      await res.body?.cancel();
      throw new UserError('E_LLM_DOWNLOAD', `${new URL(o.url).host} offers ${total} bytes for ${label}, expected ${o.size}: not the catalogued file; nothing was kept.`);
    }
    if (have > 0) o.log?.(`resuming ${label} at ${mb(have)}`);
    const fh = await open(part, have > 0 ? 'a' : 'w');
    let received = have;
    try {
      if (!res.body) throw new CutError('empty response');
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        await fh.write(chunk);
        received += chunk.length;
        o.onProgress?.({ received, total, resumedFrom: have });
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new CutError((e as Error).message || String(e));
    } finally {
      await fh.close();
    }
    if (Number.isFinite(total) && received < total) throw new CutError(`the server closed the connection at ${mb(received)} of ${mb(total)}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function hashFile(file: string): Promise<string> {
  const h: Hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
