import type { ByteSource, DirEntry, FileSystem, FileSystemInfo, FsNode, NodeType } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { COMPAT, DIRENT_TYPES, INCOMPAT, INODE_FLAG, LAYER, MAX_SYMLINK, ROOT_INO } from './constants.ts';
import { readData } from './data.ts';
import type { DirFormat, RawDirEntry } from './directory.ts';
import { parseDirBlock, readDirBlock, scanDirectory } from './directory.ts';
import { GroupDescriptors } from './group-descriptors.ts';
import { htreeLeaves } from './htree.ts';
import type { Inode } from './inode.ts';
import { readInode, toFsNode } from './inode.ts';
import type { Superblock } from './superblock.ts';
import { featureNotes } from './superblock.ts';
import { ExtVolume } from './volume.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** An ext2/ext3/ext4 filesystem read through a byte source; never writes, never replays the journal. */
export class ExtFileSystem implements FileSystem {
  readonly info: FileSystemInfo;
  readonly #sb: Superblock;
  readonly #vol: ExtVolume;
  readonly #gds: GroupDescriptors;
  readonly #dir: DirFormat;

  constructor(source: ByteSource, sb: Superblock) {
    this.#sb = sb;
    this.#vol = new ExtVolume(source, sb.blockSize, sb.blocksCount);
    this.#gds = new GroupDescriptors(sb, this.#vol);
    this.#dir = {
      filetype: (sb.incompat & INCOMPAT.filetype) !== 0,
      inodesCount: sb.inodesCount,
      blockSize: sb.blockSize,
    };
    const notes = featureNotes(sb);
    if (source.size < sb.blocksCount * sb.blockSize) {
      notes.push(
        `volume is ${source.size} bytes, smaller than the filesystem (${sb.blocksCount * sb.blockSize} bytes)`,
      );
    }
    this.info = {
      kind: sb.kind,
      uuid: sb.uuid,
      label: sb.label || undefined,
      blockSize: sb.blockSize,
      size: sb.blocksCount * sb.blockSize,
      needsRecovery: (sb.incompat & INCOMPAT.recover) !== 0,
      notes,
    };
    if (!sb.label) delete this.info.label;
  }

  #inode(ino: number): Promise<Inode> {
    return readInode(this.#sb, this.#vol, this.#gds, ino);
  }

  async #expect(node: FsNode, type: NodeType): Promise<Inode> {
    const inode = await this.#inode(node.ino);
    if (inode.type !== type) throw new Error(`inode ${node.ino} is a ${inode.type}, not a ${type}`);
    return inode;
  }

  async root(): Promise<FsNode> {
    const inode = await this.#inode(ROOT_INO);
    if (inode.type !== 'dir') {
      throw new DiskFormatError(
        LAYER,
        `root inode ${ROOT_INO} is a ${inode.type}, not a directory`,
        inode.offset,
      );
    }
    return toFsNode(inode);
  }

  async getNode(ino: number): Promise<FsNode> {
    return toFsNode(await this.#inode(ino));
  }

  async #entry(raw: RawDirEntry): Promise<DirEntry> {
    const name = decoder.decode(raw.name);
    const known = this.#dir.filetype ? DIRENT_TYPES[raw.fileType as 0] : undefined;
    if (known && known !== 'unknown') return { name, ino: raw.ino, type: known };
    return { name, ino: raw.ino, type: (await this.#inode(raw.ino)).type };
  }

  async readdir(dir: FsNode): Promise<DirEntry[]> {
    const inode = await this.#expect(dir, 'dir');
    const raws: RawDirEntry[] = [];
    await scanDirectory(this.#vol, inode, this.#dir, (entries) => {
      for (const e of entries) if (!isDot(e.name)) raws.push(e);
      return undefined;
    });
    const out: DirEntry[] = [];
    for (const raw of raws) out.push(await this.#entry(raw));
    return out;
  }

  async lookup(dir: FsNode, name: string): Promise<DirEntry | undefined> {
    const inode = await this.#expect(dir, 'dir');
    const want = encoder.encode(name);
    if (want.length === 0 || want.length > 255 || name.includes('/') || isDot(want)) return undefined;
    const match = (entries: RawDirEntry[]) => entries.find((e) => sameBytes(e.name, want));

    if (inode.flags & INODE_FLAG.index && !(inode.flags & (INODE_FLAG.inlineData | INODE_FLAG.casefold))) {
      const root = await readDirBlock(this.#vol, inode, 0);
      if (root && this.#sb.compat & COMPAT.dirIndex) {
        const leaves = await htreeLeaves({
          root: root.data,
          rootOffset: root.offset,
          name: want,
          seed: this.#sb.hashSeed,
          sbFlags: this.#sb.flags,
          largedir: (this.#sb.incompat & INCOMPAT.largedir) !== 0,
          readBlock: (lblk) => this.#dirBlock(inode, lblk),
        });
        if (leaves) {
          for await (const lblk of leaves) {
            const leaf = await this.#dirBlock(inode, lblk);
            if (!leaf) continue;
            const hit = match(parseDirBlock(leaf.data, leaf.offset, this.#dir));
            if (hit) return this.#entry(hit);
          }
          return undefined;
        }
      }
    }
    let found: RawDirEntry | undefined;
    const fold = inode.flags & INODE_FLAG.casefold ? foldName(name) : undefined;
    await scanDirectory(this.#vol, inode, this.#dir, (entries) => {
      found = fold
        ? entries.find((e) => !isDot(e.name) && foldName(decoder.decode(e.name)) === fold)
        : match(entries);
      return found !== undefined;
    });
    return found ? this.#entry(found) : undefined;
  }

  async #dirBlock(inode: Inode, lblk: number) {
    const blocks = Math.ceil(inode.size / this.#sb.blockSize);
    if (lblk >= blocks)
      throw new DiskFormatError(LAYER, `htree: block ${lblk} beyond the directory's ${blocks}`, inode.offset);
    return readDirBlock(this.#vol, inode, lblk);
  }

  async read(file: FsNode, offset: number, length: number): Promise<Uint8Array> {
    const inode = await this.#expect(file, 'file');
    return readData(this.#vol, inode, offset, length);
  }

  async readlink(link: FsNode): Promise<string> {
    const inode = await this.#expect(link, 'symlink');
    if (inode.size === 0 || inode.size > MAX_SYMLINK) {
      throw new DiskFormatError(
        LAYER,
        `symlink ${inode.ino} has an absurd length ${inode.size}`,
        inode.offset + 0x4,
      );
    }
    const fast =
      inode.size < 60 &&
      !(inode.flags & (INODE_FLAG.extents | INODE_FLAG.inlineData)) &&
      !(inode.flags & INODE_FLAG.encrypt);
    const bytes = fast
      ? inode.iblock.subarray(0, inode.size)
      : await readData(this.#vol, inode, 0, inode.size);
    return decoder.decode(bytes);
  }
}

function isDot(name: Uint8Array): boolean {
  return (
    (name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An approximation of the kernel's utf8 casefolding (NFD, then full case folding). */
function foldName(s: string): string {
  return s.normalize('NFD').toLowerCase();
}
