import type { FileSystem, FsNode } from '../../shared/disk/types.ts';

export interface WalkLimits {
  /** Stop after this many nodes (a fuzzed image may claim millions). */
  maxNodes: number;
  /** Stop reading file contents after this many bytes in all. */
  maxBytes: number;
  /**
   * Look up only the first this many names of each directory (and its last one); default: every name.
   * For readers whose lookup scans the directory, where looking up every name is quadratic.
   */
  maxLookupsPerDir?: number;
  /**
   * The filesystem keeps names and types twice, and a damaged image may make the copies disagree:
   * a hashed index (ext4 htree, XFS dir btree) that sends a renamed entry's lookup to another block,
   * a file type in the directory entry (which `DirEntry.type` reports) that is not the inode's. Then
   * a lookup that misses, or a type that differs, is the image's contradiction, not the reader's.
   */
  indexedNames?: boolean;
}

/** A name readdir gives that no lookup can match: lossy UTF-8 decoding (U+FFFD), "/" or NUL in it. */
function unmatchable(name: string): boolean {
  return /[\uFFFD/\0]/.test(name);
}

export interface WalkResult {
  nodes: number;
  bytes: number;
}

/**
 * Visits every directory (breadth first, each inode once), getNode + lookup for every entry, reads
 * every file in 1 MiB pieces and readlink of every symlink. Bounded by `limits`. Throws whatever the
 * filesystem throws; also throws a plain Error when the filesystem contradicts itself (lookup cannot
 * find a name readdir gave, getNode disagrees on the type — unless `indexedNames` — or a read returns too
 * many bytes).
 */
export async function walkFileSystem(
  fs: FileSystem,
  limits: WalkLimits = { maxNodes: 20_000, maxBytes: 256 * 1024 * 1024 },
): Promise<WalkResult> {
  const root = await fs.root();
  const seen = new Set<number>([root.ino]);
  const queue: FsNode[] = [root];
  let nodes = 1;
  let bytes = 0;
  while (queue.length && nodes < limits.maxNodes) {
    const dir = queue.shift()!;
    const entries = await fs.readdir(dir);
    const lookups = limits.maxLookupsPerDir ?? Number.POSITIVE_INFINITY;
    for (const [i, entry] of entries.entries()) {
      if (++nodes > limits.maxNodes) break;
      if (i < lookups || i === entries.length - 1) {
        const found = await fs.lookup(dir, entry.name);
        if (!found && !limits.indexedNames && !unmatchable(entry.name))
          throw new Error(`walk: lookup cannot find "${entry.name}" that readdir listed`);
      }
      const node = await fs.getNode(entry.ino);
      if (node.type !== entry.type && !limits.indexedNames)
        throw new Error(`walk: "${entry.name}" is ${entry.type} in readdir, ${node.type}`);
      if (seen.has(node.ino)) continue;
      seen.add(node.ino);
      if (node.type === 'dir') queue.push(node);
      else if (node.type === 'symlink') await fs.readlink(node);
      else if (node.type === 'file') {
        for (let off = 0; off < node.size && bytes < limits.maxBytes; ) {
          const want = Math.min(1 << 20, node.size - off);
          const got = await fs.read(node, off, want);
          if (got.length > want) throw new Error(`walk: read of ${want} bytes returned ${got.length}`);
          if (got.length === 0) break;
          off += got.length;
          bytes += got.length;
        }
      }
    }
  }
  return { nodes, bytes };
}
