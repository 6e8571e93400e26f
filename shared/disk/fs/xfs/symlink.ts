/**
 * Symlink targets: inline in the data fork (local format), or in remote blocks that each start with a
 * 56-byte "XSLM" header (magic, offset, bytes, crc, uuid, owner, blkno, lsn) in v5 filesystems: one
 * header per extent, the target running on across the extent's blocks, as the kernel reads them.
 * Headerless remote targets (written by mkfs.xfs -p of xfsprogs 6.1 and older) are accepted too.
 */

import { loadExtents, readMapped } from './bmap.ts';
import { be32, be64, formatError } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { FORK_FORMAT, type Inode } from './inode.ts';

export const SYMLINK_MAGIC = 0x58534c4d; // "XSLM"
const SYMLINK_HEADER = 56;
export const SYMLINK_MAXLEN = 1024;

export async function readSymlink(ctx: XfsContext, link: Inode): Promise<Uint8Array> {
  if (link.type !== 'symlink') throw new TypeError(`inode ${link.ino} is not a symlink`);
  if (link.size === 0 || link.size > SYMLINK_MAXLEN) {
    throw formatError(`symlink inode ${link.ino}: bad length ${link.size}`, link.offset + 56);
  }
  if (link.format === FORK_FORMAT.local) {
    if (link.size > link.dataFork.length) {
      throw formatError(`symlink inode ${link.ino}: inline target longer than the fork`, link.offset + 56);
    }
    return link.dataFork.slice(0, link.size);
  }
  if (link.format !== FORK_FORMAT.extents && link.format !== FORK_FORMAT.btree) {
    throw formatError(`symlink inode ${link.ino}: bad data fork format ${link.format}`, link.offset + 5);
  }
  // As the kernel writes them: one header at the start of each mapped extent, data running on across
  // the extent's blocks.
  const bs = ctx.sb.blockSize;
  const extents = await loadExtents(ctx, link);
  if (extents.length === 0) throw formatError(`symlink inode ${link.ino}: no blocks`, link.offset);
  const first = extents[0] as (typeof extents)[number];
  const head = await readMapped(ctx, [first], first.startOff * bs, 4);
  if (first.startOff === 0 && be32(head, 0) !== SYMLINK_MAGIC) {
    // mkfs.xfs -p before xfsprogs 6.x wrote v5 remote targets without headers: accept the bare bytes
    // when they read as a path (no NUL), as such images exist in the wild.
    const bare = await readMapped(ctx, extents, 0, link.size);
    if (!bare.includes(0)) return bare;
    throw formatError(`symlink inode ${link.ino}: bad remote block magic`, first.diskOffset);
  }
  const out = new Uint8Array(link.size);
  let done = 0;
  for (const e of extents) {
    if (done >= link.size) break;
    const len = Math.min(e.count, Math.ceil(SYMLINK_MAXLEN / (bs - SYMLINK_HEADER)) + 1) * bs;
    const b = await readMapped(ctx, [e], e.startOff * bs, len);
    const where = e.diskOffset;
    if (be32(b, 0) !== SYMLINK_MAGIC)
      throw formatError(`symlink inode ${link.ino}: bad remote block magic`, where);
    if (be64(b, 32) !== BigInt(link.ino))
      throw formatError(`symlink inode ${link.ino}: block owned by another inode`, where + 32);
    const offset = be32(b, 4);
    const bytes = be32(b, 8);
    if (offset !== done || bytes === 0 || bytes > len - SYMLINK_HEADER || offset + bytes > link.size) {
      throw formatError(`symlink inode ${link.ino}: remote block holds bytes ${offset}+${bytes}`, where + 4);
    }
    out.set(b.subarray(SYMLINK_HEADER, SYMLINK_HEADER + bytes), offset);
    done += bytes;
  }
  if (done !== link.size)
    throw formatError(
      `symlink inode ${link.ino}: remote blocks hold ${done} of ${link.size} bytes`,
      link.offset,
    );
  return out;
}
