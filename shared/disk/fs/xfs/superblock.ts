/**
 * The XFS superblock (sector 0 of AG 0) and the geometry derived from it: how filesystem block numbers
 * (agno << agblklog | agbno) and inode numbers (agno << (agblklog + inopblog) | agbno << inopblog | slot)
 * map to byte offsets in the volume.
 */
import { be16, be32, be64n, formatError, isPowerOfTwo, log2 } from './bytes.ts';
import { crc32c } from './crc32c.ts';

export const XFS_SB_MAGIC = 0x58465342; // "XFSB"

export const INCOMPAT = {
  ftype: 1,
  spinodes: 2,
  metaUuid: 4,
  bigtime: 8,
  needsRepair: 16,
  nrext64: 32,
  exchRange: 64,
  parent: 128,
} as const;
const KNOWN_INCOMPAT = 0xff;

const RO_COMPAT = { finobt: 1, rmapbt: 2, reflink: 4, inobtcount: 8 } as const;

export interface Superblock {
  blockSize: number;
  blockLog: number;
  sectSize: number;
  /** Filesystem blocks in the data device. */
  dblocks: number;
  rblocks: number;
  uuid: string;
  label: string;
  logStart: number;
  logBlocks: number;
  rootIno: number;
  agBlocks: number;
  agCount: number;
  agBlkLog: number;
  inodeSize: number;
  inopBlock: number;
  inopBlog: number;
  dirBlkLog: number;
  /** Directory block size in bytes (blockSize << dirBlkLog). */
  dirBlockSize: number;
  version: number;
  incompat: number;
  roCompat: number;
  inProgress: boolean;
  hasFtype: boolean;
  crcOk: boolean;
  notes: string[];
}

function uuidString(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Parses and checks the primary superblock (the first 512 bytes of the volume or more). */
export function parseSuperblock(b: Uint8Array, volumeSize: number): Superblock {
  if (b.length < 512) throw formatError('superblock truncated', 0);
  if (be32(b, 0) !== XFS_SB_MAGIC) throw formatError('bad superblock magic', 0);
  const blockSize = be32(b, 4);
  if (!isPowerOfTwo(blockSize) || blockSize < 512 || blockSize > 65536) {
    throw formatError(`bad block size ${blockSize}`, 4);
  }
  const blockLog = b[120] as number;
  if (1 << blockLog !== blockSize) throw formatError(`blocklog ${blockLog} disagrees with block size`, 120);
  const version = be16(b, 100) & 0xf;
  if (version !== 5) {
    throw formatError(`XFS version ${version} is not supported (only v5, CRC-enabled)`, 100);
  }
  if (blockSize < 1024) throw formatError(`bad block size ${blockSize} for a v5 filesystem`, 4);
  const sectSize = be16(b, 102);
  if (!isPowerOfTwo(sectSize) || sectSize < 512 || sectSize > 32768 || sectSize > blockSize) {
    throw formatError(`bad sector size ${sectSize}`, 102);
  }
  const dblocks = be64n(b, 8, 'data block count', 8);
  const rblocks = be64n(b, 16, 'realtime block count', 16);
  const agBlocks = be32(b, 84);
  const agCount = be32(b, 88);
  if (agCount === 0) throw formatError('agcount is 0', 88);
  if (agBlocks < 64 || agBlocks > 2 ** 31) throw formatError(`bad AG size ${agBlocks} blocks`, 84);
  const agBlkLog = b[124] as number;
  if (agBlkLog !== Math.ceil(Math.log2(agBlocks))) {
    throw formatError(`agblklog ${agBlkLog} disagrees with AG size ${agBlocks}`, 124);
  }
  if (dblocks === 0 || dblocks > agCount * agBlocks || dblocks <= (agCount - 1) * agBlocks) {
    throw formatError(`data blocks ${dblocks} do not fit ${agCount} AGs of ${agBlocks} blocks`, 8);
  }
  const size = dblocks * blockSize;
  if (size > volumeSize) {
    throw formatError(`filesystem spans ${size} bytes but the volume holds only ${volumeSize}`, volumeSize);
  }
  const inodeSize = be16(b, 104);
  if (!isPowerOfTwo(inodeSize) || inodeSize < 512 || inodeSize > 2048 || inodeSize > blockSize) {
    throw formatError(`bad inode size ${inodeSize}`, 104);
  }
  const inopBlock = be16(b, 106);
  const inopBlog = b[123] as number;
  if (inopBlock !== blockSize / inodeSize || 1 << inopBlog !== inopBlock) {
    throw formatError(`inodes per block ${inopBlock} (log ${inopBlog}) disagree with sizes`, 106);
  }
  if ((b[122] as number) !== log2(inodeSize)) throw formatError('inodelog disagrees with inode size', 122);
  const dirBlkLog = b[192] as number;
  if (dirBlkLog > 16 || blockSize << dirBlkLog > 65536) {
    throw formatError(`bad directory block log ${dirBlkLog}`, 192);
  }
  const incompat = be32(b, 216);
  if (incompat & ~KNOWN_INCOMPAT) {
    throw formatError(`unknown incompatible features 0x${incompat.toString(16)}`, 216);
  }
  const roCompat = be32(b, 212);
  const nameEnd = b.subarray(108, 120).indexOf(0);
  const label = Buffer.from(b.subarray(108, nameEnd < 0 ? 120 : 108 + nameEnd)).toString('utf8');
  const crcOk = crc32c(b.subarray(0, sectSize <= b.length ? sectSize : 512), 224) === dataViewLe32(b, 224);

  const notes: string[] = ['XFS v5'];
  const names: string[] = [];
  for (const [name, bit] of Object.entries(INCOMPAT)) if (incompat & bit) names.push(name);
  for (const [name, bit] of Object.entries(RO_COMPAT)) if (roCompat & bit) names.push(name);
  if (names.length) notes.push(`features: ${names.join(', ')}`);
  if (incompat & INCOMPAT.needsRepair) notes.push('superblock flags the filesystem as needing xfs_repair');
  if (!crcOk) notes.push('superblock CRC mismatch (read anyway)');
  notes.push('metadata CRCs other than the superblock are not verified; magic, owner and block numbers are');
  if (rblocks > 0) notes.push('has a realtime device; realtime files cannot be read');
  const inProgress = (b[126] as number) !== 0;
  if (inProgress) notes.push('mkfs did not finish (sb_inprogress set)');

  return {
    blockSize,
    blockLog,
    sectSize,
    dblocks,
    rblocks,
    uuid: uuidString(b.subarray(32, 48)),
    label,
    logStart: be64n(b, 48, 'log start', 48),
    logBlocks: be32(b, 96),
    rootIno: be64n(b, 56, 'root inode', 56),
    agBlocks,
    agCount,
    agBlkLog,
    inodeSize,
    inopBlock,
    inopBlog,
    dirBlkLog,
    dirBlockSize: blockSize << dirBlkLog,
    version,
    incompat,
    roCompat,
    inProgress,
    hasFtype: (incompat & INCOMPAT.ftype) !== 0,
    crcOk,
    notes,
  };
}

function dataViewLe32(b: Uint8Array, off: number): number {
  return (
    ((b[off] as number) |
      ((b[off + 1] as number) << 8) |
      ((b[off + 2] as number) << 16) |
      ((b[off + 3] as number) << 24)) >>>
    0
  );
}

/** Blocks in AG `agno` (the last AG may be shorter). */
export function agLength(sb: Superblock, agno: number): number {
  return agno === sb.agCount - 1 ? sb.dblocks - agno * sb.agBlocks : sb.agBlocks;
}

/**
 * Byte offset of filesystem block `fsb` (agno << agblklog | agbno), after checking that `count` blocks
 * from it stay inside one AG. `at` is where the block number was read, for the error.
 */
export function fsbToOffset(sb: Superblock, fsb: number, count: number, at: number): number {
  const agno = Math.floor(fsb / 2 ** sb.agBlkLog);
  const agbno = fsb % 2 ** sb.agBlkLog;
  if (!Number.isSafeInteger(fsb) || fsb < 0 || agno >= sb.agCount) {
    throw formatError(`block ${fsb} (AG ${agno}) lies outside the filesystem`, at);
  }
  if (count < 1 || agbno + count > agLength(sb, agno)) {
    throw formatError(`blocks ${agbno}+${count} lie outside AG ${agno}`, at);
  }
  return (agno * sb.agBlocks + agbno) * sb.blockSize;
}

/** Byte offset of inode `ino`, after checking that it names a slot inside an AG. */
export function inoToOffset(sb: Superblock, ino: number, at?: number): number {
  if (!Number.isSafeInteger(ino) || ino <= 0) throw formatError(`bad inode number ${ino}`, at ?? 0);
  const slot = ino % sb.inopBlock;
  const blockNo = Math.floor(ino / sb.inopBlock);
  const agno = Math.floor(blockNo / 2 ** sb.agBlkLog);
  const agbno = blockNo % 2 ** sb.agBlkLog;
  const offset = (agno * sb.agBlocks + agbno) * sb.blockSize + slot * sb.inodeSize;
  if (agno >= sb.agCount || agbno >= agLength(sb, agno) || agbno === 0) {
    // Without a referring structure, name where the inode would have been.
    throw formatError(`inode ${ino} (AG ${agno}, block ${agbno}) lies outside any AG`, at ?? offset);
  }
  return offset;
}
