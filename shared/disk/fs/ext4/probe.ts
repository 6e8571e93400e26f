import type { ByteSource, FileSystem } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { LAYER, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE } from './constants.ts';
import { ExtFileSystem } from './ext-fs.ts';
import { hasExtMagic, parseSuperblock } from './superblock.ts';

/**
 * Reads an ext2/ext3/ext4 filesystem from a volume: undefined without the 0xEF53 magic at offset
 * 1024 + 56; a DiskFormatError (layer `ext4`) when the superblock is damaged or names features this
 * reader cannot honour (compression, dirdata, unknown incompatible features, an external journal).
 */
export async function probeExt(volume: ByteSource): Promise<FileSystem | undefined> {
  const sb = await volume.read(SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE);
  if (!hasExtMagic(sb)) return undefined;
  if (sb.length < SUPERBLOCK_SIZE) {
    throw new DiskFormatError(
      LAYER,
      `superblock cut short: the volume ends at ${volume.size} bytes`,
      SUPERBLOCK_OFFSET,
    );
  }
  return new ExtFileSystem(volume, parseSuperblock(sb));
}
