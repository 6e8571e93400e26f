/**
 * Reads a disk's partition table: GPT (which wins over a protective or hybrid MBR), MBR with logical
 * partitions, or none. Partitions are reported as found: nothing here picks one by name or boot flag.
 */
import type { ByteSource, PartitionTable } from '../types.ts';
import { DiskFormatError } from '../types.ts';
import { readGpt } from './gpt.ts';
import { hasBootSignature, MBR_PROTECTIVE_TYPE, mbrEntries, mbrProblem, parseMbr } from './mbr.ts';

export type { GptHeader, GptPartition } from './gpt.ts';
export { GPT_MAX_ARRAY_BYTES, GPT_MAX_ENTRIES, GPT_MAX_ENTRY_SIZE } from './gpt.ts';
export { MAX_LOGICAL_PARTITIONS, MBR_EXTENDED_TYPES } from './mbr.ts';
export { GPT_TYPE_NAMES, MBR_TYPE_NAMES, partitionTypeName } from './type-names.ts';

export interface ReadPartitionTableOptions {
  /** Sector size for an MBR disk, which does not record it (a GPT's is found from its header). Default 512. */
  mbrSectorSize?: 512 | 4096;
}

export async function readPartitionTable(
  disk: ByteSource,
  options: ReadPartitionTableOptions = {},
): Promise<PartitionTable> {
  const none: PartitionTable = { scheme: 'none', sectorSize: 512, partitions: [], notes: [] };
  if (disk.size < 512) return none;
  const sector0 = await disk.read(0, 512);
  if (sector0.length !== 512) throw new DiskFormatError('mbr', 'short read of sector 0', 0);
  const problem = mbrProblem(sector0);
  const entries = mbrEntries(sector0);
  const protective = problem === undefined && entries.some((e) => e.type === MBR_PROTECTIVE_TYPE);

  if (problem === undefined && !protective) {
    return parseMbr(disk, sector0, options.mbrSectorSize ?? 512);
  }
  const gpt = await readGpt(disk);
  if (gpt) {
    if (!hasBootSignature(sector0)) gpt.notes.push('no protective MBR in front of the GPT');
    else if (entries.some((e) => e.type !== 0 && e.type !== MBR_PROTECTIVE_TYPE)) {
      gpt.notes.push('hybrid MBR: its entries are ignored, the GPT is used');
    }
    return gpt;
  }
  if (protective) {
    throw new DiskFormatError(
      'gpt',
      'protective MBR (type 0xEE) but no GPT header at LBA 1 or at the end',
      0,
    );
  }
  if (hasBootSignature(sector0)) none.notes.push(`sector 0 ends in 0x55AA but is not an MBR: ${problem}`);
  return none;
}
