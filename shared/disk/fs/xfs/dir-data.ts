/**
 * Directory data blocks of v5 directories: the single block of a block-form directory ("XDB3", with a
 * leaf array and tail at its end) and the data blocks of leaf- and node-form directories ("XDD3").
 * Entries are 8-byte aligned: inode (8), namelen (1), name, ftype (1, when recorded), tag (2); unused
 * space starts with the 0xffff free tag and its length.
 */
import { be16, be32, be64n, formatError } from './bytes.ts';
import type { DirVisitor } from './dir-entry.ts';
import { nodeTypeOfFtype } from './dir-entry.ts';

export const DIR3_BLOCK_MAGIC = 0x58444233; // "XDB3"
export const DIR3_DATA_MAGIC = 0x58444433; // "XDD3"
const DATA_HEADER = 64;
const OWNER_AT = 40;

/**
 * Walks the entries of one directory block `b` (of directory inode `ino`); `offsetOf` maps a byte
 * position in the block to its volume offset. Returns true when the visitor asked to stop.
 */
export function walkDataBlock(
  b: Uint8Array,
  ino: number,
  hasFtype: boolean,
  offsetOf: (pos: number) => number,
  visit: DirVisitor,
): boolean {
  const magic = be32(b, 0);
  if (magic !== DIR3_BLOCK_MAGIC && magic !== DIR3_DATA_MAGIC) {
    throw formatError(`directory inode ${ino}: bad data block magic 0x${magic.toString(16)}`, offsetOf(0));
  }
  if (be64n(b, OWNER_AT, 'owner', offsetOf(OWNER_AT)) !== ino) {
    throw formatError(`directory inode ${ino}: data block owned by another inode`, offsetOf(OWNER_AT));
  }
  let end = b.length;
  if (magic === DIR3_BLOCK_MAGIC) {
    const leafCount = be32(b, b.length - 8);
    end = b.length - 8 - leafCount * 8;
    if (end < DATA_HEADER)
      throw formatError(
        `directory inode ${ino}: block tail count ${leafCount} too large`,
        offsetOf(b.length - 8),
      );
  }
  let p = DATA_HEADER;
  while (p < end) {
    if (p + 8 > end) throw formatError(`directory inode ${ino}: entry runs past the block end`, offsetOf(p));
    if (be16(b, p) === 0xffff) {
      const len = be16(b, p + 2);
      if (len < 8 || len % 8 !== 0 || p + len > end) {
        throw formatError(
          `directory inode ${ino}: free space of ${len} bytes runs past the block end`,
          offsetOf(p),
        );
      }
      p += len;
      continue;
    }
    const namelen = b[p + 8] as number;
    const entSize = (8 + 1 + namelen + (hasFtype ? 1 : 0) + 2 + 7) & ~7;
    if (namelen === 0 || p + entSize > end) {
      throw formatError(`directory inode ${ino}: entry runs past the block end`, offsetOf(p));
    }
    const name = b.subarray(p + 9, p + 9 + namelen);
    const type = hasFtype ? nodeTypeOfFtype(b[p + 9 + namelen] as number) : undefined;
    const entIno = be64n(b, p, 'inode number', offsetOf(p));
    if (visit({ name, ino: entIno, type, offset: offsetOf(p) })) return true;
    p += entSize;
  }
  return false;
}
