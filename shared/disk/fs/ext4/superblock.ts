import { DiskFormatError } from '../../types.ts';
import {
  COMPAT,
  EXT_MAGIC,
  EXT3_INCOMPAT,
  EXT3_RO_COMPAT,
  INCOMPAT,
  INCOMPAT_SUPPORTED,
  LAYER,
  RO_COMPAT,
  SUPERBLOCK_OFFSET,
} from './constants.ts';
import { join64, u16, u32 } from './volume.ts';

export interface Superblock {
  inodesCount: number;
  blocksCount: number;
  firstDataBlock: number;
  blockSize: number;
  clusterRatio: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodeSize: number;
  firstIno: number;
  revLevel: number;
  compat: number;
  incompat: number;
  roCompat: number;
  uuid: string;
  label: string;
  descSize: number;
  firstMetaBg: number;
  hashSeed: [number, number, number, number];
  defHashVersion: number;
  /** s_flags: 0x1 signed directory hash, 0x2 unsigned. */
  flags: number;
  logGroupsPerFlex: number;
  backupBgs: [number, number];
  groupCount: number;
  kind: 'ext2' | 'ext3' | 'ext4';
}

const at = (field: number) => SUPERBLOCK_OFFSET + field;

/** True when the 1024 bytes at volume offset 1024 carry the ext2/3/4 magic. */
export function hasExtMagic(sb: Uint8Array): boolean {
  return sb.length >= 0x3a && u16(sb, 0x38) === EXT_MAGIC;
}

/** Parses and sanity-checks the primary superblock (`sb` holds the 1024 bytes at volume offset 1024). */
export function parseSuperblock(sb: Uint8Array): Superblock {
  const fail = (message: string, field: number): never => {
    throw new DiskFormatError(LAYER, `superblock: ${message}`, at(field));
  };
  if (!hasExtMagic(sb)) fail('no ext2/3/4 magic 0xEF53', 0x38);
  const revLevel = u32(sb, 0x4c);
  const compat = u32(sb, 0x5c);
  const incompat = revLevel >= 1 ? u32(sb, 0x60) : 0;
  const roCompat = revLevel >= 1 ? u32(sb, 0x64) : 0;
  const is64 = (incompat & INCOMPAT.bit64) !== 0;

  const logBlock = u32(sb, 0x18);
  if (logBlock > 6) fail(`absurd block size 2^(10+${logBlock})`, 0x18);
  const blockSize = 1024 << logBlock;
  const logCluster = u32(sb, 0x1c);
  const bigalloc = (roCompat & RO_COMPAT.bigalloc) !== 0;
  if (bigalloc && (logCluster < logBlock || logCluster > logBlock + 16)) fail('absurd cluster size', 0x1c);
  const clusterRatio = bigalloc ? 1 << (logCluster - logBlock) : 1;

  const inodesCount = u32(sb, 0x0);
  const blocksCount = join64(u32(sb, 0x4), is64 ? u32(sb, 0x150) : 0);
  const firstDataBlock = u32(sb, 0x14);
  const blocksPerGroup = u32(sb, 0x20);
  const inodesPerGroup = u32(sb, 0x28);
  const inodeSize = revLevel >= 1 ? u16(sb, 0x58) : 128;
  const firstIno = revLevel >= 1 ? u32(sb, 0x54) : 11;

  if (blocksCount === 0) fail('zero blocks', 0x4);
  if (firstDataBlock >= blocksCount || firstDataBlock > 1)
    fail(`bad first data block ${firstDataBlock}`, 0x14);
  if (blocksPerGroup === 0 || blocksPerGroup > 8 * blockSize * clusterRatio) {
    fail(`bad blocks per group ${blocksPerGroup}`, 0x20);
  }
  if (inodesPerGroup === 0 || inodesPerGroup > 8 * blockSize)
    fail(`bad inodes per group ${inodesPerGroup}`, 0x28);
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) {
    fail(`bad inode size ${inodeSize}`, 0x58);
  }
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount === 0 || inodesCount > groupCount * inodesPerGroup)
    fail(`bad inode count ${inodesCount}`, 0x0);

  let descSize = 32;
  if (is64) {
    descSize = u16(sb, 0xfe);
    if (descSize < 32 || descSize > 1024 || (descSize & (descSize - 1)) !== 0)
      fail(`bad descriptor size ${descSize}`, 0xfe);
  }

  if (incompat & INCOMPAT.journalDev) fail('an external journal device, not a filesystem', 0x60);
  if (incompat & INCOMPAT.compression) fail('compression feature is not supported', 0x60);
  if (incompat & INCOMPAT.dirdata) fail('dirdata (Lustre) feature is not supported', 0x60);
  const unknown = incompat & ~INCOMPAT_SUPPORTED;
  if (unknown) fail(`unknown incompatible features 0x${unknown.toString(16)}`, 0x60);

  const hasJournal = (compat & COMPAT.hasJournal) !== 0;
  const kind =
    incompat & ~EXT3_INCOMPAT || roCompat & ~EXT3_RO_COMPAT ? 'ext4' : hasJournal ? 'ext3' : 'ext2';

  return {
    inodesCount,
    blocksCount,
    firstDataBlock,
    blockSize,
    clusterRatio,
    blocksPerGroup,
    inodesPerGroup,
    inodeSize,
    firstIno,
    revLevel,
    compat,
    incompat,
    roCompat,
    uuid: formatUuid(sb.subarray(0x68, 0x78)),
    label: cString(sb.subarray(0x78, 0x88)),
    descSize,
    firstMetaBg: u32(sb, 0x104),
    hashSeed: [u32(sb, 0xec), u32(sb, 0xf0), u32(sb, 0xf4), u32(sb, 0xf8)],
    defHashVersion: sb[0xfc]!,
    flags: u32(sb, 0x160),
    logGroupsPerFlex: sb[0x174]!,
    backupBgs: [u32(sb, 0x24c), u32(sb, 0x250)],
    groupCount,
    kind,
  };
}

/** Features worth reporting, by name, plus what this reader does about them. */
export function featureNotes(s: Superblock): string[] {
  const names = (flags: number, table: Record<string, number>) =>
    Object.entries(table)
      .filter(([, bit]) => flags & bit)
      .map(([name]) => name);
  const notes = [
    `features: ${[...names(s.compat, COMPAT), ...names(s.incompat, INCOMPAT), ...names(s.roCompat, RO_COMPAT)].join(', ')}`,
  ];
  if (s.compat & COMPAT.hasJournal) notes.push('journal present: journal not replayed');
  if (s.incompat & INCOMPAT.recover)
    notes.push('needs_recovery set: the journal holds unapplied transactions (not replayed)');
  if (s.roCompat & RO_COMPAT.metadataCsum) notes.push('metadata_csum: checksums not verified');
  else if (s.roCompat & RO_COMPAT.gdtCsum) notes.push('gdt_csum: group descriptor checksums not verified');
  if (s.incompat & INCOMPAT.encrypt) notes.push('encrypt: encrypted files and directories are refused');
  if (s.incompat & INCOMPAT.casefold)
    notes.push('casefold: case-insensitive directories are searched linearly');
  if (s.roCompat & RO_COMPAT.verity) notes.push('verity: verity metadata not checked');
  if (s.roCompat & RO_COMPAT.bigalloc) notes.push(`bigalloc: ${s.clusterRatio} blocks per cluster`);
  if (s.roCompat & RO_COMPAT.orphanPresent) notes.push('orphan_present: orphan inodes not processed');
  return notes;
}

export function formatUuid(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}
