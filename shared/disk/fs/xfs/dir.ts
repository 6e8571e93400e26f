/**
 * Directory walks over every format: short-form (in the inode), and block, leaf and node forms, whose
 * entries all live in the data blocks below the leaf offset (32 GiB); the hash index (leaf, da btree and
 * free index blocks above it) is not needed to list or find names.
 */

import { type Extent, loadExtents, physicalOffset, readMapped } from './bmap.ts';
import { formatError } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { walkDataBlock } from './dir-data.ts';
import type { DirVisitor } from './dir-entry.ts';
import { walkShortform } from './dir-shortform.ts';
import { FORK_FORMAT, type Inode } from './inode.ts';

export const DIR2_LEAF_OFFSET_BYTES = 32 * 2 ** 30;

/** Logical directory block numbers (in directory-block units) that hold data blocks. */
function dataBlockNumbers(ctx: XfsContext, extents: Extent[]): number[] {
  const fsbPerDirBlock = 2 ** ctx.sb.dirBlkLog;
  const leafFsb = DIR2_LEAF_OFFSET_BYTES / ctx.sb.blockSize;
  const out: number[] = [];
  for (const e of extents) {
    if (e.startOff >= leafFsb) break;
    const first = Math.floor(e.startOff / fsbPerDirBlock);
    const last = Math.floor((Math.min(e.startOff + e.count, leafFsb) - 1) / fsbPerDirBlock);
    for (let db = first; db <= last; db++) if (out[out.length - 1] !== db) out.push(db);
  }
  return out;
}

/** Calls `visit` for each entry of directory `dir` (without "." and ".." in block forms) until it returns true. */
export async function walkDirectory(ctx: XfsContext, dir: Inode, visit: DirVisitor): Promise<void> {
  if (dir.type !== 'dir') throw new TypeError(`inode ${dir.ino} is not a directory`);
  if (dir.format === FORK_FORMAT.local) {
    walkShortform(dir, ctx.sb.hasFtype, visit);
    return;
  }
  if (dir.format !== FORK_FORMAT.extents && dir.format !== FORK_FORMAT.btree) {
    throw formatError(`directory inode ${dir.ino}: bad data fork format ${dir.format}`, dir.offset + 5);
  }
  const extents = await loadExtents(ctx, dir);
  const dbs = ctx.sb.dirBlockSize;
  for (const db of dataBlockNumbers(ctx, extents)) {
    const pos = db * dbs;
    const b = await readMapped(ctx, extents, pos, dbs);
    const offsetOf = (p: number) => physicalOffset(ctx, extents, pos + p) ?? 0;
    const stop = walkDataBlock(b, dir.ino, ctx.sb.hasFtype, offsetOf, (e) => {
      if (e.name.length <= 2 && e.name.every((c) => c === 0x2e)) return undefined;
      return visit(e);
    });
    if (stop) return;
  }
}
