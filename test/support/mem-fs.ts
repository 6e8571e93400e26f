/** An in-memory FileSystem for testing layers above the filesystem readers (the guest view). */
import type { DirEntry, FileSystem, FileSystemInfo, FsNode, NodeType } from '../../shared/disk/types.ts';

export type MemTree = { [name: string]: string | Uint8Array | MemTree | { symlink: string } };

interface MemNode {
  node: FsNode;
  children?: Map<string, number>;
  data?: Uint8Array;
  target?: string;
}

export class MemFs implements FileSystem {
  readonly info: FileSystemInfo;
  private readonly nodes = new Map<number, MemNode>();
  private next = 2;

  constructor(tree: MemTree, info: Partial<FileSystemInfo> = {}) {
    this.info = { kind: 'ext4', blockSize: 4096, size: 1 << 20, needsRecovery: false, notes: [], ...info };
    this.add(tree, 2);
  }

  private make(ino: number, type: NodeType, size: number): FsNode {
    return {
      ino,
      type,
      size,
      mode: type === 'dir' ? 0o40755 : 0o100644,
      uid: 0,
      gid: 0,
      nlink: 1,
      mtime: 0,
      ctime: 0,
      atime: 0,
    };
  }

  private add(tree: MemTree, ino: number): number {
    const children = new Map<string, number>();
    this.nodes.set(ino, { node: this.make(ino, 'dir', 4096), children });
    for (const [name, value] of Object.entries(tree)) {
      const child = ++this.next;
      if (typeof value === 'string' || value instanceof Uint8Array) {
        const data = typeof value === 'string' ? new TextEncoder().encode(value) : value;
        this.nodes.set(child, { node: this.make(child, 'file', data.length), data });
      } else if ('symlink' in value && typeof value.symlink === 'string') {
        this.nodes.set(child, {
          node: this.make(child, 'symlink', value.symlink.length),
          target: value.symlink,
        });
      } else {
        this.add(value as MemTree, child);
      }
      children.set(name, child);
    }
    return ino;
  }

  private get(ino: number): MemNode {
    const n = this.nodes.get(ino);
    if (!n) throw new Error(`memfs: no inode ${ino}`);
    return n;
  }

  async root() {
    return this.get(2).node;
  }
  async getNode(ino: number) {
    return this.get(ino).node;
  }
  async readdir(dir: FsNode): Promise<DirEntry[]> {
    return [...(this.get(dir.ino).children ?? [])].map(([name, ino]) => ({
      name,
      ino,
      type: this.get(ino).node.type,
    }));
  }
  async lookup(dir: FsNode, name: string) {
    const ino = this.get(dir.ino).children?.get(name);
    return ino === undefined ? undefined : { name, ino, type: this.get(ino).node.type };
  }
  async read(file: FsNode, offset: number, length: number) {
    return (this.get(file.ino).data ?? new Uint8Array()).slice(offset, offset + length);
  }
  async readlink(link: FsNode) {
    const t = this.get(link.ino).target;
    if (t === undefined) throw new Error('not a symlink');
    return t;
  }
}
