/**
 * The models folder: what `llm pull` fills, what `llm list` shows, and which model the LLM
 * planner uses when no --llm-url or --llm-gguf is given.
 *
 * A file appears under its final name only after its size and SHA-256 matched (`pull` writes to
 * `NAME.part` and renames), so a complete name means a verified model; a `.part` file is an
 * interrupted download that the next `pull` resumes.
 *
 * The default model, in order: `PLANARENA_LLM_GGUF` (a file), then the first catalog model in
 * the folder (the catalog's default first).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, DEFAULT_MODEL, type CatalogModel } from './ModelCatalog.ts';
import { cacheRoot } from './LlamaRuntime.ts';

export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLANARENA_MODELS || join(cacheRoot(env), 'models');
}

export interface StoredModel {
  file: string;
  path: string;
  bytes: number;
  /** The catalog entry with this file name, if any. */
  catalog?: CatalogModel;
  /** An interrupted download (`.part`), with how much of it is there. */
  partial: boolean;
}

/** Every .gguf (and .gguf.part) file in the models folder, sorted by name. */
export function listModels(dir: string = modelsDir()): StoredModel[] {
  if (!existsSync(dir)) return [];
  const out: StoredModel[] = [];
  for (const name of readdirSync(dir).sort()) {
    const partial = name.endsWith('.gguf.part');
    if (!partial && !name.endsWith('.gguf')) continue;
    const path = join(dir, name);
    const file = partial ? name.slice(0, -'.part'.length) : name;
    out.push({ file, path, bytes: statSync(path).size, catalog: CATALOG.find((m) => m.file === file), partial });
  }
  return out;
}

/** Catalog models in default-first order. */
function catalogOrder(): CatalogModel[] {
  return [...CATALOG].sort((a, b) => Number(b.name === DEFAULT_MODEL) - Number(a.name === DEFAULT_MODEL));
}

/**
 * The model file the LLM planner uses by default, or null when there is none. A set
 * `PLANARENA_LLM_GGUF` wins even if the file is missing, so the error names it.
 */
export function defaultModelFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.PLANARENA_LLM_GGUF) return env.PLANARENA_LLM_GGUF;
  const dir = modelsDir(env);
  for (const m of catalogOrder()) {
    const path = join(dir, m.file);
    if (existsSync(path)) return path;
  }
  return null;
}
