/** The XFS filesystem behind the `FileSystem` interface: path-based reads of a v5 XFS volume. */
import type { DirEntry, FileSystem, FileSystemInfo, FsNode } from '../../types.ts';
import { type Extent, loadExtents, readMapped } from './bmap.ts';
import { formatError } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { walkDirectory } from './dir.ts';
import type { RawDirEntry } from './dir-entry.ts';
import { FORK_FORMAT, type Inode, readInode } from './inode.ts';
import { readSymlink } from './symlink.ts';

/** Largest single `read` answered, so a damaged size cannot make us allocate without bound. */
export const MAX_READ = 2 ** 30;
const INODE_CACHE = 1024;
const EXTENT_CACHE = 32;

const utf8 = new TextDecoder('utf-8');

class Lru<V> {
  readonly max: number;
  readonly map = new Map<number, V>();
  constructor(max: number) {
    this.max = max;
  }
  get(k: number): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: number, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as number);
  }
}

function toNode(i: Inode): FsNode {
  return {
    ino: i.ino,
    type: i.type,
    size: i.size,
    mode: i.mode,
    uid: i.uid,
    gid: i.gid,
    nlink: i.nlink,
    mtime: i.mtime,
    ctime: i.ctime,
    atime: i.atime,
  };
}

export class XfsFileSystem implements FileSystem {
  readonly info: FileSystemInfo;
  readonly ctx: XfsContext;
  readonly #inodes = new Lru<Inode>(INODE_CACHE);
  readonly #extents = new Lru<Extent[]>(EXTENT_CACHE);

  constructor(ctx: XfsContext, info: FileSystemInfo) {
    this.ctx = ctx;
    this.info = info;
  }

  async inode(ino: number, at?: number): Promise<Inode> {
    const cached = this.#inodes.get(ino);
    if (cached) return cached;
    const i = await readInode(this.ctx, ino, at);
    this.#inodes.set(ino, i);
    return i;
  }

  async extents(i: Inode): Promise<Extent[]> {
    const cached = this.#extents.get(i.ino);
    if (cached) return cached;
    const e = await loadExtents(this.ctx, i);
    this.#extents.set(i.ino, e);
    return e;
  }

  async root(): Promise<FsNode> {
    const node = toNode(await this.inode(this.ctx.sb.rootIno, 56));
    if (node.type !== 'dir') throw formatError('root inode is not a directory', 56);
    return node;
  }

  async getNode(ino: number): Promise<FsNode> {
    return toNode(await this.inode(ino));
  }

  async #entry(e: RawDirEntry): Promise<DirEntry> {
    const type = e.type ?? (await this.inode(e.ino, e.offset)).type;
    return { name: utf8.decode(e.name), ino: e.ino, type };
  }

  async readdir(dir: FsNode): Promise<DirEntry[]> {
    const raw: RawDirEntry[] = [];
    await walkDirectory(this.ctx, await this.inode(dir.ino), (e) => {
      raw.push({ ...e, name: e.name.slice() });
      return undefined;
    });
    const out: DirEntry[] = [];
    for (const e of raw) out.push(await this.#entry(e));
    return out;
  }

  async lookup(dir: FsNode, name: string): Promise<DirEntry | undefined> {
    const want = Buffer.from(name, 'utf8');
    if (want.length === 0 || want.length > 255 || name === '.' || name === '..' || name.includes('/'))
      return undefined;
    let found: RawDirEntry | undefined;
    await walkDirectory(this.ctx, await this.inode(dir.ino), (e) => {
      if (e.name.length === want.length && want.equals(e.name)) {
        found = { ...e, name: e.name.slice() };
        return true;
      }
      return undefined;
    });
    return found ? this.#entry(found) : undefined;
  }

  async read(file: FsNode, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`bad read range ${offset}+${length}`);
    }
    const i = await this.inode(file.ino);
    if (i.type !== 'file') throw new TypeError(`inode ${i.ino} is not a regular file`);
    if (offset >= i.size || length === 0) return new Uint8Array(0);
    const n = Math.min(length, i.size - offset);
    if (n > MAX_READ) throw new RangeError(`read of ${n} bytes exceeds the ${MAX_READ}-byte limit per call`);
    if (i.realtime) throw formatError(`inode ${i.ino}: realtime file data cannot be read`, i.offset + 90);
    if (i.format !== FORK_FORMAT.extents && i.format !== FORK_FORMAT.btree) {
      throw formatError(`inode ${i.ino}: regular file with data fork format ${i.format}`, i.offset + 5);
    }
    return readMapped(this.ctx, await this.extents(i), offset, n);
  }

  async readlink(link: FsNode): Promise<string> {
    return utf8.decode(await readSymlink(this.ctx, await this.inode(link.ino)));
  }
}
