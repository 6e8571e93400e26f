/** ext2/3/4 on-disk constants (Linux fs/ext4/ext4.h, e2fsprogs lib/ext2fs/ext2_fs.h). */

export const LAYER = 'ext4';

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT_MAGIC = 0xef53;
export const ROOT_INO = 2;

export const COMPAT = {
  dirPrealloc: 0x1,
  imagicInodes: 0x2,
  hasJournal: 0x4,
  extAttr: 0x8,
  resizeInode: 0x10,
  dirIndex: 0x20,
  lazyBg: 0x40,
  excludeBitmap: 0x100,
  sparseSuper2: 0x200,
  fastCommit: 0x400,
  stableInodes: 0x800,
  orphanFile: 0x1000,
} as const;

export const INCOMPAT = {
  compression: 0x1,
  filetype: 0x2,
  recover: 0x4,
  journalDev: 0x8,
  metaBg: 0x10,
  extents: 0x40,
  bit64: 0x80,
  mmp: 0x100,
  flexBg: 0x200,
  eaInode: 0x400,
  dirdata: 0x1000,
  csumSeed: 0x2000,
  largedir: 0x4000,
  inlineData: 0x8000,
  encrypt: 0x10000,
  casefold: 0x20000,
} as const;

export const RO_COMPAT = {
  sparseSuper: 0x1,
  largeFile: 0x2,
  btreeDir: 0x4,
  hugeFile: 0x8,
  gdtCsum: 0x10,
  dirNlink: 0x20,
  extraIsize: 0x40,
  hasSnapshot: 0x80,
  quota: 0x100,
  bigalloc: 0x200,
  metadataCsum: 0x400,
  replica: 0x800,
  readonly: 0x1000,
  project: 0x2000,
  sharedBlocks: 0x4000,
  verity: 0x8000,
  orphanPresent: 0x10000,
} as const;

/** Incompatible features this reader understands (the data can be read correctly). */
export const INCOMPAT_SUPPORTED =
  INCOMPAT.filetype |
  INCOMPAT.recover |
  INCOMPAT.metaBg |
  INCOMPAT.extents |
  INCOMPAT.bit64 |
  INCOMPAT.mmp |
  INCOMPAT.flexBg |
  INCOMPAT.eaInode |
  INCOMPAT.csumSeed |
  INCOMPAT.largedir |
  INCOMPAT.inlineData |
  INCOMPAT.encrypt |
  INCOMPAT.casefold;

/** What ext3 knew; anything beyond makes the filesystem ext4 (as blkid decides). */
export const EXT3_INCOMPAT = INCOMPAT.filetype | INCOMPAT.recover | INCOMPAT.metaBg;
export const EXT3_RO_COMPAT = RO_COMPAT.sparseSuper | RO_COMPAT.largeFile | RO_COMPAT.btreeDir;

export const INODE_FLAG = {
  compressed: 0x4,
  encrypt: 0x800,
  index: 0x1000,
  hugeFile: 0x40000,
  extents: 0x80000,
  verity: 0x100000,
  eaInode: 0x200000,
  inlineData: 0x10000000,
  casefold: 0x40000000,
} as const;

export const S_IFMT = 0xf000;
export const MODE_TYPES = {
  4096: 'fifo',
  8192: 'chardev',
  16384: 'dir',
  24576: 'blockdev',
  32768: 'file',
  40960: 'symlink',
  49152: 'socket',
} as const;

/** Directory entry file_type codes (filetype feature). */
export const DIRENT_TYPES = [
  'unknown',
  'file',
  'dir',
  'chardev',
  'blockdev',
  'fifo',
  'socket',
  'symlink',
] as const;

export const EXTENT_MAGIC = 0xf30a;
export const MAX_EXTENT_DEPTH = 5;
export const MAX_SYMLINK = 4096;
