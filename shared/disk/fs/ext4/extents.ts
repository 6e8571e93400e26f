import { DiskFormatError } from '../../types.ts';
import { EXTENT_MAGIC, LAYER, MAX_EXTENT_DEPTH } from './constants.ts';
import type { Inode } from './inode.ts';
import type { Segment } from './segments.ts';
import { pushSegment } from './segments.ts';
import type { ExtVolume } from './volume.ts';
import { join64, u16, u32 } from './volume.ts';

const INIT_MAX = 32768;

/**
 * The extents of `inode` overlapping logical blocks [first, end), in order. Only the index nodes
 * covering the range are read. Depth must fall by one per level (so a node pointing back up the tree
 * is caught) and stay ≤ 5; extents must be sorted and lie inside the filesystem.
 */
export async function mapExtents(
  vol: ExtVolume,
  inode: Inode,
  first: number,
  end: number,
): Promise<Segment[]> {
  const out: Segment[] = [];
  await walk(vol, inode.iblock, inode.offset + 0x28, -1, first, end, out);
  return out;
}

async function walk(
  vol: ExtVolume,
  node: Uint8Array,
  nodeOffset: number,
  expectedDepth: number,
  first: number,
  end: number,
  out: Segment[],
): Promise<void> {
  const fail = (message: string, at: number): never => {
    throw new DiskFormatError(LAYER, `extent tree: ${message}`, nodeOffset + at);
  };
  if (u16(node, 0) !== EXTENT_MAGIC) fail('bad extent header magic', 0);
  const entries = u16(node, 2);
  const max = u16(node, 4);
  const depth = u16(node, 6);
  if (max > (node.length - 12) / 12 || entries > max)
    fail(`${entries} entries, ${max} max do not fit the node`, 2);
  if (expectedDepth < 0 ? depth > MAX_EXTENT_DEPTH : depth !== expectedDepth) {
    fail(
      `depth ${depth} where ${expectedDepth < 0 ? `at most ${MAX_EXTENT_DEPTH}` : expectedDepth} was expected (loop?)`,
      6,
    );
  }
  let prevEnd = 0;
  for (let i = 0; i < entries; i++) {
    const e = 12 + i * 12;
    const lblk = u32(node, e);
    if (lblk < prevEnd) fail(`entry ${i} at logical block ${lblk} is out of order`, e);
    if (depth === 0) {
      const raw = u16(node, e + 4);
      const uninit = raw > INIT_MAX;
      const len = uninit ? raw - INIT_MAX : raw;
      const pblk = join64(u32(node, e + 8), u16(node, e + 6));
      prevEnd = lblk + len;
      if (len === 0 || lblk + len <= first || lblk >= end) continue;
      vol.checkBlocks(pblk, len, nodeOffset + e, 'extent');
      pushSegment(out, { lblk, pblk, len, uninit });
    } else {
      prevEnd = lblk;
      const nextLblk = i + 1 < entries ? u32(node, e + 12) : Number.POSITIVE_INFINITY;
      if (nextLblk <= first || lblk >= end) continue;
      const child = join64(u32(node, e + 4), u16(node, e + 8));
      const block = await vol.block(child, nodeOffset + e, 'extent index');
      await walk(vol, block, child * vol.blockSize, depth - 1, first, end, out);
    }
    if (lblk >= end) break;
  }
}
