import type { FileSystem, FsNode } from '../types.ts';

const ROOT: FsNode = {
  ino: 1,
  type: 'dir',
  size: 0,
  mode: 0o40555,
  uid: 0,
  gid: 0,
  nlink: 2,
  mtime: 0,
  ctime: 0,
  atime: 0,
};

/** An empty directory to hang volumes on when no volume is a guest root (`/<volume id>`). */
export const emptyRoot: FileSystem = {
  info: {
    kind: 'ext4',
    blockSize: 0,
    size: 0,
    needsRecovery: false,
    notes: ['synthetic root: no volume holds an OS'],
  },
  root: async () => ROOT,
  getNode: async (ino) => {
    if (ino !== 1) throw new Error(`synthetic root has no inode ${ino}`);
    return ROOT;
  },
  readdir: async () => [],
  lookup: async () => undefined,
  read: async () => new Uint8Array(),
  readlink: async () => {
    throw new Error('synthetic root has no symbolic links');
  },
};
