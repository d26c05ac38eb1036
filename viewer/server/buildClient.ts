/**
 * Builds the browser viewer on demand, so `npm install && npm start` works on a fresh clone
 * with no build step. The build lands in `viewer/dist/<hash>/`, the hash taken over the client's
 * sources: a changed source means a new build, an unchanged one is reused, and two processes
 * building at once (parallel test files, two servers) never see each other's half-written files
 * because each builds into its own staging folder and renames it into place.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const VIEWER_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_DIR = join(VIEWER_DIR, 'dist');
/** Files outside `src/` that the client bundle depends on (type-only imports aside). */
const EXTRA_SOURCES = ['index.html', 'vite.config.ts', 'protocol.ts', '../core/summary.ts', '../core/failureWords.ts'];

let inFlight: Promise<string> | null = null;

/** Returns the folder of a build of the current sources, building it first when needed. */
export function ensureClientBuilt(opts: { quiet?: boolean } = {}): Promise<string> {
  inFlight ??= build(opts.quiet ?? false).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function build(quiet: boolean): Promise<string> {
  const hash = sourceHash();
  const outDir = join(DIST_DIR, hash);
  if (existsSync(join(outDir, 'index.html'))) return outDir;

  const staging = join(DIST_DIR, `.staging-${process.pid}-${Date.now().toString(36)}`);
  if (!quiet) console.error('planarena viewer: building the browser client (first start after a change; takes a few seconds)…');
  const { build: viteBuild } = await import('vite');
  await viteBuild({
    configFile: join(VIEWER_DIR, 'vite.config.ts'),
    logLevel: quiet ? 'silent' : 'warn',
    build: { outDir: staging, emptyOutDir: true },
  });
  try {
    renameSync(staging, outDir);
  } catch (e) {
    // Another process finished the same build first: theirs is identical, keep it.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(outDir, 'index.html'))) throw e;
  }
  pruneOldBuilds(hash);
  return outDir;
}

/** SHA-256 over the paths and contents of every client source. */
export function sourceHash(): string {
  const h = createHash('sha256');
  const files = [...listFiles(join(VIEWER_DIR, 'src')), ...EXTRA_SOURCES.map((f) => join(VIEWER_DIR, f)).filter((f) => existsSync(f))].sort();
  for (const f of files) {
    h.update(relative(VIEWER_DIR, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Removes builds of older sources (best effort: a running server may still hold one open). */
function pruneOldBuilds(keep: string): void {
  for (const name of readdirSync(DIST_DIR)) {
    if (name === keep || name.startsWith('.staging-')) continue;
    const p = join(DIST_DIR, name);
    try {
      // Only folders older than a minute: a concurrent process may have just built a newer one.
      if (statSync(p).isDirectory() && Date.now() - statSync(p).mtimeMs > 60_000) rmSync(p, { recursive: true, force: true });
    } catch {
      // Already removed by another process.
    }
  }
}
