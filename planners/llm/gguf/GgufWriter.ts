/**
 * Writes GGUF version 3 files: typed metadata and F32 tensors. Used to build the tiny
 * random-weight model the tests run through the real llama.cpp runtime (`npm run
 * make-test-llm`); the layout is the one `Gguf.ts` documents and reads back.
 *
 * Tensor dims are in ggml order (the fastest-varying first): a weight that maps n_embd inputs to
 * n_out outputs is [n_embd, n_out], with n_embd floats per row.
 */
import { writeFile } from 'node:fs/promises';
import { alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufType } from './Gguf.ts';

type Scalar = { type: GgufType.UINT32 | GgufType.INT32 | GgufType.FLOAT32 | GgufType.BOOL | GgufType.STRING | GgufType.UINT64; value: number | boolean | string };
type Entry = Scalar | { type: GgufType.ARRAY; elem: GgufType.STRING | GgufType.INT32 | GgufType.FLOAT32; values: (string | number)[] };

export const GGML_F32 = 0;

interface Tensor {
  name: string;
  dims: number[];
  type: typeof GGML_F32;
  data: Float32Array;
}

export class GgufWriter {
  private readonly kv = new Map<string, Entry>();
  private readonly tensors: Tensor[] = [];

  string(key: string, value: string): this {
    return this.set(key, { type: GgufType.STRING, value });
  }
  u32(key: string, value: number): this {
    return this.set(key, { type: GgufType.UINT32, value });
  }
  i32(key: string, value: number): this {
    return this.set(key, { type: GgufType.INT32, value });
  }
  f32(key: string, value: number): this {
    return this.set(key, { type: GgufType.FLOAT32, value });
  }
  bool(key: string, value: boolean): this {
    return this.set(key, { type: GgufType.BOOL, value });
  }
  strings(key: string, values: string[]): this {
    return this.set(key, { type: GgufType.ARRAY, elem: GgufType.STRING, values });
  }
  i32s(key: string, values: number[]): this {
    return this.set(key, { type: GgufType.ARRAY, elem: GgufType.INT32, values });
  }
  f32s(key: string, values: number[]): this {
    return this.set(key, { type: GgufType.ARRAY, elem: GgufType.FLOAT32, values });
  }

  tensor(name: string, dims: number[], data: Float32Array): this {
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`tensor ${name}: ${data.length} values for dims [${dims}] (${n})`);
    this.tensors.push({ name, dims, type: GGML_F32, data });
    return this;
  }

  private set(key: string, e: Entry): this {
    this.kv.set(key, e);
    return this;
  }

  toBuffer(): Buffer {
    const head = new Out();
    head.raw(Buffer.from(GGUF_MAGIC, 'latin1'));
    head.u32(3);
    head.u64(this.tensors.length);
    head.u64(this.kv.size);
    for (const [key, e] of this.kv) {
      head.str(key);
      head.u32(e.type);
      if (e.type === GgufType.ARRAY) {
        head.u32(e.elem);
        head.u64(e.values.length);
        for (const v of e.values) head.scalar(e.elem, v);
      } else {
        head.scalar(e.type, e.value);
      }
    }
    const blobs: Buffer[] = [];
    let offset = 0;
    for (const t of this.tensors) {
      head.str(t.name);
      head.u32(t.dims.length);
      for (const d of t.dims) head.u64(d);
      head.u32(t.type);
      head.u64(offset);
      const blob = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const padded = alignUp(blob.length, GGUF_DEFAULT_ALIGNMENT);
      blobs.push(blob, Buffer.alloc(padded - blob.length));
      offset += padded;
    }
    const header = head.done();
    return Buffer.concat([header, Buffer.alloc(alignUp(header.length, GGUF_DEFAULT_ALIGNMENT) - header.length), ...blobs]);
  }

  async write(file: string): Promise<number> {
    const buf = this.toBuffer();
    await writeFile(file, buf);
    return buf.length;
  }
}

class Out {
  private parts: Buffer[] = [];
  raw(b: Buffer): void {
    this.parts.push(b);
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.parts.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.parts.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.parts.push(b);
  }
  scalar(type: GgufType, v: number | boolean | string): void {
    const b = Buffer.alloc(8);
    switch (type) {
      case GgufType.STRING: return this.str(String(v));
      case GgufType.UINT32: b.writeUInt32LE(Number(v)); return this.raw(b.subarray(0, 4));
      case GgufType.INT32: b.writeInt32LE(Number(v)); return this.raw(b.subarray(0, 4));
      case GgufType.FLOAT32: b.writeFloatLE(Number(v)); return this.raw(b.subarray(0, 4));
      case GgufType.BOOL: return this.raw(Buffer.from([v ? 1 : 0]));
      case GgufType.UINT64: return this.u64(Number(v));
      default: throw new Error(`GgufWriter: metadata type ${type} is not written`);
    }
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}
