/**
 * `planarena llm setup|pull|list`: the embedded LLM. `setup` installs the llama.cpp runtime
 * (node-llama-cpp, this platform's binary only), `pull` downloads a small instruct model into the
 * cache (size and SHA-256 checked, resumable, with a progress bar), `list` shows what is there.
 * Once a model is cached and the runtime installed, `npm start` and `--planners llm` use it.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseFlags, choiceFlag, intFlag } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { GPU_CHOICES, installedVersion, loadRuntime, runtimeDir, runtimeInstalled, RUNTIME_VERSION, setupRuntime } from '../../planners/llm/LlamaRuntime.ts';
import { CATALOG, catalogModel, DEFAULT_MODEL, modelUrl } from '../../planners/llm/ModelCatalog.ts';
import { downloadModel, type DownloadProgress } from '../../planners/llm/ModelDownload.ts';
import { defaultModelFile, listModels, modelsDir } from '../../planners/llm/ModelStore.ts';

const def = catalogModel(DEFAULT_MODEL)!;

export const usage = `usage: planarena llm <setup|pull|list> [flags]

  setup [--gpu auto|cuda|vulkan|metal|none]
      Install the llama.cpp runtime: node-llama-cpp ${RUNTIME_VERSION} with only this platform's
      binary (~80 MB; --gpu cuda|vulkan adds that build). Not an npm dependency: with every
      binary it would add 732 MB to npm install. Into ${runtimeDir()}
      ($PLANARENA_LLM_RUNTIME).
  pull [NAME] [--retries N]
      Download a model, check its size and SHA-256, resume an interrupted download. Into
      ${modelsDir()} ($PLANARENA_MODELS). HF_ENDPOINT=URL fetches from a
      Hugging Face mirror. Default: ${DEFAULT_MODEL}, ${def.about};
      licence ${def.licence}.
  pull --url URL --sha256 HEX [--size BYTES] [--file NAME.gguf]
      Any GGUF file, kept only if it matches the checksum you give.
  list [--json]
      Cached models, the default one, the catalog, the runtime.

With no --llm-url or --llm-gguf, the llm planner uses $PLANARENA_LLM_GGUF, else the cached
${DEFAULT_MODEL}. Settings: --set llmThreads=N, llmContextSize=N, llmGpu=auto|cuda|vulkan|metal|none,
llmGpuLayers=auto|max|N (docs/llm.md).`;

const FLAGS = {
  gpu: { type: 'string' },
  url: { type: 'string' },
  sha256: { type: 'string' },
  size: { type: 'string' },
  file: { type: 'string' },
  retries: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const command: Command = {
  name: 'llm',
  summary: 'the embedded LLM: install the runtime, download and list models',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags('llm', argv, FLAGS);
    const [sub, ...rest] = positionals;
    const log = (s: string) => process.stderr.write(`${s}\n`);
    switch (sub) {
      case 'setup':
        return setup(choiceFlag('gpu', values.gpu, GPU_CHOICES, 'auto'), log);
      case 'pull':
        return pull(rest[0], values, log);
      case 'list':
        return list(values.json === true);
      default:
        throw new UserError('E_BAD_FLAG', `${sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed'}: setup, pull or list (planarena llm --help).`);
    }
  },
};

async function setup(gpu: (typeof GPU_CHOICES)[number], log: (s: string) => void): Promise<number> {
  const dir = runtimeDir();
  const packages = await setupRuntime({ dir, gpu, log });
  // Prove it runs here: load the binary, as the planner will.
  const mod = await loadRuntime<{ getLlama(o: object): Promise<{ gpu: string | false; llamaCppRelease: { release: string }; dispose(): Promise<void> }> }>(dir, false);
  let llama;
  try {
    llama = await mod.getLlama({ gpu: gpu === 'none' ? false : gpu, build: 'never', progressLogs: false });
  } catch (e) {
    throw new UserError('E_LLM_RUNTIME', `setup: installed ${packages.join(', ')}, but its llama.cpp binary does not load here (${(e as Error).message}).`);
  }
  const backend = llama.gpu || 'cpu';
  const release = llama.llamaCppRelease.release;
  await llama.dispose();
  console.log(`llama.cpp runtime ready: node-llama-cpp ${installedVersion(dir)} (llama.cpp ${release}, ${backend}) in ${dir}, ${mb(dirBytes(dir))}`);
  if (!defaultModelFile()) console.log(`next: planarena llm pull   (${DEFAULT_MODEL}, ${mb(def.size)})`);
  return 0;
}

async function pull(name: string | undefined, values: { url?: string; sha256?: string; size?: string; file?: string; retries?: string }, log: (s: string) => void): Promise<number> {
  const retries = intFlag('retries', values.retries, 3, 0);
  const dir = modelsDir();
  let job: { label: string; url: string; sha256: string; size?: number; file: string };
  if (values.url) {
    if (name) throw new UserError('E_BAD_FLAG', `pull: give a catalog NAME or --url, not both (got "${name}" and --url).`);
    const sha = values.sha256?.toLowerCase();
    if (!sha || !/^[0-9a-f]{64}$/.test(sha)) throw new UserError('E_BAD_FLAG', 'pull --url needs --sha256 HEX (64 hex digits): the file is kept only if it matches.');
    const file = values.file ?? basename(new URL(values.url).pathname);
    if (!file.endsWith('.gguf') || file.includes('/')) throw new UserError('E_BAD_FLAG', `pull: the file name "${file}" must end in .gguf; name it with --file NAME.gguf.`);
    const size = values.size === undefined ? undefined : intFlag('size', values.size, 0, 1);
    job = { label: file, url: values.url, sha256: sha, size, file };
  } else {
    if (values.sha256 || values.size || values.file) throw new UserError('E_BAD_FLAG', 'pull: --sha256, --size and --file go with --url.');
    const m = catalogModel(name ?? DEFAULT_MODEL);
    if (!m) throw new UserError('E_BAD_FLAG', `pull: no model "${name}"; the catalog has ${CATALOG.map((c) => c.name).join(', ')} (or pass --url URL --sha256 HEX).`);
    job = { label: m.name, url: modelUrl(m), sha256: m.sha256, size: m.size, file: m.file };
  }
  const dest = join(dir, job.file);
  log(`${job.label}: ${job.url}`);
  const bar = new ProgressBar(process.stderr);
  const outcome = await downloadModel({ ...job, dest, retries, log: (s) => bar.interrupt(s), onProgress: (p) => bar.update(p) });
  bar.done();
  const verb = outcome === 'already-present' ? 'already here' : 'downloaded';
  console.log(`${job.label}: ${verb}, ${mb(statSync(dest).size)}, SHA-256 verified: ${dest}`);
  if (!runtimeInstalled()) console.log('next: planarena llm setup   (the llama.cpp runtime, ~85 MB), then npm start');
  else if (defaultModelFile() === dest) console.log('the llm planner now uses it: npm start, or planarena run --planners llm');
  else console.log(`use it with --llm-gguf ${dest}`);
  return 0;
}

function list(json: boolean): number {
  const dir = modelsDir();
  const models = listModels(dir);
  const def = defaultModelFile();
  const rdir = runtimeDir();
  const runtime = installedVersion(rdir);
  if (json) {
    console.log(JSON.stringify({ modelsDir: dir, default: def, models, runtime: { dir: rdir, version: runtime }, catalog: CATALOG }, null, 2));
    return 0;
  }
  console.log(`models in ${dir}:`);
  if (models.length === 0) console.log('  (none)');
  for (const m of models) {
    const mark = m.path === def ? '*' : ' ';
    const state = m.partial
      ? `partial: ${mb(m.bytes)}${m.catalog ? ` of ${mb(m.catalog.size)}` : ''}, \`planarena llm pull${m.catalog ? ` ${m.catalog.name}` : ' --url ...'}\` resumes it`
      : `${mb(m.bytes)}${m.catalog ? ', verified' : ''}${m.path === def ? ', default' : ''}`;
    console.log(`${mark} ${(m.catalog?.name ?? m.file).padEnd(24)} ${state}`);
  }
  if (def && !models.some((m) => m.path === def)) console.log(`default model: ${def} (PLANARENA_LLM_GGUF)`);
  console.log('catalog:');
  for (const c of CATALOG) console.log(`  ${c.name.padEnd(24)} ${c.about}; ${c.licence}`);
  console.log(runtime ? `runtime: node-llama-cpp ${runtime} in ${rdir}` : `runtime: not installed (planarena llm setup)`);
  return 0;
}

/**
 * The download's progress on stderr: a redrawn bar on a terminal, a line per 10% elsewhere
 * (CI logs and pipes keep every line).
 */
class ProgressBar {
  private readonly tty: boolean;
  private lastStep = -1;
  private drawn = false;
  private started = Date.now();
  private startBytes = -1;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = out.isTTY === true;
  }

  update(p: DownloadProgress): void {
    if (this.startBytes < 0) {
      this.startBytes = p.resumedFrom;
      this.started = Date.now();
    }
    const total = Number.isFinite(p.total) ? p.total : 0;
    const frac = total ? p.received / total : 0;
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? (p.received - this.startBytes) / secs : 0;
    const eta = rate > 0 && total ? Math.round((total - p.received) / rate) : NaN;
    const text = `${mb(p.received)} / ${total ? mb(total) : '?'} ${total ? `${(frac * 100).toFixed(1)}%` : ''} ${(rate / 1e6).toFixed(1)} MB/s${Number.isFinite(eta) ? ` ETA ${eta}s` : ''}`;
    if (this.tty) {
      const width = 30;
      const fill = Math.round(frac * width);
      this.out.write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${text}  `);
      this.drawn = true;
      return;
    }
    const step = Math.floor(frac * 10);
    if (step > this.lastStep) {
      this.lastStep = step;
      this.out.write(`${text}\n`);
    }
  }

  /** A log line in the middle of the bar. */
  interrupt(line: string): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}
