/**
 * The GGUF container (llama.cpp's model file format, version 2 and 3), read far enough to say
 * what a file is before the runtime touches it: its architecture, its metadata, its tensors, and
 * whether the file holds every byte its header promises.
 *
 * Layout (little-endian): "GGUF" | u32 version | u64 tensor count | u64 metadata count |
 * metadata (key string, u32 value type, value)* | tensor infos (name, u32 n_dims, u64 dims[],
 * u32 ggml type, u64 offset)* | padding to `general.alignment` (32) | tensor data.
 * Strings are u64 length + UTF-8 bytes; arrays are u32 element type + u64 count + elements.
 *
 * Why our own reader: llama.cpp reports a bad file on stderr and fails with a generic message,
 * and node-llama-cpp's reader needs the optional runtime. This one gives a one-line error that
 * names the file (not GGUF, truncated, unknown version) with no runtime installed, and `llm list`
 * uses it to describe cached models. Large arrays (a 150k-token vocabulary) are skipped, not kept.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { UserError } from '../../../core/errors.ts';

export const GGUF_MAGIC = 'GGUF';
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types. */
export enum GgufType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** ggml tensor types by id: [elements per block, bytes per block] (ggml/src/ggml.c type_traits). */
export const GGML_TYPES: Record<number, { name: string; block: number; bytes: number }> = {
  0: { name: 'F32', block: 1, bytes: 4 },
  1: { name: 'F16', block: 1, bytes: 2 },
  2: { name: 'Q4_0', block: 32, bytes: 18 },
  3: { name: 'Q4_1', block: 32, bytes: 20 },
  6: { name: 'Q5_0', block: 32, bytes: 22 },
  7: { name: 'Q5_1', block: 32, bytes: 24 },
  8: { name: 'Q8_0', block: 32, bytes: 34 },
  9: { name: 'Q8_1', block: 32, bytes: 36 },
  10: { name: 'Q2_K', block: 256, bytes: 84 },
  11: { name: 'Q3_K', block: 256, bytes: 110 },
  12: { name: 'Q4_K', block: 256, bytes: 144 },
  13: { name: 'Q5_K', block: 256, bytes: 176 },
  14: { name: 'Q6_K', block: 256, bytes: 210 },
  15: { name: 'Q8_K', block: 256, bytes: 292 },
  16: { name: 'IQ2_XXS', block: 256, bytes: 66 },
  17: { name: 'IQ2_XS', block: 256, bytes: 74 },
  18: { name: 'IQ3_XXS', block: 256, bytes: 98 },
  19: { name: 'IQ1_S', block: 256, bytes: 50 },
  20: { name: 'IQ4_NL', block: 32, bytes: 18 },
  21: { name: 'IQ3_S', block: 256, bytes: 110 },
  22: { name: 'IQ2_S', block: 256, bytes: 82 },
  23: { name: 'IQ4_XS', block: 256, bytes: 136 },
  24: { name: 'I8', block: 1, bytes: 1 },
  25: { name: 'I16', block: 1, bytes: 2 },
  26: { name: 'I32', block: 1, bytes: 4 },
  27: { name: 'I64', block: 1, bytes: 8 },
  28: { name: 'F64', block: 1, bytes: 8 },
  29: { name: 'IQ1_M', block: 256, bytes: 56 },
  30: { name: 'BF16', block: 1, bytes: 2 },
  34: { name: 'TQ1_0', block: 256, bytes: 54 },
  35: { name: 'TQ2_0', block: 256, bytes: 66 },
  39: { name: 'MXFP4', block: 32, bytes: 17 },
};

export type GgufValue = number | bigint | boolean | string | GgufValue[] | { skippedArray: GgufType; length: number };

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  /** Offset from the start of the data section. */
  offset: number;
}

export interface GgufInfo {
  file: string;
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  /** Where the tensor data starts. */
  dataOffset: number;
  /** Bytes the file must have to hold every tensor; null when a tensor type is unknown here. */
  expectedSize: number | null;
  fileSize: number;
  /** `general.architecture`, e.g. "llama", "qwen2". */
  architecture: string | null;
  /** Weights, counted from the tensor shapes. */
  parameters: number;
}

/** Arrays longer than this are skipped (vocabularies, merges); their length is kept. */
const KEEP_ARRAY = 64;

/** Reads the header of a GGUF file. Throws a one-line `UserError` (E_LLM_MODEL) that names the file. */
export async function readGguf(file: string): Promise<GgufInfo> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new UserError('E_LLM_MODEL', `model ${file}: cannot open it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    const fileSize = (await fh.stat()).size;
    const r = new Reader(fh, file, fileSize);
    const magic = (await r.bytes(4)).toString('latin1');
    if (magic !== GGUF_MAGIC) {
      throw new UserError('E_LLM_MODEL', `model ${file} is not a GGUF file (it starts with ${JSON.stringify(magic)}, a GGUF file with "GGUF"): use a .gguf model, e.g. from \`planarena llm pull\`.`);
    }
    const version = await r.u32();
    if (version !== 2 && version !== 3) {
      throw new UserError('E_LLM_MODEL', `model ${file} is GGUF version ${version}; this reader knows versions 2 and 3: convert it with a current llama.cpp.`);
    }
    const tensorCount = await r.count();
    const kvCount = await r.count();
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await r.string();
      metadata.set(key, await r.value(await r.u32()));
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await r.string();
      const nDims = await r.u32();
      if (nDims > 8) throw r.corrupt(`tensor ${name} has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await r.count());
      tensors.push({ name, dims, type: await r.u32(), offset: await r.count() });
    }
    const alignment = Number(metadata.get('general.alignment') ?? GGUF_DEFAULT_ALIGNMENT);
    const dataOffset = alignUp(r.pos, alignment);
    let expectedSize: number | null = dataOffset;
    let parameters = 0;
    for (const t of tensors) {
      const n = t.dims.reduce((a, b) => a * b, 1);
      parameters += n;
      const ty = GGML_TYPES[t.type];
      if (!ty) expectedSize = null;
      else if (expectedSize !== null) expectedSize = Math.max(expectedSize, dataOffset + t.offset + Math.ceil(n / ty.block) * ty.bytes);
    }
    if (expectedSize !== null && fileSize < expectedSize) throw truncated(file, fileSize, expectedSize);
    const arch = metadata.get('general.architecture');
    return { file, version, metadata, tensors, dataOffset, expectedSize, fileSize, architecture: typeof arch === 'string' ? arch : null, parameters };
  } finally {
    await fh.close();
  }
}

function truncated(file: string, have: number, need: number): UserError {
  return new UserError(
    'E_LLM_MODEL',
    `model ${file} is truncated: it has ${have} bytes of the ${need} its header describes (an interrupted download?): fetch it again, e.g. with \`planarena llm pull\`.`,
  );
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Sequential reads through a file handle, a chunk at a time, so a 3 MB vocabulary costs no more
 * than a few reads and a 1 GB model is never read whole. */
class Reader {
  pos = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly size: number,
  ) {}

  private async need(n: number): Promise<Buffer> {
    if (this.pos + n > this.size) throw truncated(this.file, this.size, this.pos + n);
    const end = this.bufStart + this.buf.length;
    if (this.pos < this.bufStart || this.pos + n > end) {
      const len = Math.max(n, 1 << 20);
      const chunk = Buffer.alloc(Math.min(len, this.size - this.pos));
      await this.fh.read(chunk, 0, chunk.length, this.pos);
      this.buf = chunk;
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  corrupt(what: string): UserError {
    return new UserError('E_LLM_MODEL', `model ${this.file} is not a valid GGUF file: ${what} at byte ${this.pos}: fetch it again.`);
  }

  async bytes(n: number): Promise<Buffer> {
    return Buffer.from(await this.need(n));
  }
  async u32(): Promise<number> {
    return (await this.need(4)).readUInt32LE(0);
  }
  /** A u64 that must be a sane count or size (< 2^53). */
  async count(): Promise<number> {
    const v = (await this.need(8)).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`a count of ${v}`);
    return Number(v);
  }
  async string(): Promise<string> {
    const n = await this.count();
    if (n > this.size) throw this.corrupt(`a string of ${n} bytes`);
    return (await this.need(n)).toString('utf8');
  }

  async value(type: number): Promise<GgufValue> {
    switch (type) {
      case GgufType.UINT8: return (await this.need(1)).readUInt8(0);
      case GgufType.INT8: return (await this.need(1)).readInt8(0);
      case GgufType.UINT16: return (await this.need(2)).readUInt16LE(0);
      case GgufType.INT16: return (await this.need(2)).readInt16LE(0);
      case GgufType.UINT32: return (await this.need(4)).readUInt32LE(0);
      case GgufType.INT32: return (await this.need(4)).readInt32LE(0);
      case GgufType.FLOAT32: return (await this.need(4)).readFloatLE(0);
      case GgufType.BOOL: return (await this.need(1)).readUInt8(0) !== 0;
      case GgufType.STRING: return this.string();
      case GgufType.UINT64: return (await this.need(8)).readBigUInt64LE(0);
      case GgufType.INT64: return (await this.need(8)).readBigInt64LE(0);
      case GgufType.FLOAT64: return (await this.need(8)).readDoubleLE(0);
      case GgufType.ARRAY: {
        const elem = await this.u32();
        const length = await this.count();
        if (length > this.size) throw this.corrupt(`an array of ${length} elements`);
        const keep = length <= KEEP_ARRAY;
        const out: GgufValue[] = [];
        for (let i = 0; i < length; i++) {
          const v = await this.value(elem);
          if (keep) out.push(v);
        }
        return keep ? out : { skippedArray: elem, length };
      }
      default:
        throw this.corrupt(`unknown metadata type ${type}`);
    }
  }
}
