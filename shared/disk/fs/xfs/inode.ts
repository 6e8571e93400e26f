/**
 * On-disk v3 inodes (xfs_dinode, 176-byte core followed by the literal area holding the data fork and,
 * from di_forkoff * 8, the attribute fork). The inode CRC is not verified; magic, version and the
 * self-describing inode number are.
 */
import type { NodeType } from '../../types.ts';
import { be16, be32, be64, be64n, dataView, formatError, readExact } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { inoToOffset } from './superblock.ts';

export const DINODE_MAGIC = 0x494e; // "IN"
export const V3_CORE_SIZE = 176;

export const FORK_FORMAT = { dev: 0, local: 1, extents: 2, btree: 3 } as const;
export type ForkFormat = (typeof FORK_FORMAT)[keyof typeof FORK_FORMAT];

const DIFLAG_REALTIME = 0x1;
const DIFLAG2_BIGTIME = 0x8n;
const DIFLAG2_NREXT64 = 0x10n;
/** Bigtime timestamps count nanoseconds from the old signed 32-bit epoch, 1901-12-13. */
const BIGTIME_EPOCH_OFFSET = 2n ** 31n;

export interface Inode {
  ino: number;
  /** Byte offset of the inode in the volume. */
  offset: number;
  type: NodeType;
  mode: number;
  format: ForkFormat;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  nblocks: number;
  nextents: number;
  realtime: boolean;
  atime: number;
  mtime: number;
  ctime: number;
  /** The data fork's bytes in the literal area, and where they lie on the volume. */
  dataFork: Uint8Array;
  dataForkOffset: number;
}

// S_IFMT values (kept as a Map: some formatters rewrite octal object keys).
const TYPES = new Map<number, NodeType>([
  [0x8000, 'file'],
  [0x4000, 'dir'],
  [0xa000, 'symlink'],
  [0x2000, 'chardev'],
  [0x6000, 'blockdev'],
  [0x1000, 'fifo'],
  [0xc000, 'socket'],
]);

export function nodeTypeOfMode(mode: number): NodeType | undefined {
  return TYPES.get(mode & 0xf000);
}

function timestamp(b: Uint8Array, off: number, bigtime: boolean): number {
  if (bigtime) {
    const ns = be64(b, off);
    const sec = ns / 1_000_000_000n - BIGTIME_EPOCH_OFFSET;
    return Number(sec) + Number(ns % 1_000_000_000n) / 1e9;
  }
  return dataView(b).getInt32(off) + be32(b, off + 4) / 1e9;
}

/** Parses the inode bytes `b` read from `offset` for inode number `ino`. */
export function parseInode(ctx: XfsContext, ino: number, offset: number, b: Uint8Array): Inode {
  const { sb } = ctx;
  if (be16(b, 0) !== DINODE_MAGIC) throw formatError(`inode ${ino}: bad magic`, offset);
  if (b[4] !== 3) throw formatError(`inode ${ino}: version ${b[4]} in a v5 filesystem`, offset + 4);
  if (be64(b, 152) !== BigInt(ino)) {
    throw formatError(`inode ${ino}: the inode records number ${be64(b, 152)}`, offset + 152);
  }
  const mode = be16(b, 2);
  const type = nodeTypeOfMode(mode);
  if (mode === 0 || type === undefined)
    throw formatError(`inode ${ino}: free or bad mode 0o${mode.toString(8)}`, offset + 2);
  const format = b[5] as number;
  if (format > FORK_FORMAT.btree)
    throw formatError(`inode ${ino}: unknown data fork format ${format}`, offset + 5);
  const flags2 = be64(b, 120);
  const bigtime = (flags2 & DIFLAG2_BIGTIME) !== 0n;
  const nrext64 = (flags2 & DIFLAG2_NREXT64) !== 0n;
  const nextents = nrext64 ? be64n(b, 24, 'extent count', offset + 24) : be32(b, 76);
  const size = dataView(b).getBigInt64(56);
  if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER))
    throw formatError(`inode ${ino}: bad size ${size}`, offset + 56);
  const forkoff = b[82] as number;
  const literal = sb.inodeSize - V3_CORE_SIZE;
  const dataForkSize = forkoff ? forkoff * 8 : literal;
  if (dataForkSize > literal)
    throw formatError(`inode ${ino}: attribute fork offset ${forkoff} too large`, offset + 82);
  return {
    ino,
    offset,
    type,
    mode,
    format: format as ForkFormat,
    uid: be32(b, 8),
    gid: be32(b, 12),
    nlink: be32(b, 16),
    size: Number(size),
    nblocks: be64n(b, 64, 'block count', offset + 64),
    nextents,
    realtime: (be16(b, 90) & DIFLAG_REALTIME) !== 0,
    atime: timestamp(b, 32, bigtime),
    mtime: timestamp(b, 40, bigtime),
    ctime: timestamp(b, 48, bigtime),
    dataFork: b.subarray(V3_CORE_SIZE, V3_CORE_SIZE + dataForkSize),
    dataForkOffset: offset + V3_CORE_SIZE,
  };
}

export async function readInode(ctx: XfsContext, ino: number, at?: number): Promise<Inode> {
  const offset = inoToOffset(ctx.sb, ino, at);
  const b = await readExact(ctx.source, offset, ctx.sb.inodeSize, `inode ${ino}`);
  return parseInode(ctx, ino, offset, b);
}
