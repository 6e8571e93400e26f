/**
 * Short-form directories, held in the inode's data fork: a header (count, i8count, parent inode) and
 * packed entries (namelen, 2-byte offset tag, name, ftype if the filesystem records it, inode number of
 * 4 bytes, or 8 when i8count is non-zero).
 */
import { be32, be64n, formatError } from './bytes.ts';
import type { DirVisitor } from './dir-entry.ts';
import { nodeTypeOfFtype } from './dir-entry.ts';
import type { Inode } from './inode.ts';

export function walkShortform(inode: Inode, hasFtype: boolean, visit: DirVisitor): void {
  const fork = inode.dataFork;
  const base = inode.dataForkOffset;
  const end = Math.min(inode.size, fork.length);
  if (end < 6) throw formatError(`directory inode ${inode.ino}: short-form header truncated`, base);
  const count = fork[0] as number;
  const i8 = (fork[1] as number) !== 0;
  const inoSize = i8 ? 8 : 4;
  let p = 2 + inoSize;
  for (let i = 0; i < count; i++) {
    const at = base + p;
    if (p + 3 > end)
      throw formatError(`directory inode ${inode.ino}: short-form entry ${i} runs past the fork`, at);
    const namelen = fork[p] as number;
    const entSize = 3 + namelen + (hasFtype ? 1 : 0) + inoSize;
    if (namelen === 0 || p + entSize > end) {
      throw formatError(`directory inode ${inode.ino}: short-form entry ${i} runs past the fork`, at);
    }
    const name = fork.subarray(p + 3, p + 3 + namelen);
    let q = p + 3 + namelen;
    const type = hasFtype ? nodeTypeOfFtype(fork[q++] as number) : undefined;
    const ino = i8 ? be64n(fork, q, 'inode number', base + q) : be32(fork, q);
    if (visit({ name, ino, type, offset: at })) return;
    p += entSize;
  }
}
