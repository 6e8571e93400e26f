import { DiskFormatError } from '../../types.ts';
import { INODE_FLAG, LAYER } from './constants.ts';
import { assertReadable, mapBlocks } from './data.ts';
import { inlineContinuation } from './inline-data.ts';
import type { Inode } from './inode.ts';
import type { ExtVolume } from './volume.ts';
import { MAX_READ, u16, u32 } from './volume.ts';

export interface RawDirEntry {
  ino: number;
  name: Uint8Array;
  /** file_type byte (0 when the filetype feature is off). */
  fileType: number;
  /** Volume offset of the entry. */
  offset: number;
}

export interface DirFormat {
  filetype: boolean;
  inodesCount: number;
  blockSize: number;
}

/** rec_len as stored; 64 KiB blocks encode 65536 as 0 or 65535 and keep high bits in the low two. */
function recLen(raw: number, blockSize: number): number {
  if (blockSize < 65536) return raw;
  if (raw === 65535 || raw === 0) return 65536;
  return (raw & 65532) | ((raw & 3) << 16);
}

/**
 * The live entries of one block of directory entries (or an inline-data region). Every rec_len must
 * stay inside the buffer and hold its name; inode numbers must be in range. Checksum tails, empty
 * slots, dx nodes (inode 0) are skipped; "." and ".." are kept (callers drop them).
 */
export function parseDirBlock(buf: Uint8Array, volOffset: number, f: DirFormat): RawDirEntry[] {
  const out: RawDirEntry[] = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    const at = volOffset + pos;
    const ino = u32(buf, pos);
    const rec = recLen(u16(buf, pos + 4), f.blockSize);
    const nameLen = f.filetype ? buf[pos + 6]! : u16(buf, pos + 6);
    if (rec < 8 || rec % 4 !== 0 || pos + rec > buf.length) {
      throw new DiskFormatError(
        LAYER,
        `directory entry rec_len ${rec} runs past the end of its block`,
        at + 4,
      );
    }
    if (ino !== 0) {
      if (8 + nameLen > rec || nameLen === 0) {
        throw new DiskFormatError(
          LAYER,
          `directory entry name length ${nameLen} does not fit rec_len ${rec}`,
          at + 6,
        );
      }
      if (ino > f.inodesCount) {
        throw new DiskFormatError(LAYER, `directory entry names inode ${ino}, beyond ${f.inodesCount}`, at);
      }
      out.push({
        ino,
        name: buf.subarray(pos + 8, pos + 8 + nameLen),
        fileType: f.filetype ? buf[pos + 7]! : 0,
        offset: at,
      });
    }
    pos += rec;
  }
  return out;
}

/**
 * Calls `visit` with the entries of each directory block in order (inline directories: the i_block
 * region, then the system.data region); stops early when `visit` returns true.
 */
export async function scanDirectory(
  vol: ExtVolume,
  inode: Inode,
  f: DirFormat,
  visit: (entries: RawDirEntry[]) => boolean | undefined,
): Promise<void> {
  assertReadable(inode);
  if (inode.flags & INODE_FLAG.inlineData) {
    // First four bytes: the parent's inode number (the implicit "..").
    const parent = u32(inode.iblock, 0);
    const dotdot: RawDirEntry = {
      ino: parent,
      name: new TextEncoder().encode('..'),
      fileType: 2,
      offset: inode.offset + 0x28,
    };
    if (visit([dotdot, ...parseDirBlock(inode.iblock.subarray(4), inode.offset + 0x28 + 4, f)])) return;
    const more = inlineContinuation(inode);
    if (more.length) visit(parseDirBlock(more, inode.xattrOffset, f));
    return;
  }
  const bs = vol.blockSize;
  const blocks = Math.ceil(inode.size / bs);
  const batch = Math.max(1, Math.floor(MAX_READ / 8 / bs));
  for (const seg of await mapBlocks(vol, inode, 0, blocks)) {
    if (seg.uninit) continue;
    const len = Math.min(seg.len, blocks - seg.lblk);
    for (let i = 0; i < len; i += batch) {
      const n = Math.min(batch, len - i);
      const start = (seg.pblk + i) * bs;
      const data = await vol.readExact(start, n * bs, `directory inode ${inode.ino}`);
      for (let b = 0; b < n; b++) {
        if (visit(parseDirBlock(data.subarray(b * bs, (b + 1) * bs), start + b * bs, f))) return;
      }
    }
  }
}

/** One directory block by logical block number (htree lookups), or undefined for a hole. */
export async function readDirBlock(
  vol: ExtVolume,
  inode: Inode,
  lblk: number,
): Promise<{ data: Uint8Array; offset: number } | undefined> {
  const [seg] = await mapBlocks(vol, inode, lblk, lblk + 1);
  if (!seg || seg.uninit) return undefined;
  const pblk = seg.pblk + (lblk - seg.lblk);
  return {
    data: await vol.block(pblk, inode.offset + 0x28, `directory inode ${inode.ino}`),
    offset: pblk * vol.blockSize,
  };
}
