import type { FsNode, NodeType } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { INCOMPAT, LAYER, MODE_TYPES, RO_COMPAT, S_IFMT } from './constants.ts';
import type { GroupDescriptors } from './group-descriptors.ts';
import type { Superblock } from './superblock.ts';
import type { ExtVolume } from './volume.ts';
import { i32, join64, u16, u32 } from './volume.ts';

export interface Inode {
  ino: number;
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  flags: number;
  /** 512-byte sectors, or filesystem blocks with the huge_file inode flag. */
  blocks: number;
  fileAcl: number;
  /** The 60-byte i_block area: block map, extent tree root, fast symlink or inline data. */
  iblock: Uint8Array;
  /** In-inode extended attribute area (after i_extra_isize), empty if none. */
  xattrArea: Uint8Array;
  xattrOffset: number;
  /** Volume offset of the inode, for error messages. */
  offset: number;
  mtime: number;
  ctime: number;
  atime: number;
}

/** Reads inode `ino` from its group's inode table (through the volume's block cache). */
export async function readInode(
  sb: Superblock,
  vol: ExtVolume,
  gds: GroupDescriptors,
  ino: number,
): Promise<Inode> {
  if (!Number.isSafeInteger(ino) || ino < 1 || ino > sb.inodesCount) {
    throw new DiskFormatError(LAYER, `inode number ${ino} out of range 1..${sb.inodesCount}`, 1024);
  }
  const group = Math.floor((ino - 1) / sb.inodesPerGroup);
  const index = (ino - 1) % sb.inodesPerGroup;
  const gd = await gds.get(group);
  const byteInTable = index * sb.inodeSize;
  const blockNo = gd.inodeTable + Math.floor(byteInTable / sb.blockSize);
  const block = await vol.block(blockNo, gd.offset + 0x8, `inode table of group ${group}`);
  const off = byteInTable % sb.blockSize;
  const raw = block.subarray(off, off + sb.inodeSize);
  const offset = blockNo * sb.blockSize + off;
  const uninit = (gd.flags & 0x1) !== 0 && (sb.roCompat & (RO_COMPAT.gdtCsum | RO_COMPAT.metadataCsum)) !== 0;
  return parseInode(sb, raw, ino, offset, uninit);
}

export function parseInode(
  sb: Superblock,
  raw: Uint8Array,
  ino: number,
  offset: number,
  uninit = false,
): Inode {
  const mode = u16(raw, 0x0);
  const nlink = u16(raw, 0x1a);
  const format = MODE_TYPES[(mode & S_IFMT) as keyof typeof MODE_TYPES];
  if (uninit || mode === 0 || (nlink === 0 && ino >= sb.firstIno)) {
    throw new DiskFormatError(LAYER, `inode ${ino} is not in use`, offset);
  }
  if (!format)
    throw new DiskFormatError(
      LAYER,
      `inode ${ino} has an unknown file type in mode 0o${mode.toString(8)}`,
      offset,
    );
  const flags = u32(raw, 0x20);
  const size = join64(u32(raw, 0x4), u32(raw, 0x6c));
  if (!Number.isSafeInteger(size))
    throw new DiskFormatError(LAYER, `inode ${ino} has an absurd size`, offset + 0x4);
  const large = sb.inodeSize > 128;
  const extra = large ? u16(raw, 0x80) : 0;
  if (large && (extra & 3 || 128 + extra > sb.inodeSize)) {
    throw new DiskFormatError(LAYER, `inode ${ino} has a bad i_extra_isize ${extra}`, offset + 0x80);
  }
  const time = (base: number, extraField: number) => {
    const seconds = i32(raw, base);
    if (128 + extra < extraField + 4) return seconds;
    const x = u32(raw, extraField);
    return seconds + (x & 3) * 0x1_0000_0000 + Math.floor(x / 4) / 1e9;
  };
  const blocksHi = sb.roCompat & RO_COMPAT.hugeFile ? u16(raw, 0x74) : 0;
  return {
    ino,
    type: format,
    mode,
    uid: u16(raw, 0x2) | (u16(raw, 0x78) << 16),
    gid: u16(raw, 0x18) | (u16(raw, 0x7a) << 16),
    nlink,
    size,
    flags,
    blocks: join64(u32(raw, 0x1c), blocksHi),
    fileAcl: join64(u32(raw, 0x68), sb.incompat & INCOMPAT.bit64 ? u16(raw, 0x76) : 0),
    iblock: raw.slice(0x28, 0x28 + 60),
    xattrArea: large ? raw.slice(128 + extra) : new Uint8Array(0),
    xattrOffset: offset + 128 + extra,
    offset,
    atime: time(0x8, 0x8c),
    ctime: time(0xc, 0x84),
    mtime: time(0x10, 0x88),
  };
}

export function toFsNode(i: Inode): FsNode {
  return {
    ino: i.ino,
    type: i.type,
    size: i.size,
    mode: i.mode,
    uid: i.uid >>> 0,
    gid: i.gid >>> 0,
    nlink: i.nlink,
    mtime: i.mtime,
    ctime: i.ctime,
    atime: i.atime,
  };
}
