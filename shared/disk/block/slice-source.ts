import type { ByteSource } from '../types.ts';
import { readableLength } from './range.ts';

export interface SliceOptions {
  /** Close the parent when the slice is closed (default false: a partition does not own its disk). */
  closeParent?: boolean;
}

/** A window (`offset`, `length`) of another source, e.g. a partition of a disk. */
export class SliceSource implements ByteSource {
  readonly size: number;
  readonly #parent: ByteSource;
  readonly #offset: number;
  readonly #closeParent: boolean;

  constructor(parent: ByteSource, offset: number, length: number, options: SliceOptions = {}) {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad slice offset ${offset}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`bad slice length ${length}`);
    if (offset + length > parent.size) {
      throw new RangeError(
        `slice ${offset}+${length} goes past the end of its source (${parent.size} bytes)`,
      );
    }
    this.#parent = parent;
    this.#offset = offset;
    this.size = length;
    this.#closeParent = options.closeParent ?? false;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = readableLength(offset, length, this.size);
    if (n === 0) return new Uint8Array(0);
    return this.#parent.read(this.#offset + offset, n);
  }

  async close(): Promise<void> {
    if (this.#closeParent) await this.#parent.close();
  }
}
