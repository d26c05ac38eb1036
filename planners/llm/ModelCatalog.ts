/**
 * The models `planarena llm pull` knows by name: a small instruct model that runs on a laptop
 * CPU, with the exact bytes it must have. A download is accepted only when its size and SHA-256
 * match these values, so a catalog entry pins one file forever (the URL names a commit, not a
 * branch).
 *
 * Where the checksums come from: the Git LFS pointer of the file in its Hugging Face commit
 * (`oid sha256:…`, `size …`), i.e. what Hugging Face itself verifies on upload.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';

export interface CatalogModel {
  /** What `llm pull NAME` and `llm list` call it. */
  name: string;
  /** File name in the models folder. */
  file: string;
  /** Download URL (a Hugging Face `resolve/<commit>/` URL; HF_ENDPOINT replaces its host). */
  url: string;
  /** Exact size in bytes. */
  size: number;
  /** SHA-256 of the whole file, lowercase hex. */
  sha256: string;
  /** Licence of the weights, as its authors name it. */
  licence: string;
  /** One line for `llm list` and the docs. */
  about: string;
  /** Where `size` and `sha256` were read. */
  checksumSource: string;
}

export const DEFAULT_MODEL = 'qwen2.5-1.5b-instruct';

export const CATALOG: readonly CatalogModel[] = [
  {
    name: 'qwen2.5-1.5b-instruct',
    file: 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf',
    // A community GGUF conversion of Qwen/Qwen2.5-1.5B-Instruct (ThomasBaruzier, quantised with
    // llama.cpp), pinned to the commit that added the file.
    url: 'https://huggingface.co/ThomasBaruzier/Qwen2.5-1.5B-Instruct-GGUF/resolve/4726ad0ad99c0b090bff85a0a967b7294a3fa381/Qwen2.5-1.5B-Instruct-Q4_K_M.gguf',
    size: 986048736,
    sha256: '78912c35a285c921468fc48e9956b9a71f4f2e53e9b44905878cd94a2f3ab9b1',
    licence: 'Apache-2.0 (Qwen2.5-1.5B-Instruct by the Qwen team, Alibaba Cloud)',
    // RAM: weights plus the f16 KV cache of an 8k context (28 layers x 2 x 256 x 8192 x 2 B = 235 MB)
    // plus compute buffers; an estimate, not measured (no real model runs on our machines).
    about: 'Qwen2.5 1.5B Instruct, Q4_K_M, 0.99 GB (about 1.5 GB of RAM at 8k context)',
    // LFS pointer in https://huggingface.co/ThomasBaruzier/Qwen2.5-1.5B-Instruct-GGUF/commit/4726ad0ad99c0b090bff85a0a967b7294a3fa381
    checksumSource: 'https://huggingface.co/ThomasBaruzier/Qwen2.5-1.5B-Instruct-GGUF/commit/4726ad0ad99c0b090bff85a0a967b7294a3fa381 (Git LFS pointer: oid sha256, size)',
  },
];

export function catalogModel(name: string): CatalogModel | undefined {
  return CATALOG.find((m) => m.name === name);
}

/** The SHA-256 of `file` if it is a catalog model of the right size (pulled and verified), else null. */
export function catalogSha256(file: string): string | null {
  const m = CATALOG.find((c) => c.file === basename(file));
  try {
    return m && statSync(file).size === m.size ? m.sha256 : null;
  } catch {
    return null; // no such file: nothing to vouch for
  }
}

/** The model's URL with the Hugging Face host replaced by `HF_ENDPOINT` (mirrors, tests). */
export function modelUrl(m: CatalogModel, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = env.HF_ENDPOINT?.replace(/\/+$/, '');
  return endpoint ? m.url.replace(/^https:\/\/huggingface\.co/, endpoint) : m.url;
}
