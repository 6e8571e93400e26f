/**
 * A read-only FAT12/16/32 filesystem. FAT has no inodes: a node's number is the volume byte offset of
 * its short directory entry (always a multiple of 32 past the boot sector), the root's is 1, and
 * everything about a node is read back from that entry, so `getNode` works for every number handed out.
 */

import { LruCache } from '../../lru.ts';
import type { ByteSource, DirEntry, FileSystem, FileSystemInfo, FsNode } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import type { Geometry } from './boot.ts';
import { clusterOffset, LAYER } from './boot.ts';
import type { Entry, ShortEntry } from './dirent.ts';
import {
  ATTR_DIRECTORY,
  ATTR_READ_ONLY,
  ENTRY_SIZE,
  entryKind,
  parseDirectory,
  parseShort,
} from './dirent.ts';
import { readExact } from './io.ts';
import { foldName } from './names.ts';
import type { FatTable } from './table.ts';

export const ROOT_INO = 1;
/** A directory holds at most 65,536 entries (2 MiB); longer ones are corrupt. */
const MAX_DIR_BYTES = 65536 * ENTRY_SIZE;
const MAX_NOTES = 50;

interface Directory {
  entries: Entry[];
  label?: string;
  /** Folded long and short names → first entry with that name (built on first lookup). */
  index?: Map<string, Entry>;
}

export class FatFileSystem implements FileSystem {
  readonly info: FileSystemInfo;
  readonly #source: ByteSource;
  readonly #g: Geometry;
  readonly #fat: FatTable;
  readonly #dirs = new LruCache<number, Directory>(32);
  readonly #entries = new LruCache<number, ShortEntry>(4096);
  /** Cluster chains by `first:count`: entries sharing a chain (cross-links) walk it once. */
  readonly #chains = new LruCache<string, number[]>(8);
  #notes = 0;

  constructor(source: ByteSource, g: Geometry, fat: FatTable, info: FileSystemInfo) {
    this.#source = source;
    this.#g = g;
    this.#fat = fat;
    this.info = info;
  }

  /** Adds a note to `info.notes`, at most MAX_NOTES of them. */
  note(message: string): void {
    this.#notes++;
    if (this.#notes <= MAX_NOTES) this.info.notes.push(message);
    else if (this.#notes === MAX_NOTES + 1) this.info.notes.push('further notes suppressed');
  }

  async root(): Promise<FsNode> {
    return {
      ino: ROOT_INO,
      type: 'dir',
      size: 0,
      mode: 0o40755,
      uid: 0,
      gid: 0,
      nlink: 2,
      mtime: 0,
      ctime: 0,
      atime: 0,
    };
  }

  async getNode(ino: number): Promise<FsNode> {
    if (ino === ROOT_INO) return this.root();
    return toNode(await this.#entryAt(ino));
  }

  async readdir(dir: FsNode): Promise<DirEntry[]> {
    const d = await this.#directory(dir);
    return d.entries.map((e) => ({
      name: e.name,
      ino: e.offset,
      type: e.attr & ATTR_DIRECTORY ? 'dir' : 'file',
    }));
  }

  async lookup(dir: FsNode, name: string): Promise<DirEntry | undefined> {
    const d = await this.#directory(dir);
    if (!d.index) {
      const index = new Map<string, Entry>();
      for (const x of d.entries) if (!index.has(foldName(x.name))) index.set(foldName(x.name), x);
      for (const x of d.entries) if (!index.has(foldName(x.short))) index.set(foldName(x.short), x);
      d.index = index;
    }
    const e = d.index.get(foldName(name));
    return e && { name: e.name, ino: e.offset, type: e.attr & ATTR_DIRECTORY ? 'dir' : 'file' };
  }

  async read(file: FsNode, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`fat: bad read range ${offset}+${length}`);
    }
    const e = await this.#entryAt(file.ino);
    if (e.attr & ATTR_DIRECTORY) throw new Error(`fat: node ${file.ino} is a directory, not a file`);
    if (offset >= e.size || length === 0) return new Uint8Array(0);
    const len = Math.min(length, e.size - offset);
    const chain = await this.#fileChain(e);
    const cs = this.#g.clusterSize;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const index = Math.floor(pos / cs);
      const within = pos - index * cs;
      const remaining = len - done;
      const first = chain[index]!;
      let run = 1; // coalesce physically contiguous clusters into one read
      while (
        index + run < chain.length &&
        chain[index + run] === first + run &&
        run * cs - within < remaining
      )
        run++;
      const n = Math.min(run * cs - within, remaining);
      out.set(await readExact(this.#source, clusterOffset(this.#g, first) + within, n), done);
      done += n;
    }
    return out;
  }

  async readlink(link: FsNode): Promise<string> {
    throw new Error(`fat: FAT has no symbolic links (node ${link.ino} is a ${link.type})`);
  }

  /** The root directory's label entry (blkid prefers it to the boot sector's copy). */
  async rootLabel(): Promise<string | undefined> {
    return (await this.#rootDirectory()).label;
  }

  async #entryAt(ino: number): Promise<ShortEntry> {
    const cached = this.#entries.get(ino);
    if (cached) return cached;
    const g = this.#g;
    const inRoot =
      g.rootEntries > 0 && ino >= g.rootDirOffset && ino < g.rootDirOffset + g.rootEntries * ENTRY_SIZE;
    const inData = ino >= g.dataOffset && ino < g.dataOffset + g.clusterCount * g.clusterSize;
    if (!Number.isSafeInteger(ino) || ino % ENTRY_SIZE !== 0 || !(inRoot || inData)) {
      throw new DiskFormatError(LAYER, `node ${ino} is not a directory entry position`, ino);
    }
    const bytes = await readExact(this.#source, ino, ENTRY_SIZE);
    if (entryKind(bytes) !== 'short') throw new DiskFormatError(LAYER, `no file entry at node ${ino}`, ino);
    const e = parseShort(bytes, ino, g.fatType === 32);
    this.#entries.set(ino, e);
    return e;
  }

  async #directory(dir: FsNode): Promise<Directory> {
    if (dir.ino === ROOT_INO) return this.#rootDirectory();
    const e = await this.#entryAt(dir.ino);
    if (!(e.attr & ATTR_DIRECTORY)) throw new Error(`fat: node ${dir.ino} is a file, not a directory`);
    if (e.firstCluster === 0)
      throw new DiskFormatError(LAYER, `directory "${e.short}" has no clusters`, e.offset);
    return this.#chainDirectory(e.firstCluster, `directory "${e.short}"`, e.offset);
  }

  async #rootDirectory(): Promise<Directory> {
    const g = this.#g;
    if (g.fatType === 32) return this.#chainDirectory(g.rootCluster, 'root directory', 44);
    const cached = this.#dirs.get(0);
    if (cached) return cached;
    const bytes = await readExact(this.#source, g.rootDirOffset, g.rootEntries * ENTRY_SIZE);
    return this.#remember(0, [{ offset: g.rootDirOffset, bytes }]);
  }

  async #chainDirectory(first: number, what: string, at: number): Promise<Directory> {
    const cached = this.#dirs.get(first);
    if (cached) return cached;
    const max = Math.max(1, Math.floor(MAX_DIR_BYTES / this.#g.clusterSize));
    let clusters: number[];
    try {
      clusters = await this.#fat.chain(first, max, what, at);
    } catch (err) {
      if (err instanceof DiskFormatError && err.message.includes('longer than')) {
        throw new DiskFormatError(LAYER, `${what} never ends (over 65,536 entries)`, err.offset, {
          cause: err,
        });
      }
      throw err;
    }
    const segments: { offset: number; bytes: Uint8Array }[] = [];
    for (const c of clusters) {
      const offset = clusterOffset(this.#g, c);
      segments.push({ offset, bytes: await readExact(this.#source, offset, this.#g.clusterSize) });
    }
    return this.#remember(first, segments);
  }

  #remember(key: number, segments: { offset: number; bytes: Uint8Array }[]): Directory {
    const parsed = parseDirectory(segments, this.#g.fatType === 32, (m) => this.note(m));
    for (const e of parsed.entries) this.#entries.set(e.offset, e);
    const d: Directory = { entries: parsed.entries, label: parsed.label };
    this.#dirs.set(key, d);
    return d;
  }

  async #fileChain(e: ShortEntry): Promise<number[]> {
    const g = this.#g;
    const needed = Math.ceil(e.size / g.clusterSize);
    const key = `${e.firstCluster}:${needed}`;
    const cached = this.#chains.get(key);
    if (cached) return cached;
    const what = `file "${e.short}"`;
    if (needed > g.clusterCount) {
      throw new DiskFormatError(
        LAYER,
        `${what} of ${e.size} bytes needs more clusters than the volume has`,
        e.offset,
      );
    }
    if (e.firstCluster === 0)
      throw new DiskFormatError(LAYER, `${what} of ${e.size} bytes has no clusters`, e.offset);
    const chain = await this.#fat.chain(e.firstCluster, needed, what, e.offset);
    if (chain.length < needed) {
      const last = this.#fat.entryOffset(chain[chain.length - 1]!);
      throw new DiskFormatError(
        LAYER,
        `${what}: chain ends after ${chain.length} of ${needed} clusters`,
        last,
      );
    }
    this.#chains.set(key, chain);
    return chain;
  }
}

function toNode(e: ShortEntry): FsNode {
  const dir = (e.attr & ATTR_DIRECTORY) !== 0;
  // Linux's default vfat mount: 0755, read-only attribute clears write bits of files
  const mode = dir ? 0o40755 : e.attr & ATTR_READ_ONLY ? 0o100555 : 0o100755;
  return {
    ino: e.offset,
    type: dir ? 'dir' : 'file',
    size: dir ? 0 : e.size,
    mode,
    uid: 0,
    gid: 0,
    nlink: dir ? 2 : 1,
    mtime: e.mtime,
    ctime: e.crtime,
    atime: e.atime,
  };
}
