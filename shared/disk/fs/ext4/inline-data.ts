import { DiskFormatError } from '../../types.ts';
import { LAYER } from './constants.ts';
import type { Inode } from './inode.ts';
import { u16, u32 } from './volume.ts';

const XATTR_MAGIC = 0xea020000;
const INDEX_SYSTEM = 7;

/**
 * The value of an in-inode extended attribute (`xattrArea` starts at the ibody header), or undefined.
 * Values stored in separate EA inodes are refused (never used for system.data).
 */
export function inodeXattr(inode: Inode, nameIndex: number, name: string): Uint8Array | undefined {
  const area = inode.xattrArea;
  if (area.length < 8 || u32(area, 0) !== XATTR_MAGIC) return undefined;
  const want = new TextEncoder().encode(name);
  const areaOffset = inode.xattrOffset;
  let pos = 4;
  while (pos + 16 <= area.length && u32(area, pos) !== 0) {
    const nameLen = area[pos]!;
    const index = area[pos + 1]!;
    const valueOffs = u16(area, pos + 2);
    const valueInum = u32(area, pos + 4);
    const valueSize = u32(area, pos + 8);
    const entryEnd = pos + 16 + nameLen;
    if (entryEnd > area.length)
      throw new DiskFormatError(
        LAYER,
        `inode ${inode.ino}: xattr entry overruns the inode`,
        areaOffset + pos,
      );
    const entryName = area.subarray(pos + 16, entryEnd);
    if (index === nameIndex && equalBytes(entryName, want)) {
      if (valueInum !== 0)
        throw new DiskFormatError(
          LAYER,
          `inode ${inode.ino}: xattr ${name} lives in an EA inode`,
          areaOffset + pos,
        );
      const start = 4 + valueOffs;
      if (start + valueSize > area.length) {
        throw new DiskFormatError(
          LAYER,
          `inode ${inode.ino}: xattr ${name} value overruns the inode`,
          areaOffset + pos,
        );
      }
      return area.subarray(start, start + valueSize);
    }
    pos = (entryEnd + 3) & ~3;
  }
  return undefined;
}

/** The system.data continuation of an inline-data inode (empty when absent). */
export function inlineContinuation(inode: Inode): Uint8Array {
  return inodeXattr(inode, INDEX_SYSTEM, 'data') ?? new Uint8Array(0);
}

/** All bytes of an inline-data file: the 60 bytes of i_block, then system.data, cut at i_size. */
export function inlineFileData(inode: Inode): Uint8Array {
  const more = inlineContinuation(inode);
  if (inode.size > 60 + more.length) {
    throw new DiskFormatError(
      LAYER,
      `inode ${inode.ino}: inline data shorter than i_size ${inode.size}`,
      inode.offset + 0x4,
    );
  }
  const all = new Uint8Array(60 + more.length);
  all.set(inode.iblock);
  all.set(more, 60);
  return all.subarray(0, inode.size);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
