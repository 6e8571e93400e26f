import { readableLength } from '../block/range.ts';
import { LruCache } from '../lru.ts';
import { type ByteSource, type Container, type ContainerInfo, DiskFormatError } from '../types.ts';
import { type Opener, openBacking } from './backing.ts';
import { joinedLater, view } from './bytes.ts';
import { decompress } from './decompress.ts';
import {
  parseQcow2Extensions,
  parseQcow2Header,
  type Qcow2Header,
  Qcow2Incompatible,
} from './qcow2-header.ts';
import type { OpenContainerOptions } from './types.ts';

const LAYER = 'qcow2';
const HEADER_READ = 64 * 1024;

type Mapping =
  | { kind: 'data'; host: number }
  | { kind: 'zero' }
  | { kind: 'unallocated' }
  | { kind: 'compressed'; host: number; length: number; entryAt: number };

/** A run of the output filled by one read of the image file or the backing image. */
interface Run {
  from: 'file' | 'backing';
  at: number;
  out: number;
  length: number;
}

/** Opens a qcow2 image (v2 or v3). Backing files are opened through `options.resolveBacking`. */
export async function openQcow2(
  source: ByteSource,
  options: OpenContainerOptions,
  open: Opener,
): Promise<Container> {
  const head = await source.read(0, Math.min(source.size, HEADER_READ));
  const header = parseQcow2Header(head, source.size);
  const extensions = parseQcow2Extensions(head, header);
  const l1 = await readL1(source, header);
  let backing: Container | undefined;
  let backingFile: string | undefined;
  if (header.backingFileOffset !== 0) {
    const nameBytes = head.subarray(
      header.backingFileOffset,
      header.backingFileOffset + header.backingFileSize,
    );
    backingFile = new TextDecoder().decode(nameBytes);
    const format = backingFormat(extensions.backingFormat, header.backingFileOffset);
    backing = await openBacking(open, LAYER, backingFile, format, options, header.backingFileOffset);
  }
  const details: ContainerInfo['details'] = {
    version: header.version,
    clusterSize: header.clusterSize,
    compression: header.compression,
    snapshots: header.snapshots,
    dirty: (header.incompatible & Qcow2Incompatible.dirty) !== 0,
    corrupt: (header.incompatible & Qcow2Incompatible.corrupt) !== 0,
  };
  if (backingFile !== undefined) details.backingFile = backingFile;
  if (extensions.backingFormat !== undefined) details.backingFormat = extensions.backingFormat;
  return new Qcow2Container(source, header, l1, backing, details, options.tableCacheBytes ?? 8 * 1024 * 1024);
}

function backingFormat(name: string | undefined, at: number): OpenContainerOptions['format'] {
  if (name === undefined) return undefined;
  if (name === 'raw' || name === 'qcow2' || name === 'vmdk') return name;
  throw new DiskFormatError(LAYER, `backing file format "${name}" is not supported`, at);
}

/** The L1 table as L2 table offsets (0: no L2 table). */
async function readL1(source: ByteSource, h: Qcow2Header): Promise<number[]> {
  const bytes = await source.read(h.l1TableOffset, h.l1Size * 8);
  if (bytes.length !== h.l1Size * 8)
    throw new DiskFormatError(LAYER, 'L1 table is truncated', h.l1TableOffset);
  const dv = view(bytes);
  const l1: number[] = [];
  for (let i = 0; i < h.l1Size; i++) {
    const at = h.l1TableOffset + i * 8;
    const offset =
      (dv.getUint32(i * 8) & 0x00ffffff) * 2 ** 32 + ((dv.getUint32(i * 8 + 4) & 0xfffffe00) >>> 0);
    if (offset !== 0) {
      if (offset % h.clusterSize !== 0) {
        throw new DiskFormatError(LAYER, `L1 entry ${i} points at unaligned L2 table ${offset}`, at);
      }
      if (offset + h.clusterSize > source.size) {
        throw new DiskFormatError(
          LAYER,
          `L1 entry ${i} points at L2 table ${offset} past the end of the file`,
          at,
        );
      }
    }
    l1.push(offset);
  }
  return l1;
}

class Qcow2Container implements Container {
  readonly size: number;
  readonly info: ContainerInfo;
  readonly #source: ByteSource;
  readonly #h: Qcow2Header;
  readonly #l1: number[];
  readonly #backing: Container | undefined;
  readonly #l2Cache: LruCache<number, Promise<DataView>>;
  readonly #clusterCache: LruCache<number, Promise<Uint8Array>>;
  readonly #l2Bits: number;
  readonly #csizeShift: number;

  constructor(
    source: ByteSource,
    header: Qcow2Header,
    l1: number[],
    backing: Container | undefined,
    details: ContainerInfo['details'],
    tableCacheBytes: number,
  ) {
    this.#source = source;
    this.#h = header;
    this.#l1 = l1;
    this.#backing = backing;
    this.size = header.size;
    this.info = { format: 'qcow2', virtualSize: header.size, details };
    this.#l2Cache = new LruCache(Math.max(tableCacheBytes, header.clusterSize));
    this.#clusterCache = new LruCache(Math.max(4 * 1024 * 1024, 2 * header.clusterSize));
    this.#l2Bits = header.clusterBits - 3;
    this.#csizeShift = 62 - (header.clusterBits - 8);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = readableLength(offset, length, this.size);
    const out = new Uint8Array(n);
    const cs = this.#h.clusterSize;
    const runs: Run[] = [];
    const compressed: Promise<void>[] = [];
    let pos = 0;
    while (pos < n) {
      const virt = offset + pos;
      const inCluster = virt % cs;
      const take = Math.min(cs - inCluster, n - pos);
      const m = await this.#map(Math.floor(virt / cs));
      if (m.kind === 'data') addRun(runs, 'file', m.host + inCluster, pos, take);
      else if (m.kind === 'unallocated' && this.#backing) addRun(runs, 'backing', virt, pos, take);
      else if (m.kind === 'compressed') {
        const at = pos;
        compressed.push(
          joinedLater(
            this.#decompressed(m).then((c) => out.set(c.subarray(inCluster, inCluster + take), at)),
          ),
        );
      }
      pos += take;
    }
    await Promise.all([...runs.map((r) => this.#fill(out, r)), ...compressed]);
    return out;
  }

  async close(): Promise<void> {
    this.#l2Cache.clear();
    this.#clusterCache.clear();
    await Promise.all([this.#source.close(), this.#backing?.close()]);
  }

  async #fill(out: Uint8Array, run: Run): Promise<void> {
    const from = run.from === 'file' ? this.#source : this.#backing!;
    const bytes = await from.read(run.at, run.length);
    out.set(bytes, run.out);
  }

  /** Where virtual cluster `cluster` lives. */
  async #map(cluster: number): Promise<Mapping> {
    const l1Index = Math.floor(cluster / 2 ** this.#l2Bits);
    const l2Offset = this.#l1[l1Index];
    if (l2Offset === undefined) throw new DiskFormatError(LAYER, `cluster ${cluster} is beyond the L1 table`);
    if (l2Offset === 0) return { kind: 'unallocated' };
    const l2 = await this.#table(l2Offset);
    const index = cluster % 2 ** this.#l2Bits;
    const entryAt = l2Offset + index * 8;
    const hi = l2.getUint32(index * 8);
    const lo = l2.getUint32(index * 8 + 4);
    if (hi & 0x40000000) return this.#compressedMapping(hi, lo, entryAt);
    if (this.#h.version === 3 && lo & 1) return { kind: 'zero' };
    const host = (hi & 0x00ffffff) * 2 ** 32 + ((lo & 0xfffffe00) >>> 0);
    if (host === 0) return { kind: 'unallocated' };
    if (host % this.#h.clusterSize !== 0) {
      throw new DiskFormatError(LAYER, `L2 entry points at unaligned cluster ${host}`, entryAt);
    }
    if (host >= this.#source.size) {
      throw new DiskFormatError(LAYER, `L2 entry points at ${host}, past the end of the file`, entryAt);
    }
    return { kind: 'data', host };
  }

  #compressedMapping(hi: number, lo: number, entryAt: number): Mapping {
    const entry = ((BigInt(hi) & 0x3fffffffn) << 32n) | BigInt(lo);
    const shift = BigInt(this.#csizeShift);
    const host = Number(entry & ((1n << shift) - 1n));
    const sectors = Number(entry >> shift) + 1;
    if (host >= this.#source.size) {
      throw new DiskFormatError(
        LAYER,
        `compressed cluster at ${host} lies past the end of the file`,
        entryAt,
      );
    }
    const length = Math.min(sectors * 512 - (host % 512), this.#source.size - host);
    return { kind: 'compressed', host, length, entryAt };
  }

  #table(offset: number): Promise<DataView> {
    let table = this.#l2Cache.get(offset);
    if (!table) {
      const cs = this.#h.clusterSize;
      table = this.#source.read(offset, cs).then((bytes) => {
        if (bytes.length !== cs) throw new DiskFormatError(LAYER, 'L2 table is truncated', offset);
        return view(bytes);
      });
      this.#l2Cache.set(offset, table, cs);
      table.catch(() => this.#l2Cache.delete(offset));
    }
    return table;
  }

  #decompressed(m: Extract<Mapping, { kind: 'compressed' }>): Promise<Uint8Array> {
    let cluster = this.#clusterCache.get(m.host);
    if (!cluster) {
      const cs = this.#h.clusterSize;
      cluster = this.#source.read(m.host, m.length).then((input) => {
        let bytes: Uint8Array;
        try {
          bytes = decompress(this.#h.compression, input, cs);
        } catch (error) {
          throw new DiskFormatError(
            LAYER,
            `corrupt compressed cluster: ${(error as Error).message}`,
            m.host,
            {
              cause: error,
            },
          );
        }
        if (bytes.length !== cs) {
          throw new DiskFormatError(
            LAYER,
            `compressed cluster inflates to ${bytes.length} bytes, not ${cs}`,
            m.host,
          );
        }
        return bytes;
      });
      this.#clusterCache.set(m.host, cluster, cs);
      cluster.catch(() => this.#clusterCache.delete(m.host));
    }
    return cluster;
  }
}

function addRun(runs: Run[], from: Run['from'], at: number, out: number, length: number): void {
  const last = runs.at(-1);
  if (last && last.from === from && last.at + last.length === at && last.out + last.length === out) {
    last.length += length;
  } else {
    runs.push({ from, at, out, length });
  }
}
