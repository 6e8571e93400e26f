/**
 * The layers of the guest disk reader, each behind one small interface:
 *
 *   block source (file, EBS snapshot) → container (raw, qcow2, vmdk) → partition table (mbr, gpt)
 *   → volume (partition, LVM logical volume, whole disk) → filesystem (ext4, xfs, vfat) → guest view
 *
 * Every layer reads through a `ByteSource` and exposes one; nothing here knows about tenants, queues
 * or HTTP. Offsets and sizes are byte counts held in JS numbers (exact up to 2^53, i.e. 8 PiB).
 */

/** Random-access reads of a byte range: a disk, a container's virtual disk, a partition, a volume. */
export interface ByteSource {
  /** Size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes from `offset`, or fewer only where the source ends; never stale or shared
   * buffer contents. Rejects negative or non-integer arguments. Reading at or past the end gives 0 bytes.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Counters of what a source really fetched from its backing store (not what callers asked for). */
export interface FetchStats {
  /** Read requests sent to the backing store (file reads, GetSnapshotBlock calls). */
  requests: number;
  /** Bytes fetched from the backing store. */
  bytesFetched: number;
  /** Blocks fetched (the source's own block size). */
  blocksFetched: number;
  /** Reads answered from the cache. */
  cacheHits: number;
}

export interface MeasuredSource extends ByteSource {
  stats(): FetchStats;
}

/** Errors of the disk reader name their layer and the offset where the problem is. */
export class DiskFormatError extends Error {
  override name = 'DiskFormatError';
  readonly layer: string;
  readonly offset: number | undefined;
  constructor(layer: string, message: string, offset?: number, options?: ErrorOptions) {
    super(`${layer}${offset === undefined ? '' : ` at offset ${offset}`}: ${message}`, options);
    this.layer = layer;
    this.offset = offset;
  }
}

// ---------------------------------------------------------------- containers

export interface ContainerInfo {
  format: 'raw' | 'qcow2' | 'vmdk';
  /** Virtual disk size in bytes. */
  virtualSize: number;
  /** Format details worth showing (qcow2 version, cluster size, vmdk create type, backing file…). */
  details: Record<string, string | number | boolean>;
}

export interface Container extends ByteSource {
  readonly info: ContainerInfo;
}

// ---------------------------------------------------------------- partitions and volumes

export interface Partition {
  /** 1-based, as the OS numbers them (MBR logical partitions start at 5). */
  number: number;
  /** Byte offset and length on the disk. */
  offset: number;
  size: number;
  scheme: 'mbr' | 'gpt';
  /** GPT type GUID (lower case) or MBR type byte as two hex digits. */
  type: string;
  /** GPT partition GUID (PARTUUID), lower case; MBR: `<disk signature>-<nn>` as Linux shows it. */
  partUuid?: string;
  /** GPT partition name. */
  name?: string;
  bootable?: boolean;
}

export interface PartitionTable {
  scheme: 'mbr' | 'gpt' | 'none';
  sectorSize: 512 | 4096;
  /** GPT disk GUID or MBR disk signature. */
  diskId?: string;
  partitions: Partition[];
  /** Things worth knowing: "primary GPT header damaged, backup used", … */
  notes: string[];
}

/** A byte range that may hold a filesystem: a whole disk, a partition or an LVM logical volume. */
export interface Volume {
  /** Stable, human-readable id: `disk0`, `disk0p2`, `lvm:rhel/root`. */
  id: string;
  source: ByteSource;
  kind: 'disk' | 'partition' | 'lvm';
  partition?: Partition;
  /** LVM: volume group and logical volume names. */
  lvm?: { vg: string; lv: string; uuid: string };
}

// ---------------------------------------------------------------- filesystems

export type NodeType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

export interface FsNode {
  /** Inode number (or the filesystem's equivalent), unique within the filesystem. */
  ino: number;
  type: NodeType;
  size: number;
  /** Permission bits and type as in st_mode. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Seconds since the epoch, with fractions where the filesystem keeps them. */
  mtime: number;
  ctime: number;
  atime: number;
}

export interface DirEntry {
  name: string;
  ino: number;
  /** From the directory entry where the filesystem records it; otherwise from the inode. */
  type: NodeType;
}

export interface FileSystemInfo {
  kind: 'ext2' | 'ext3' | 'ext4' | 'xfs' | 'vfat';
  uuid?: string;
  label?: string;
  blockSize: number;
  /** Bytes the filesystem spans. */
  size: number;
  /** The journal or log holds transactions not yet applied (a crash-consistent snapshot); not replayed. */
  needsRecovery: boolean;
  /** Features seen, checks skipped, anything a caller may want to report. */
  notes: string[];
}

export interface FileSystem {
  readonly info: FileSystemInfo;
  root(): Promise<FsNode>;
  getNode(ino: number): Promise<FsNode>;
  /** Entries of a directory, without "." and "..". */
  readdir(dir: FsNode): Promise<DirEntry[]>;
  /** One name in a directory; undefined if absent. May be faster than readdir (htree, btrees). */
  lookup(dir: FsNode, name: string): Promise<DirEntry | undefined>;
  /** Bytes of a regular file: exactly `length` bytes, fewer only at the end of the file; holes read as zeros. */
  read(file: FsNode, offset: number, length: number): Promise<Uint8Array>;
  readlink(link: FsNode): Promise<string>;
}

/** Reads a filesystem from a volume, or answers undefined when the volume does not hold this kind. */
export type FileSystemProbe = (volume: ByteSource) => Promise<FileSystem | undefined>;
