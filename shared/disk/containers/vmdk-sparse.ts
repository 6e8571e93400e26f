import { readableLength } from '../block/range.ts';
import { LruCache } from '../lru.ts';
import { type ByteSource, DiskFormatError } from '../types.ts';
import { joinedLater, u64le, view } from './bytes.ts';
import { decompress } from './decompress.ts';

const LAYER = 'vmdk';
export const VMDK_MAGIC = 0x564d444b; // "KDMV" read little-endian
const SECTOR = 512;
const GD_AT_END = 0xffffffffffffffffn;
const MAX_DESCRIPTOR = 1024 * 1024;

export const VmdkFlags = {
  validNewlineTest: 1 << 0,
  redundantGrainTable: 1 << 1,
  zeroedGrainGte: 1 << 2,
  compressedGrains: 1 << 16,
  markers: 1 << 17,
} as const;

export interface SparseHeader {
  version: number;
  flags: number;
  /** Virtual size in bytes. */
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  gtesPerGt: number;
  /** Byte offset of the grain directory. */
  gdOffset: number;
  compressed: boolean;
  markers: boolean;
  /** The grain directory was taken from the footer (streamOptimized). */
  footer: boolean;
}

function fail(message: string, offset: number): never {
  throw new DiskFormatError(LAYER, message, offset);
}

/** Parses a hosted sparse extent header (and its footer copy when the grain directory is at the end). */
export async function readSparseHeader(source: ByteSource): Promise<SparseHeader> {
  const bytes = await source.read(0, SECTOR);
  const header = parseSparseHeader(bytes, 0, source.size);
  if (header !== 'gd-at-end') return header;
  const at = source.size - 2 * SECTOR;
  if (at < SECTOR) fail('grain directory is at the end but the file has no footer', 56);
  const footer = parseSparseHeader(await source.read(at, SECTOR), at, source.size);
  if (footer === 'gd-at-end') fail('footer has no grain directory offset', at + 56);
  return { ...footer, footer: true };
}

/** One sparse header at byte `base` of the file; `'gd-at-end'` when its GD offset says "see the footer". */
export function parseSparseHeader(
  bytes: Uint8Array,
  base: number,
  fileSize: number,
): SparseHeader | 'gd-at-end' {
  if (bytes.length < SECTOR) fail(`sparse header is truncated (${bytes.length} bytes)`, base);
  const dv = view(bytes);
  if (dv.getUint32(0, true) !== VMDK_MAGIC) fail('bad magic (expected KDMV)', base);
  const version = dv.getUint32(4, true);
  if (version < 1 || version > 3) fail(`unsupported sparse extent version ${version}`, base + 4);
  const flags = dv.getUint32(8, true);
  if (flags & VmdkFlags.validNewlineTest) {
    if (bytes[73] !== 0x0a || bytes[74] !== 0x20 || bytes[75] !== 0x0d || bytes[76] !== 0x0a) {
      fail('newline check failed: the file was corrupted by a text-mode transfer', base + 73);
    }
  }
  const sectors = u64le(dv, 12);
  if (sectors === undefined || !Number.isSafeInteger(sectors * SECTOR))
    fail('capacity is too large', base + 12);
  const grainSize = u64le(dv, 20);
  if (grainSize === undefined || grainSize < 1 || grainSize > 32768 || grainSize & (grainSize - 1)) {
    fail(`grain size ${grainSize} sectors is not a power of two in 1..32768`, base + 20);
  }
  const gtesPerGt = dv.getUint32(44, true);
  if (gtesPerGt < 1 || gtesPerGt > 4096) fail(`${gtesPerGt} entries per grain table is absurd`, base + 44);
  const compressAlgorithm = dv.getUint16(77, true);
  const compressed = (flags & VmdkFlags.compressedGrains) !== 0;
  if (compressed && compressAlgorithm !== 1)
    fail(`unknown compression algorithm ${compressAlgorithm}`, base + 77);
  if (dv.getBigUint64(56, true) === GD_AT_END) {
    if (base !== 0) fail('footer says the grain directory is at the end too', base + 56);
    return 'gd-at-end';
  }
  const gdSector = u64le(dv, 56);
  const descriptorOffset = u64le(dv, 28) ?? Number.MAX_SAFE_INTEGER;
  const descriptorSize = u64le(dv, 36) ?? Number.MAX_SAFE_INTEGER;
  const capacity = sectors * SECTOR;
  const grains = Math.ceil(sectors / grainSize);
  const tables = Math.ceil(grains / gtesPerGt);
  if (gdSector === undefined || gdSector * SECTOR + tables * 4 > fileSize || (gdSector === 0 && tables > 0)) {
    fail(`grain directory (${tables} entries at sector ${gdSector}) does not fit in the file`, base + 56);
  }
  return {
    version,
    flags,
    capacity,
    grainSize,
    descriptorOffset,
    descriptorSize,
    gtesPerGt,
    gdOffset: gdSector * SECTOR,
    compressed,
    markers: (flags & VmdkFlags.markers) !== 0,
    footer: false,
  };
}

/** The descriptor text embedded in a sparse extent, or undefined when it has none. */
export async function readEmbeddedDescriptor(
  source: ByteSource,
  h: SparseHeader,
): Promise<string | undefined> {
  if (h.descriptorOffset === 0 || h.descriptorSize === 0) return undefined;
  const at = h.descriptorOffset * SECTOR;
  const length = h.descriptorSize * SECTOR;
  if (length > MAX_DESCRIPTOR || at + length > source.size)
    fail('embedded descriptor does not fit in the file', 28);
  const bytes = await source.read(at, length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * The virtual disk of one hosted sparse extent (monolithicSparse, streamOptimized, or a SPARSE extent
 * of a descriptor). Unallocated grains read from `parent` (a delta disk's parent) or as zeros.
 */
export class SparseExtent implements ByteSource {
  readonly size: number;
  readonly header: SparseHeader;
  readonly #source: ByteSource;
  readonly #parent: ByteSource | undefined;
  readonly #gd: number[];
  readonly #grainBytes: number;
  readonly #tables: LruCache<number, Promise<DataView>>;
  readonly #grains: LruCache<number, Promise<Uint8Array>>;

  private constructor(
    source: ByteSource,
    header: SparseHeader,
    gd: number[],
    parent: ByteSource | undefined,
    cacheBytes: number,
  ) {
    this.#source = source;
    this.header = header;
    this.size = header.capacity;
    this.#gd = gd;
    this.#parent = parent;
    this.#grainBytes = header.grainSize * SECTOR;
    this.#tables = new LruCache(Math.max(cacheBytes, header.gtesPerGt * 4));
    this.#grains = new LruCache(Math.max(4 * 1024 * 1024, 2 * this.#grainBytes));
  }

  static async open(
    source: ByteSource,
    header: SparseHeader,
    parent: ByteSource | undefined,
    cacheBytes = 8 * 1024 * 1024,
  ): Promise<SparseExtent> {
    const tables = Math.ceil(Math.ceil(header.capacity / SECTOR / header.grainSize) / header.gtesPerGt);
    const bytes = await source.read(header.gdOffset, tables * 4);
    if (bytes.length !== tables * 4) fail('grain directory is truncated', header.gdOffset);
    const dv = view(bytes);
    const gtBytes = header.gtesPerGt * 4;
    const gd: number[] = [];
    for (let i = 0; i < tables; i++) {
      const sector = dv.getUint32(i * 4, true);
      if (sector !== 0 && sector * SECTOR + gtBytes > source.size) {
        fail(
          `grain directory entry ${i} points at grain table sector ${sector}, past the end of the file`,
          header.gdOffset + i * 4,
        );
      }
      gd.push(sector * SECTOR);
    }
    return new SparseExtent(source, header, gd, parent, cacheBytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = readableLength(offset, length, this.size);
    const out = new Uint8Array(n);
    const gb = this.#grainBytes;
    const parts: Promise<void>[] = [];
    let pos = 0;
    while (pos < n) {
      const virt = offset + pos;
      const inGrain = virt % gb;
      const take = Math.min(gb - inGrain, n - pos);
      const at = pos;
      const grain = Math.floor(virt / gb);
      const where = await this.#lookup(grain);
      let part: Promise<void> | undefined;
      if (where === 'unallocated') {
        if (this.#parent) part = this.#parent.read(virt, take).then((b) => out.set(b, at));
      } else if (where !== 'zero') {
        if (this.header.compressed) {
          part = this.#inflated(grain, where).then((g) => out.set(g.subarray(inGrain, inGrain + take), at));
        } else {
          part = this.#source.read(where + inGrain, take).then((b) => out.set(b, at));
        }
      }
      if (part) parts.push(joinedLater(part));
      pos += take;
    }
    await Promise.all(parts);
    return out;
  }

  async close(): Promise<void> {
    this.#tables.clear();
    this.#grains.clear();
    await this.#source.close();
  }

  /** Byte offset of a grain in the file (of its marker when compressed), or what stands for it. */
  async #lookup(grain: number): Promise<number | 'zero' | 'unallocated'> {
    const table = Math.floor(grain / this.header.gtesPerGt);
    const gtOffset = this.#gd[table];
    if (gtOffset === undefined) fail(`grain ${grain} is beyond the grain directory`, this.header.gdOffset);
    if (gtOffset === 0) return 'unallocated';
    const gt = await this.#table(gtOffset);
    const index = grain % this.header.gtesPerGt;
    const sector = gt.getUint32(index * 4, true);
    if (sector === 0) return 'unallocated';
    if (sector === 1 && this.header.flags & VmdkFlags.zeroedGrainGte) return 'zero';
    const at = sector * SECTOR;
    if (at >= this.#source.size || (!this.header.compressed && at + this.#grainBytes > this.#source.size)) {
      fail(`grain table entry points at sector ${sector}, past the end of the file`, gtOffset + index * 4);
    }
    return at;
  }

  #table(offset: number): Promise<DataView> {
    let table = this.#tables.get(offset);
    if (!table) {
      const length = this.header.gtesPerGt * 4;
      table = this.#source.read(offset, length).then((b) => {
        if (b.length !== length) fail('grain table is truncated', offset);
        return view(b);
      });
      this.#tables.set(offset, table, length);
      table.catch(() => this.#tables.delete(offset));
    }
    return table;
  }

  #inflated(grain: number, at: number): Promise<Uint8Array> {
    let bytes = this.#grains.get(at);
    if (!bytes) {
      bytes = this.#readCompressed(grain, at);
      this.#grains.set(at, bytes, this.#grainBytes);
      bytes.catch(() => this.#grains.delete(at));
    }
    return bytes;
  }

  async #readCompressed(grain: number, at: number): Promise<Uint8Array> {
    const gb = this.#grainBytes;
    let dataAt = at;
    let length = Math.min(2 * gb, this.#source.size - at);
    if (this.header.markers) {
      const marker = view(await this.#source.read(at, 12));
      if (marker.byteLength !== 12) fail('grain marker is truncated', at);
      const lba = u64le(marker, 0);
      length = marker.getUint32(8, true);
      if (lba !== grain * this.header.grainSize)
        fail(`grain marker says LBA ${lba}, expected ${grain * this.header.grainSize}`, at);
      if (length === 0 || length > 2 * gb + 1024 || at + 12 + length > this.#source.size) {
        fail(`grain marker gives an absurd compressed size ${length}`, at + 8);
      }
      dataAt = at + 12;
    }
    const input = await this.#source.read(dataAt, length);
    let out: Uint8Array;
    try {
      out = decompress('zlib', input, gb);
    } catch (error) {
      throw new DiskFormatError(LAYER, `corrupt compressed grain: ${(error as Error).message}`, dataAt, {
        cause: error,
      });
    }
    const needed = Math.min(gb, this.size - grain * gb);
    if (out.length < needed)
      fail(`compressed grain inflates to ${out.length} bytes, expected ${needed}`, dataAt);
    if (out.length === gb) return out;
    const whole = new Uint8Array(gb);
    whole.set(out);
    return whole;
  }
}
