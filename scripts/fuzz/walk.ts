import type { FileSystem, FsNode } from '../../shared/disk/types.ts';

export interface WalkLimits {
  /** Stop after this many nodes (a fuzzed image may claim millions). */
  maxNodes: number;
  /** Stop reading file contents after this many bytes in all. */
  maxBytes: number;
}

export interface WalkResult {
  nodes: number;
  bytes: number;
}

/**
 * Visits every directory (breadth first, each inode once), getNode + lookup for every entry, reads
 * every file in 1 MiB pieces and readlink of every symlink. Bounded by `limits`. Throws whatever the
 * filesystem throws; also throws a plain Error when the filesystem contradicts itself (lookup cannot
 * find a name readdir gave, getNode disagrees on the type, a read returns too many bytes).
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
    for (const entry of await fs.readdir(dir)) {
      if (++nodes > limits.maxNodes) break;
      const found = await fs.lookup(dir, entry.name);
      if (!found) throw new Error(`walk: lookup cannot find "${entry.name}" that readdir listed`);
      const node = await fs.getNode(entry.ino);
      if (node.type !== entry.type)
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
