import type { NodeType } from '../../types.ts';

/** A directory entry as stored: the name's raw bytes, its inode, its file type if recorded (ftype). */
export interface RawDirEntry {
  name: Uint8Array;
  ino: number;
  type: NodeType | undefined;
  /** Volume offset of the entry, for errors about what it points to. */
  offset: number;
}

/** Return true to stop the walk. */
export type DirVisitor = (e: RawDirEntry) => boolean | undefined;

const FTYPES: Record<number, NodeType> = {
  1: 'file',
  2: 'dir',
  3: 'chardev',
  4: 'blockdev',
  5: 'fifo',
  6: 'socket',
  7: 'symlink',
};

/** The node type of an XFS_DIR3_FT_* value; undefined for 0 (unknown). */
export function nodeTypeOfFtype(ftype: number): NodeType | undefined {
  return FTYPES[ftype];
}

export function isDotOrDotDot(name: Uint8Array): boolean {
  return (
    (name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)
  );
}
