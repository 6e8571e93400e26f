import type { ByteSource } from '../types.ts';
import { readableLength } from './range.ts';

/** Sources one after the other, e.g. the extents of a VMDK. Closing it closes every part. */
export class ConcatSource implements ByteSource {
  readonly size: number;
  readonly #parts: readonly ByteSource[];
  readonly #starts: number[];

  constructor(parts: readonly ByteSource[]) {
    this.#parts = parts;
    this.#starts = [];
    let at = 0;
    for (const part of parts) {
      this.#starts.push(at);
      at += part.size;
    }
    if (!Number.isSafeInteger(at)) throw new RangeError('concatenated size is too large');
    this.size = at;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = readableLength(offset, length, this.size);
    const out = new Uint8Array(n);
    let done = 0;
    let i = this.#findPart(offset);
    while (done < n && i < this.#parts.length) {
      const part = this.#parts[i]!;
      const start = this.#starts[i]!;
      const inPart = offset + done - start;
      const want = Math.min(n - done, part.size - inPart);
      if (want > 0) {
        const bytes = await part.read(inPart, want);
        if (bytes.length !== want) throw new Error(`short read from part ${i} at ${inPart}`);
        out.set(bytes, done);
        done += want;
      }
      i++;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.#parts.map((p) => p.close()));
  }

  #findPart(offset: number): number {
    let lo = 0;
    let hi = this.#parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
