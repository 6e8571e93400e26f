import type { Inode } from './inode.ts';
import type { Segment } from './segments.ts';
import { pushSegment } from './segments.ts';
import type { ExtVolume } from './volume.ts';
import { u32 } from './volume.ts';

/**
 * The blocks of an ext2/3-style block-mapped inode in logical blocks [first, end): 12 direct
 * pointers, then single, double and triple indirect blocks. Zero pointers are holes. Only the
 * indirect blocks covering the range are read.
 */
export async function mapBlockMap(
  vol: ExtVolume,
  inode: Inode,
  first: number,
  end: number,
): Promise<Segment[]> {
  const out: Segment[] = [];
  const per = vol.blockSize / 4;
  const add = (lblk: number, pblk: number, ref: number) => {
    if (pblk === 0 || lblk < first || lblk >= end) return;
    vol.checkBlocks(pblk, 1, ref, 'block map');
    pushSegment(out, { lblk, pblk, len: 1, uninit: false });
  };
  for (let i = 0; i < 12; i++) add(i, u32(inode.iblock, i * 4), inode.offset + 0x28 + i * 4);

  const walk = async (blockNo: number, level: number, base: number, ref: number): Promise<void> => {
    const span = per ** (level - 1);
    if (blockNo === 0 || base >= end || base + span * per <= first) return;
    const block = await vol.block(blockNo, ref, `level ${level} indirect block`);
    const from = Math.max(0, Math.floor((first - base) / span));
    const to = Math.min(per, Math.ceil((end - base) / span));
    for (let i = from; i < to; i++) {
      const child = u32(block, i * 4);
      const at = blockNo * vol.blockSize + i * 4;
      if (level === 1) add(base + i, child, at);
      else await walk(child, level - 1, base + i * span, at);
    }
  };
  let base = 12;
  for (let level = 1; level <= 3; level++) {
    await walk(u32(inode.iblock, (11 + level) * 4), level, base, inode.offset + 0x28 + (11 + level) * 4);
    base += per ** level;
  }
  return out;
}
