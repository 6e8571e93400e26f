/**
 * The FAT boot sector and BIOS parameter block (Microsoft, "FAT: General Overview of On-Disk Format"):
 * is this volume FAT at all, and if so its geometry. The FAT type follows from the count of data
 * clusters, never from the BS_FilSysType string.
 */
import { DiskFormatError } from '../../types.ts';
import { volumeLabel } from './names.ts';

export const LAYER = 'fat';

export type FatType = 12 | 16 | 32;

export interface Geometry {
  fatType: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterSize: number;
  reservedSectors: number;
  numFats: number;
  /** Sectors per FAT. */
  fatSectors: number;
  /** Byte offset of the FAT in use (FAT32 may select one with BPB_ExtFlags). */
  fatOffset: number;
  /** FAT12/16 fixed root directory: byte offset and entry count (0 on FAT32). */
  rootDirOffset: number;
  rootEntries: number;
  /** FAT32: first cluster of the root directory. */
  rootCluster: number;
  /** Byte offset of cluster 2. */
  dataOffset: number;
  /** Clusters in the data region (CountofClusters); valid cluster numbers are 2 … clusterCount + 1. */
  clusterCount: number;
  /** Bytes the filesystem spans (total sectors × bytes per sector). */
  size: number;
  /** Volume serial (BS_VolID) when the extended boot signature is present. */
  serial?: number;
  /** BS_VolLab when the extended boot signature is present, trailing spaces removed. */
  bpbLabel?: string;
  /** BS_Reserved1 bit 0, which Linux sets while the volume is mounted. */
  bootDirty: boolean;
  notes: string[];
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Bytes of the boot sector `parseBoot` needs. */
export const BOOT_SECTOR_BYTES = 512;

/**
 * Whether the sector claims to be FAT: boot signature, a jump instruction and a BS_FilSysType of FAT*,
 * or (old volumes without one) a BPB whose basic fields all look right. NTFS and exFAT share the
 * jump and signature but name themselves in BS_OEMName.
 */
function looksLikeFat(b: Uint8Array): 'named' | 'plausible' | undefined {
  if (b[510] !== 0x55 || b[511] !== 0xaa) return undefined;
  const jump = (b[0] === 0xeb && b[2] === 0x90) || b[0] === 0xe9;
  if (!jump) return undefined;
  const oem = ascii(b, 3, 8);
  if (oem === 'NTFS    ' || oem === 'EXFAT   ' || oem.startsWith('FVE-FS')) return undefined;
  if (ascii(b, 54, 3) === 'FAT' || ascii(b, 82, 5) === 'FAT32') return 'named';
  const bps = u16(b, 11);
  const spc = b[13]!;
  const media = b[21]!;
  const ok =
    isPow2(bps) &&
    bps >= 512 &&
    bps <= 4096 &&
    isPow2(spc) &&
    u16(b, 14) > 0 &&
    b[16]! >= 1 &&
    b[16]! <= 4 &&
    (media === 0xf0 || media >= 0xf8) &&
    (u16(b, 19) > 0 || u32(b, 32) > 0);
  return ok ? 'plausible' : undefined;
}

/**
 * The geometry of a FAT volume from its boot sector; undefined when the sector is not FAT. Throws
 * DiskFormatError when it claims to be FAT but its BPB cannot describe a volume, or the volume is
 * smaller than the filesystem says.
 */
export function parseBoot(b: Uint8Array, volumeSize: number): Geometry | undefined {
  if (b.length < BOOT_SECTOR_BYTES || !looksLikeFat(b)) return undefined;
  const fail = (message: string, offset: number): never => {
    throw new DiskFormatError(LAYER, message, offset);
  };
  const notes: string[] = [];
  const bytesPerSector = u16(b, 11);
  if (!isPow2(bytesPerSector) || bytesPerSector < 512 || bytesPerSector > 4096) {
    fail(`bytes per sector ${bytesPerSector} is not a power of two from 512 to 4096`, 11);
  }
  const sectorsPerCluster = b[13]!;
  if (!isPow2(sectorsPerCluster)) fail(`sectors per cluster ${sectorsPerCluster} is not a power of two`, 13);
  const clusterSize = bytesPerSector * sectorsPerCluster;
  if (clusterSize > 32768) notes.push(`cluster size ${clusterSize} exceeds the 32 KiB the spec allows`);
  const reservedSectors = u16(b, 14);
  if (reservedSectors === 0) fail('reserved sector count is 0', 14);
  const numFats = b[16]!;
  if (numFats === 0) fail('number of FATs is 0', 16);
  const rootEntries = u16(b, 17);
  const totSec16 = u16(b, 19);
  const fatSz16 = u16(b, 22);
  const totSec32 = u32(b, 32);
  const totalSectors = totSec16 !== 0 ? totSec16 : totSec32;
  if (totalSectors === 0) fail('total sector count is 0', 19);
  const fatSectors = fatSz16 !== 0 ? fatSz16 : u32(b, 36);
  if (fatSectors === 0) fail('sectors per FAT is 0', fatSz16 !== 0 ? 22 : 36);
  const rootDirSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const metaSectors = reservedSectors + numFats * fatSectors + rootDirSectors;
  if (metaSectors >= totalSectors) {
    fail(
      `reserved, FAT and root directory sectors (${metaSectors}) leave no data region in ${totalSectors}`,
      14,
    );
  }
  const clusterCount = Math.floor((totalSectors - metaSectors) / sectorsPerCluster);
  if (clusterCount === 0) fail('the data region holds no whole cluster', 13);
  const fatType: FatType = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32;
  const size = totalSectors * bytesPerSector;
  if (volumeSize < size) {
    fail(
      `the filesystem spans ${size} bytes but the volume holds only ${volumeSize} (truncated)`,
      volumeSize,
    );
  }

  let rootCluster = 0;
  let extFlags = 0;
  if (fatType === 32) {
    if (fatSz16 !== 0) fail(`${clusterCount} clusters make FAT32, but BPB_FATSz16 is ${fatSz16}`, 22);
    if (rootEntries !== 0)
      fail(`${clusterCount} clusters make FAT32, but BPB_RootEntCnt is ${rootEntries}`, 17);
    rootCluster = u32(b, 44);
    if (rootCluster < 2 || rootCluster > clusterCount + 1)
      fail(`root cluster ${rootCluster} is out of range`, 44);
    extFlags = u16(b, 40);
    const version = u16(b, 42);
    if (version !== 0) notes.push(`FAT32 version ${version >> 8}.${version & 0xff} (expected 0.0)`);
  } else if (rootEntries === 0) {
    fail(
      `${clusterCount} clusters make FAT${fatType}, which needs a root directory, but BPB_RootEntCnt is 0`,
      17,
    );
  }
  const fatBits = fatType === 32 ? 32 : fatType === 16 ? 16 : 12;
  const fatEntries = Math.floor((fatSectors * bytesPerSector * 8) / fatBits);
  if (fatEntries < clusterCount + 2) {
    fail(
      `a FAT of ${fatSectors} sectors holds ${fatEntries} entries, fewer than ${clusterCount + 2} clusters`,
      22,
    );
  }
  let activeFat = 0;
  if (fatType === 32 && extFlags & 0x80) {
    activeFat = extFlags & 0x0f;
    if (activeFat >= numFats) fail(`active FAT ${activeFat} does not exist (${numFats} FATs)`, 40);
    notes.push(`FAT mirroring disabled, FAT ${activeFat} active`);
  }
  const sigOffset = fatType === 32 ? 66 : 38;
  let serial: number | undefined;
  let bpbLabel: string | undefined;
  if (b[sigOffset] === 0x29 || b[sigOffset] === 0x28) {
    serial = u32(b, sigOffset + 1);
    if (b[sigOffset] === 0x29) {
      bpbLabel = volumeLabel(b.subarray(sigOffset + 5, sigOffset + 16));
    }
  }
  return {
    fatType,
    bytesPerSector,
    sectorsPerCluster,
    clusterSize,
    reservedSectors,
    numFats,
    fatSectors,
    fatOffset: (reservedSectors + activeFat * fatSectors) * bytesPerSector,
    rootDirOffset: fatType === 32 ? 0 : (reservedSectors + numFats * fatSectors) * bytesPerSector,
    rootEntries: fatType === 32 ? 0 : rootEntries,
    rootCluster,
    dataOffset: (reservedSectors + numFats * fatSectors + rootDirSectors) * bytesPerSector,
    clusterCount,
    size,
    serial,
    bpbLabel,
    bootDirty: (b[sigOffset - 1]! & 1) !== 0,
    notes,
  };
}

/** Byte offset of a data cluster. */
export function clusterOffset(g: Geometry, cluster: number): number {
  return g.dataOffset + (cluster - 2) * g.clusterSize;
}
