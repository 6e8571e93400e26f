/**
 * Block maps: the 128-bit packed extent records of a data fork (extents format), the bmap btree
 * (btree format: a root in the inode, BMA3 blocks below it), and reads of a fork's logical bytes
 * through the resulting extent list (holes and unwritten extents read as zeros).
 */
import { be16, be32, be64, formatError, readExact } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { FORK_FORMAT, type Inode } from './inode.ts';
import { fsbToOffset } from './superblock.ts';

export const BMAP_CRC_MAGIC = 0x424d4133; // "BMA3"
const LBLOCK_CRC_HEADER = 72;
const MAX_BTREE_DEPTH = 10;
/** Extents kept in memory for one fork; beyond this the inode is treated as damaged. */
const MAX_EXTENTS = 4_000_000;
/** Largest single read sent to the volume. */
export const READ_CHUNK = 4 * 1024 * 1024;

export interface Extent {
  /** Logical offset in filesystem blocks. */
  startOff: number;
  /** Filesystem block number (agno << agblklog | agbno). */
  startBlock: number;
  count: number;
  unwritten: boolean;
  /** Byte offset of the first mapped block on the volume. */
  diskOffset: number;
}

const MASK9 = 0x1ffn;
const MASK21 = 0x1fffffn;

/** Decodes one packed extent record: flag:1 | startoff:54 | startblock:52 | blockcount:21. */
export function decodeExtent(b: Uint8Array, off: number): Omit<Extent, 'diskOffset'> {
  const l0 = be64(b, off);
  const l1 = be64(b, off + 8);
  return {
    unwritten: l0 >> 63n === 1n,
    startOff: Number((l0 & ((1n << 63n) - 1n)) >> 9n),
    startBlock: Number(((l0 & MASK9) << 43n) | (l1 >> 21n)),
    count: Number(l1 & MASK21),
  };
}

function checkedExtent(ctx: XfsContext, b: Uint8Array, off: number, at: number): Extent {
  const e = decodeExtent(b, off);
  if (e.count === 0) throw formatError('extent with no blocks', at);
  if ((e.startOff + e.count) * ctx.sb.blockSize > Number.MAX_SAFE_INTEGER) {
    throw formatError(`extent at logical block ${e.startOff} lies beyond 2^53 bytes`, at);
  }
  return { ...e, diskOffset: fsbToOffset(ctx.sb, e.startBlock, e.count, at) };
}

function readRecords(
  ctx: XfsContext,
  b: Uint8Array,
  off: number,
  n: number,
  at: number,
  out: Extent[],
): void {
  if (out.length + n > MAX_EXTENTS) throw formatError(`more than ${MAX_EXTENTS} extents`, at);
  for (let i = 0; i < n; i++) out.push(checkedExtent(ctx, b, off + i * 16, at + i * 16));
}

interface WalkState {
  ino: number;
  visited: Set<number>;
  out: Extent[];
}

async function walkBlock(
  ctx: XfsContext,
  fsb: number,
  level: number,
  ptrAt: number,
  st: WalkState,
): Promise<void> {
  const { sb } = ctx;
  const offset = fsbToOffset(sb, fsb, 1, ptrAt);
  if (st.visited.has(fsb))
    throw formatError(`bmap btree of inode ${st.ino} loops through block ${fsb}`, ptrAt);
  st.visited.add(fsb);
  const b = await readExact(ctx.source, offset, sb.blockSize, `bmap btree block ${fsb}`);
  if (be32(b, 0) !== BMAP_CRC_MAGIC) throw formatError(`bmap btree block ${fsb}: bad magic`, offset);
  if (be16(b, 4) !== level)
    throw formatError(`bmap btree block ${fsb}: level ${be16(b, 4)}, expected ${level}`, offset + 4);
  if (be64(b, 24) !== BigInt(offset / 512))
    throw formatError(`bmap btree block ${fsb}: wrong self address`, offset + 24);
  if (be64(b, 56) !== BigInt(st.ino))
    throw formatError(`bmap btree block ${fsb}: owned by inode ${be64(b, 56)}`, offset + 56);
  const numrecs = be16(b, 6);
  const maxrecs = Math.floor((sb.blockSize - LBLOCK_CRC_HEADER) / 16);
  if (numrecs === 0 || numrecs > maxrecs)
    throw formatError(`bmap btree block ${fsb}: ${numrecs} records`, offset + 6);
  if (level === 0) {
    readRecords(ctx, b, LBLOCK_CRC_HEADER, numrecs, offset + LBLOCK_CRC_HEADER, st.out);
    return;
  }
  const ptrs = LBLOCK_CRC_HEADER + maxrecs * 8;
  for (let i = 0; i < numrecs; i++) {
    const at = offset + ptrs + i * 8;
    await walkBlock(ctx, Number(be64(b, ptrs + i * 8)), level - 1, at, st);
  }
}

/** The extents of an inode's data fork, sorted by logical offset and checked not to overlap. */
export async function loadExtents(ctx: XfsContext, inode: Inode): Promise<Extent[]> {
  const fork = inode.dataFork;
  const at = inode.dataForkOffset;
  const out: Extent[] = [];
  if (inode.format === FORK_FORMAT.extents) {
    if (inode.nextents * 16 > fork.length) {
      throw formatError(
        `inode ${inode.ino}: ${inode.nextents} extents do not fit the data fork`,
        inode.offset + 76,
      );
    }
    readRecords(ctx, fork, 0, inode.nextents, at, out);
  } else if (inode.format === FORK_FORMAT.btree) {
    const level = be16(fork, 0);
    const numrecs = be16(fork, 2);
    const maxrecs = Math.floor((fork.length - 4) / 16);
    if (level === 0 || level > MAX_BTREE_DEPTH)
      throw formatError(`inode ${inode.ino}: bmap btree depth ${level}`, at);
    if (numrecs === 0 || numrecs > maxrecs)
      throw formatError(`inode ${inode.ino}: bmap root has ${numrecs} records`, at + 2);
    const st: WalkState = { ino: inode.ino, visited: new Set(), out };
    const ptrs = 4 + maxrecs * 8;
    for (let i = 0; i < numrecs; i++) {
      await walkBlock(ctx, Number(be64(fork, ptrs + i * 8)), level - 1, at + ptrs + i * 8, st);
    }
    if (out.length > inode.nextents) {
      throw formatError(
        `inode ${inode.ino}: bmap btree holds ${out.length} extents, inode says ${inode.nextents}`,
        inode.offset + 76,
      );
    }
  } else {
    throw formatError(
      `inode ${inode.ino}: data fork format ${inode.format} has no block map`,
      inode.offset + 5,
    );
  }
  out.sort((a, b) => a.startOff - b.startOff);
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1] as Extent;
    const cur = out[i] as Extent;
    if (prev.startOff + prev.count > cur.startOff) {
      throw formatError(
        `inode ${inode.ino}: extents overlap at logical block ${cur.startOff}`,
        cur.diskOffset,
      );
    }
  }
  return out;
}

/** Index of the first extent that ends after logical block `blk`. */
function firstExtentEndingAfter(extents: Extent[], blk: number): number {
  let lo = 0;
  let hi = extents.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = extents[mid] as Extent;
    if (e.startOff + e.count <= blk) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Volume offset holding logical byte `pos` of a fork, or undefined in a hole. */
export function physicalOffset(ctx: XfsContext, extents: Extent[], pos: number): number | undefined {
  const bs = ctx.sb.blockSize;
  const blk = Math.floor(pos / bs);
  const e = extents[firstExtentEndingAfter(extents, blk)];
  if (!e || e.startOff > blk) return undefined;
  return e.diskOffset + (blk - e.startOff) * bs + (pos % bs);
}

/** `length` logical bytes of a fork from `pos`; holes and unwritten extents read as zeros. */
export async function readMapped(
  ctx: XfsContext,
  extents: Extent[],
  pos: number,
  length: number,
): Promise<Uint8Array> {
  const bs = ctx.sb.blockSize;
  const out = new Uint8Array(length);
  const end = pos + length;
  for (let i = firstExtentEndingAfter(extents, Math.floor(pos / bs)); i < extents.length; i++) {
    const e = extents[i] as Extent;
    const eStart = e.startOff * bs;
    if (eStart >= end) break;
    if (e.unwritten) continue;
    const from = Math.max(pos, eStart);
    const to = Math.min(end, eStart + e.count * bs);
    for (let p = from; p < to; p += READ_CHUNK) {
      const n = Math.min(READ_CHUNK, to - p);
      const chunk = await readExact(ctx.source, e.diskOffset + (p - eStart), n, 'file data');
      out.set(chunk, p - pos);
    }
  }
  return out;
}
