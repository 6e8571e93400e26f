/**
 * The file allocation table: cluster N's entry holds the next cluster of its chain, an end-of-chain
 * mark, a bad-cluster mark or 0 (free). Read lazily in chunks; chains are walked with hard bounds so
 * that a loop or a runaway chain is a DiskFormatError, never a hang.
 */

import { LruCache } from '../../lru.ts';
import type { ByteSource } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import type { Geometry } from './boot.ts';
import { LAYER } from './boot.ts';
import { readExact } from './io.ts';

const CHUNK = 64 * 1024;

export class FatTable {
  readonly #source: ByteSource;
  readonly #g: Geometry;
  readonly #bytes: number;
  readonly #chunks = new LruCache<number, Uint8Array>(64);
  readonly #eoc: number;
  readonly #bad: number;

  constructor(source: ByteSource, g: Geometry) {
    this.#source = source;
    this.#g = g;
    this.#bytes = g.fatSectors * g.bytesPerSector;
    this.#eoc = g.fatType === 12 ? 0xff8 : g.fatType === 16 ? 0xfff8 : 0x0ffffff8;
    this.#bad = this.#eoc - 1;
  }

  /** Volume byte offset of cluster `n`'s FAT entry (for error messages). */
  entryOffset(n: number): number {
    return this.#g.fatOffset + Math.floor((n * this.#g.fatType) / 8);
  }

  /** Loads the chunk holding FAT byte `i` unless cached. */
  async #load(i: number): Promise<Uint8Array> {
    if (i >= this.#bytes)
      throw new DiskFormatError(LAYER, `FAT byte ${i} is past the FAT`, this.#g.fatOffset + i);
    const index = Math.floor(i / CHUNK);
    let chunk = this.#chunks.get(index);
    if (!chunk) {
      const start = index * CHUNK;
      chunk = await readExact(this.#source, this.#g.fatOffset + start, Math.min(CHUNK, this.#bytes - start));
      this.#chunks.set(index, chunk);
    }
    return chunk;
  }

  /** FAT bytes [i, i + n) as a little-endian number (n ≤ 4), loading chunks as needed. */
  async #le(i: number, n: number): Promise<number> {
    let chunk = await this.#load(i);
    let base = Math.floor(i / CHUNK) * CHUNK;
    let v = 0;
    for (let k = 0; k < n; k++) {
      if (i + k - base >= CHUNK) {
        chunk = await this.#load(i + k);
        base += CHUNK;
      }
      v += chunk[i + k - base]! * 2 ** (8 * k);
    }
    return v;
  }

  /** The raw entry of cluster `n` (FAT32: low 28 bits). */
  async entry(n: number): Promise<number> {
    const t = this.#g.fatType;
    if (t === 12) {
      const v = await this.#le(n + (n >> 1), 2);
      return n & 1 ? v >> 4 : v & 0xfff;
    }
    if (t === 16) return this.#le(n * 2, 2);
    return (await this.#le(n * 4, 4)) % 0x10000000;
  }

  isEnd(v: number): boolean {
    return v >= this.#eoc;
  }

  /** Whether `n` names a data cluster. */
  valid(n: number): boolean {
    return n >= 2 && n <= this.#g.clusterCount + 1;
  }

  /**
   * The clusters of the chain starting at `first`, at most `max` of them: more is an error (a loop
   * shows up this way too). `what` names the owner and `at` the offset of its directory entry.
   */
  async chain(first: number, max: number, what: string, at: number): Promise<number[]> {
    if (!this.valid(first)) {
      throw new DiskFormatError(
        LAYER,
        `${what} starts at cluster ${first}, outside 2…${this.#g.clusterCount + 1}`,
        at,
      );
    }
    const clusters = [first];
    let cur = first;
    for (;;) {
      const v = await this.entry(cur);
      if (this.isEnd(v)) return clusters;
      const where = this.entryOffset(cur);
      if (v === 0)
        throw new DiskFormatError(LAYER, `${what}: cluster ${cur} is marked free mid-chain`, where);
      if (v === this.#bad)
        throw new DiskFormatError(LAYER, `${what}: cluster ${cur} is marked bad mid-chain`, where);
      if (!this.valid(v)) {
        throw new DiskFormatError(LAYER, `${what}: cluster ${cur} links to ${v}, outside the volume`, where);
      }
      if (clusters.length >= max) {
        const loop = clusters.includes(v) ? `loops back to cluster ${v}` : `is longer than ${max} clusters`;
        throw new DiskFormatError(LAYER, `${what}: cluster chain ${loop}`, where);
      }
      clusters.push(v);
      cur = v;
    }
  }

  /** FAT[1]'s clean-shutdown and hard-error bits (FAT16/32; FAT12 has none). */
  async volumeFlags(): Promise<{ dirty: boolean; ioError: boolean }> {
    if (this.#g.fatType === 12) return { dirty: false, ioError: false };
    const v = await this.entry(1);
    const [clean, noErr] = this.#g.fatType === 16 ? [0x8000, 0x4000] : [0x08000000, 0x04000000];
    return { dirty: (v & clean) === 0, ioError: (v & noErr) === 0 };
  }
}
