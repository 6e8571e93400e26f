/**
 * FAT12/16/32 (vfat) reader, enough to list and read the files of an EFI system partition.
 *
 *   probeFat(volume) → FileSystem | undefined
 */
import type { ByteSource, FileSystem, FileSystemInfo } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { BOOT_SECTOR_BYTES, parseBoot } from './boot.ts';
import { FatFileSystem } from './filesystem.ts';
import { FatTable } from './table.ts';

export { ROOT_INO } from './filesystem.ts';

/** Volume serial as Linux shows it in UUID=: `XXXX-XXXX`, upper-case hex. */
export function formatSerial(serial: number): string {
  const hex = serial.toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

/**
 * A FAT filesystem on `volume`, or undefined when its first sector is not a FAT boot sector. Throws
 * DiskFormatError (layer `fat`) when it is FAT but its BPB or root directory is unusable.
 */
export async function probeFat(volume: ByteSource): Promise<FileSystem | undefined> {
  if (volume.size < BOOT_SECTOR_BYTES) return undefined;
  const boot = await volume.read(0, BOOT_SECTOR_BYTES);
  const g = parseBoot(boot, volume.size);
  if (!g) return undefined;
  const fat = new FatTable(volume, g);
  const info: FileSystemInfo = {
    kind: 'vfat',
    uuid: g.serial === undefined ? undefined : formatSerial(g.serial),
    label: g.bpbLabel,
    blockSize: g.clusterSize,
    size: g.size,
    needsRecovery: false,
    notes: [
      `FAT${g.fatType}: ${g.clusterCount} clusters of ${g.clusterSize} bytes, ${g.numFats} FAT(s)`,
      'timestamps are in the writer’s local time zone, which FAT does not record; read as UTC',
      ...g.notes,
    ],
  };
  const flags = await fat.volumeFlags();
  if (flags.dirty) {
    info.notes.push('dirty bit set in FAT[1]: not cleanly unmounted (FAT has no journal; nothing to replay)');
  }
  if (flags.ioError) info.notes.push('hard-error bit set in FAT[1]: the last driver saw disk I/O errors');
  if (g.bootDirty) info.notes.push('boot sector dirty flag set: mounted or not cleanly unmounted');
  const fs = new FatFileSystem(volume, g, fat, info);
  try {
    const label = await fs.rootLabel();
    if (label) info.label = label;
  } catch (err) {
    if (!(err instanceof DiskFormatError)) throw err;
    fs.note(`root directory unreadable, label from the boot sector: ${err.message}`);
  }
  return fs;
}
