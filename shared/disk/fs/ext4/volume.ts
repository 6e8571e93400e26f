import { LruCache } from '../../lru.ts';
import type { ByteSource } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { LAYER } from './constants.ts';

/** Largest single read issued to the volume; bigger ranges are split. */
export const MAX_READ = 8 << 20;

/**
 * The volume seen in filesystem blocks: bounds-checked block numbers, exact reads (a short read means
 * a truncated image), and a bounded cache of metadata blocks (inode tables, extent and indirect
 * blocks, directory blocks, group descriptors).
 */
export class ExtVolume {
  readonly source: ByteSource;
  readonly blockSize: number;
  readonly blocksCount: number;
  readonly #cache: LruCache<number, Uint8Array>;

  constructor(source: ByteSource, blockSize: number, blocksCount: number, cacheBlocks = 256) {
    this.source = source;
    this.blockSize = blockSize;
    this.blocksCount = blocksCount;
    this.#cache = new LruCache(cacheBlocks);
  }

  /** Throws unless blocks [block, block + count) lie inside the filesystem; `ref` is where the number was found. */
  checkBlocks(block: number, count: number, ref: number, what: string): void {
    if (!Number.isSafeInteger(block) || block < 0 || count < 0 || block + count > this.blocksCount) {
      throw new DiskFormatError(
        LAYER,
        `${what}: block ${block}${count > 1 ? `+${count}` : ''} is beyond the filesystem (${this.blocksCount} blocks)`,
        ref,
      );
    }
  }

  /** Exactly `length` bytes at `offset`, or a DiskFormatError naming the offset when the volume is short. */
  async readExact(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (length <= MAX_READ) return this.#readPart(offset, length, what);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; done += MAX_READ) {
      out.set(await this.#readPart(offset + done, Math.min(MAX_READ, length - done), what), done);
    }
    return out;
  }

  async #readPart(offset: number, length: number, what: string): Promise<Uint8Array> {
    const part = await this.source.read(offset, length);
    if (part.length < length) {
      throw new DiskFormatError(
        LAYER,
        `${what}: the volume ends at ${this.source.size} bytes, ${length} bytes wanted here (truncated image?)`,
        offset,
      );
    }
    return part;
  }

  /** One metadata block, cached. `ref` is the offset of the structure that named the block. */
  async block(block: number, ref: number, what: string): Promise<Uint8Array> {
    this.checkBlocks(block, 1, ref, what);
    const hit = this.#cache.get(block);
    if (hit) return hit;
    const data = await this.readExact(block * this.blockSize, this.blockSize, what);
    this.#cache.set(block, data);
    return data;
  }
}

export const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
export const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
export const i32 = (b: Uint8Array, o: number) =>
  b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
/** lo + hi · 2^32, for fields split in two halves. */
export const join64 = (lo: number, hi: number) => hi * 0x1_0000_0000 + lo;
