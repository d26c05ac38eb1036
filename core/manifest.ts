/**
 * `manifest.json` of a run directory: everything needed to say how a result was made —
 * package versions, git commit (and whether the tree was dirty), the resolved frozen run
 * configuration and the machine.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunManifest } from './records.ts';

/** The repository root (this file lives in `<root>/results/`). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages whose versions change results or speed. */
const TRACKED_PACKAGES = [
  '@dimforge/rapier3d-deterministic-compat',
  '@dimforge/rapier3d-simd-compat',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'zod',
];

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // Missing or unreadable: the caller records the version as unknown.
    return null;
  }
}

/** Installed version of a package, read from its package.json; null when not installed. */
export function installedVersion(pkg: string): string | null {
  const require = createRequire(join(PROJECT_ROOT, 'package.json'));
  try {
    const main = require.resolve(`${pkg}/package.json`);
    const v = readJson(main)?.version;
    return typeof v === 'string' ? v : null;
  } catch {
    // Packages whose "exports" hide package.json: walk up from node_modules instead.
    const v = readJson(join(PROJECT_ROOT, 'node_modules', pkg, 'package.json'))?.version;
    return typeof v === 'string' ? v : null;
  }
}

export function planarenaVersion(): string {
  const v = readJson(join(PROJECT_ROOT, 'package.json'))?.version;
  return typeof v === 'string' ? v : '0.0.0';
}

/** Commit and dirty flag of the checkout, or nulls outside a git repository / without git. */
export function gitState(cwd = PROJECT_ROOT): RunManifest['git'] {
  const git = (args: string[]) =>
    execFileSync('git', ['--no-optional-locks', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  try {
    const commit = git(['rev-parse', 'HEAD']).trim();
    const dirty = git(['status', '--porcelain']).trim().length > 0;
    return { commit, dirty };
  } catch {
    // Not a repository, or git not installed: the manifest says "unknown" rather than failing the run.
    return { commit: null, dirty: null };
  }
}

export function machineInfo(): RunManifest['machine'] {
  const cpus = os.cpus();
  return {
    platform: os.platform(),
    arch: os.arch(),
    cpus: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = { planarena: planarenaVersion(), node: process.version };
  for (const pkg of TRACKED_PACKAGES) versions[pkg] = installedVersion(pkg) ?? 'not installed';
  return versions;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * SHA-256 over the content of files (a directory stands for every file under it, by relative
 * path), so a changed checkpoint or prompt template changes the hash and a copied or touched one
 * does not. A `sha256:<hex>` entry stands for a file whose hash is already known. A missing path
 * hashes as missing.
 */
export function hashInputs(paths: readonly string[]): string {
  const h = createHash('sha256');
  const add = (path: string, label: string) => {
    if (!existsSync(path)) {
      h.update(`${label}\0missing\0`);
      return;
    }
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name), `${label}/${name}`);
      return;
    }
    h.update(`${label}\0${createHash('sha256').update(readFileSync(path)).digest('hex')}\0`);
  };
  for (const p of paths) {
    if (p.startsWith('sha256:')) h.update(`${p}\0`);
    else add(p, basename(p));
  }
  return h.digest('hex');
}

/** SHA-256 of a resolved scenario's canonical JSON. */
export function scenarioHash(scenario: unknown): string {
  return createHash('sha256').update(canonicalJson(scenario)).digest('hex');
}

/** Builds the manifest of a run; `config` is frozen into it as given. */
export function buildManifest(config: RunManifest['config'], command: string[], createdAt = new Date().toISOString()): RunManifest {
  return {
    planarena: planarenaVersion(),
    createdAt,
    command,
    git: gitState(),
    versions: packageVersions(),
    machine: machineInfo(),
    config,
  };
}
