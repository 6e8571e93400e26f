import { type FileHandle, open } from 'node:fs/promises';
import { LruCache } from '../lru.ts';
import type { FetchStats, MeasuredSource } from '../types.ts';
import { assertOpen, readableLength } from './range.ts';
import { emptyStats } from './stats.ts';

export interface FileSourceOptions {
  /** Cache block size in bytes, a power of two from 4 KiB to 4 MiB (default 64 KiB). */
  blockSize?: number;
  /** Most bytes the block cache keeps (default 32 MiB; 0 turns the cache off). */
  cacheBytes?: number;
  /** Largest read-ahead window for sequential reads, in bytes (default 1 MiB; 0 turns it off). */
  readAheadBytes?: number;
}

const DEFAULT_BLOCK = 64 * 1024;
const DEFAULT_CACHE = 32 * 1024 * 1024;
const DEFAULT_READ_AHEAD = 1024 * 1024;

/**
 * A local file (image, raw disk) read through a bounded LRU cache of fixed-size blocks. Missing blocks
 * next to each other are fetched with one read; sequential reads fetch a growing window ahead.
 * `stats().cacheHits` counts blocks served from the cache (or from a fetch already under way).
 */
export class FileSource implements MeasuredSource {
  readonly size: number;
  readonly path: string;
  readonly #fh: FileHandle;
  readonly #blockSize: number;
  readonly #cache: LruCache<number, Uint8Array>;
  readonly #inflight = new Map<number, Promise<Uint8Array>>();
  readonly #maxReadAheadBlocks: number;
  readonly #stats = emptyStats();
  #readAheadBlocks = 0;
  #nextSequential = -1;
  #closed = false;

  private constructor(path: string, fh: FileHandle, size: number, options: FileSourceOptions) {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK;
    if (
      !Number.isInteger(blockSize) ||
      blockSize < 4096 ||
      blockSize > 4 << 20 ||
      blockSize & (blockSize - 1)
    ) {
      throw new RangeError(`bad block size ${blockSize}`);
    }
    this.path = path;
    this.#fh = fh;
    this.size = size;
    this.#blockSize = blockSize;
    this.#cache = new LruCache(options.cacheBytes ?? DEFAULT_CACHE);
    this.#maxReadAheadBlocks = Math.floor((options.readAheadBytes ?? DEFAULT_READ_AHEAD) / blockSize);
  }

  static async open(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile() && !st.isBlockDevice()) throw new Error(`${path} is not a file`);
      const size = st.isBlockDevice() && st.size === 0 ? await blockDeviceSize(fh) : st.size;
      return new FileSource(path, fh, size, options);
    } catch (error) {
      await fh.close();
      throw error;
    }
  }

  stats(): FetchStats {
    return { ...this.#stats };
  }

  /** Bytes the cache holds now (never above `cacheBytes`). */
  cachedBytes(): number {
    return this.#cache.weight;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertOpen(this.#closed, this.path);
    const n = readableLength(offset, length, this.size);
    if (n === 0) return new Uint8Array(0);
    const bs = this.#blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + n - 1) / bs);
    this.#planReadAhead(offset, n);

    const runs: [number, number][] = [];
    const addRun = (from: number, to: number) => {
      const prev = runs.at(-1);
      if (prev && prev[1] + 1 === from) prev[1] = to;
      else runs.push([from, to]);
    };
    for (let b = first; b <= last; b++) {
      if (this.#isKnown(b)) this.#stats.cacheHits++;
      else addRun(b, b);
    }
    const ahead = this.#readAheadBlocks;
    if (ahead > 0) {
      // Fetch the next window once less than half of the current one is left ahead of the reader.
      const lastBlock = Math.floor((this.size - 1) / bs);
      let b = last + 1;
      while (b <= lastBlock && b <= last + ahead && this.#isKnown(b)) b++;
      if (b <= lastBlock && b - last <= Math.ceil(ahead / 2)) {
        let to = b;
        while (to + 1 <= Math.min(lastBlock, b + ahead - 1) && !this.#isKnown(to + 1)) to++;
        addRun(b, to);
      }
    }
    for (const [from, to] of runs) this.#fetchRun(from, to);
    const pending: Promise<Uint8Array>[] = [];
    for (let b = first; b <= last; b++) {
      const cached = this.#cache.get(b);
      pending.push(cached ? Promise.resolve(cached) : this.#inflight.get(b)!);
    }

    const blocks = await Promise.all(pending);
    const out = new Uint8Array(n);
    let done = 0;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      const from = i === 0 ? offset - first * bs : 0;
      const take = Math.min(n - done, block.length - from);
      out.set(block.subarray(from, from + take), done);
      done += take;
    }
    if (done !== n) throw new Error(`${this.path}: file shrank while reading at ${offset}`);
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    await this.#fh.close();
  }

  #planReadAhead(offset: number, n: number): void {
    if (offset === this.#nextSequential && this.#maxReadAheadBlocks > 0) {
      this.#readAheadBlocks = Math.min(this.#maxReadAheadBlocks, Math.max(2, this.#readAheadBlocks * 2));
    } else {
      this.#readAheadBlocks = 0;
    }
    this.#nextSequential = offset + n;
  }

  #isKnown(block: number): boolean {
    return this.#cache.has(block) || this.#inflight.has(block);
  }

  /** Fetches blocks `first`..`last` with one read and caches each block as its own copy. */
  #fetchRun(first: number, last: number): void {
    const bs = this.#blockSize;
    const start = first * bs;
    const length = Math.min((last + 1) * bs, this.size) - start;
    const run = this.#readExactly(start, length);
    this.#stats.blocksFetched += last - first + 1;
    for (let b = first; b <= last; b++) {
      const from = (b - first) * bs;
      const block = run.then((bytes) => bytes.slice(from, Math.min(from + bs, bytes.length)));
      this.#inflight.set(b, block);
      block.then(
        (bytes) => {
          if (this.#inflight.get(b) === block) this.#inflight.delete(b);
          if (!this.#closed) this.#cache.set(b, bytes, bytes.length);
        },
        () => {
          if (this.#inflight.get(b) === block) this.#inflight.delete(b);
        },
      );
    }
  }

  async #readExactly(position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      this.#stats.requests++;
      const { bytesRead } = await this.#fh.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`${this.path}: unexpected end of file at ${position + done}`);
      done += bytesRead;
      this.#stats.bytesFetched += bytesRead;
    }
    return buffer;
  }
}

/** Size of a block device: the offset where reads stop, found by binary search on 512-byte sectors. */
async function blockDeviceSize(fh: FileHandle): Promise<number> {
  const probe = Buffer.alloc(1);
  let lo = 0;
  let hi = 1;
  while ((await fh.read(probe, 0, 1, hi * 512 - 1)).bytesRead === 1) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await fh.read(probe, 0, 1, mid * 512 - 1)).bytesRead === 1) lo = mid;
    else hi = mid;
  }
  return lo * 512;
}

/** Opens a local file as a measured source. */
export function openFileSource(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
  return FileSource.open(path, options);
}
