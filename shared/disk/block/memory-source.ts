import type { ByteSource } from '../types.ts';
import { readableLength } from './range.ts';

/** A source over bytes in memory (tests, small extents). Reads are copies. */
export class MemorySource implements ByteSource {
  readonly size: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = readableLength(offset, length, this.size);
    return this.#bytes.slice(offset, offset + n);
  }

  async close(): Promise<void> {}
}

/** A source of `size` zero bytes. */
export class ZeroSource implements ByteSource {
  readonly size: number;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad size ${size}`);
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return new Uint8Array(readableLength(offset, length, this.size));
  }

  async close(): Promise<void> {}
}
