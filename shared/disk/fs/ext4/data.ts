import { DiskFormatError } from '../../types.ts';
import { mapBlockMap } from './block-map.ts';
import { INODE_FLAG, LAYER } from './constants.ts';
import { mapExtents } from './extents.ts';
import { inlineFileData } from './inline-data.ts';
import type { Inode } from './inode.ts';
import type { Segment } from './segments.ts';
import type { ExtVolume } from './volume.ts';
import { MAX_READ } from './volume.ts';

/** Refuses inodes whose bytes this reader cannot give back as they are. */
export function assertReadable(inode: Inode): void {
  if (inode.flags & INODE_FLAG.encrypt) {
    throw new DiskFormatError(
      LAYER,
      `inode ${inode.ino} is encrypted (fscrypt); its contents cannot be read`,
      inode.offset + 0x20,
    );
  }
  if (inode.flags & INODE_FLAG.compressed) {
    throw new DiskFormatError(LAYER, `inode ${inode.ino} is compressed; not supported`, inode.offset + 0x20);
  }
}

/** The segments mapping logical blocks [first, end) of a block-based (not inline) inode. */
export function mapBlocks(vol: ExtVolume, inode: Inode, first: number, end: number): Promise<Segment[]> {
  return inode.flags & INODE_FLAG.extents
    ? mapExtents(vol, inode, first, end)
    : mapBlockMap(vol, inode, first, end);
}

/**
 * Bytes [offset, offset + length) of the inode's data, cut at i_size; holes and unwritten extents
 * read as zeros. Each mapped run is fetched with one read (split at MAX_READ).
 */
export async function readData(
  vol: ExtVolume,
  inode: Inode,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`bad range ${offset}+${length}`);
  }
  assertReadable(inode);
  const n = Math.max(0, Math.min(length, inode.size - offset));
  if (inode.flags & INODE_FLAG.inlineData) return inlineFileData(inode).slice(offset, offset + n);
  const out = new Uint8Array(n);
  if (n === 0) return out;
  const bs = vol.blockSize;
  const first = Math.floor(offset / bs);
  const end = Math.ceil((offset + n) / bs);
  for (const seg of await mapBlocks(vol, inode, first, end)) {
    if (seg.uninit) continue;
    const segStart = seg.lblk * bs;
    const a = Math.max(segStart, offset);
    const b = Math.min(segStart + seg.len * bs, offset + n);
    for (let pos = a; pos < b; pos += MAX_READ) {
      const len = Math.min(MAX_READ, b - pos);
      out.set(
        await vol.readExact(seg.pblk * bs + (pos - segStart), len, `data of inode ${inode.ino}`),
        pos - offset,
      );
    }
  }
  return out;
}
