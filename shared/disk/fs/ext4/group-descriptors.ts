import { DiskFormatError } from '../../types.ts';
import { COMPAT, INCOMPAT, LAYER, RO_COMPAT } from './constants.ts';
import type { Superblock } from './superblock.ts';
import type { ExtVolume } from './volume.ts';
import { join64, u32 } from './volume.ts';

export interface GroupDescriptor {
  inodeTable: number;
  flags: number;
  /** Volume offset of the descriptor, for error messages. */
  offset: number;
}

/** Whether a group holds a superblock backup (and so, without meta_bg, a descriptor table copy). */
export function groupHasSuper(sb: Superblock, group: number): boolean {
  if (group === 0) return true;
  if (sb.compat & COMPAT.sparseSuper2) return group === sb.backupBgs[0] || group === sb.backupBgs[1];
  if (group <= 1 || !(sb.roCompat & RO_COMPAT.sparseSuper)) return true;
  if (!(group & 1)) return false;
  return isPower(group, 3) || isPower(group, 5) || isPower(group, 7);
}

function isPower(n: number, base: number): boolean {
  let p = base;
  while (p < n) p *= base;
  return p === n;
}

/**
 * The block holding descriptor block `index` (each holds blockSize / descSize descriptors). Without
 * meta_bg (or below s_first_meta_bg) they follow the primary superblock; with meta_bg each meta group's
 * single descriptor block sits in the first group of that meta group, after its superblock backup if any.
 */
export function descriptorBlock(sb: Superblock, index: number): number {
  const zeroAdjust = sb.blockSize === 1024 && sb.clusterRatio > 1 ? 1 : 0;
  if (!(sb.incompat & INCOMPAT.metaBg) || index < sb.firstMetaBg)
    return sb.firstDataBlock + 1 + index + zeroAdjust;
  const group = index * (sb.blockSize / sb.descSize);
  const first = sb.firstDataBlock + group * sb.blocksPerGroup;
  return first + (groupHasSuper(sb, group) ? 1 : 0) + zeroAdjust;
}

/** Group descriptors, read lazily one descriptor block at a time through the volume's block cache. */
export class GroupDescriptors {
  readonly #sb: Superblock;
  readonly #vol: ExtVolume;

  constructor(sb: Superblock, vol: ExtVolume) {
    this.#sb = sb;
    this.#vol = vol;
  }

  async get(group: number): Promise<GroupDescriptor> {
    const sb = this.#sb;
    if (!Number.isInteger(group) || group < 0 || group >= sb.groupCount) {
      throw new DiskFormatError(LAYER, `group ${group} out of range (${sb.groupCount} groups)`, 1024);
    }
    const perBlock = sb.blockSize / sb.descSize;
    const index = Math.floor(group / perBlock);
    const blockNo = descriptorBlock(sb, index);
    const block = await this.#vol.block(blockNo, 1024, `group descriptor block ${index}`);
    const off = (group % perBlock) * sb.descSize;
    const offset = blockNo * sb.blockSize + off;
    const wide = sb.descSize >= 64;
    const inodeTable = join64(u32(block, off + 0x8), wide ? u32(block, off + 0x28) : 0);
    const flags = block[off + 0x12]! | (block[off + 0x13]! << 8);
    if (inodeTable === 0 || inodeTable >= sb.blocksCount) {
      throw new DiskFormatError(
        LAYER,
        `group ${group}: inode table at block ${inodeTable} is outside the filesystem`,
        offset + 0x8,
      );
    }
    return { inodeTable, flags, offset };
  }
}
