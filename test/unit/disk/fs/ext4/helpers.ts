import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ByteSource, DirEntry, FileSystem, FsNode } from '../../../../../shared/disk/types.ts';
import type { TreeManifest } from '../../../../support/trees.ts';

export const FIXTURES = join(import.meta.dirname, '../../../../fixtures/disk/ext4');

/** A byte source over memory, counting reads. */
export function memSource(bytes: Uint8Array): ByteSource & { reads: number; bytesRead: number } {
  const src = {
    size: bytes.length,
    reads: 0,
    bytesRead: 0,
    async read(offset: number, length: number) {
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
        throw new RangeError(`bad read ${offset}+${length}`);
      }
      src.reads++;
      const out = bytes.slice(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
      src.bytesRead += out.length;
      return out;
    },
    async close() {},
  };
  return src;
}

export function loadFixture(name: string): { image: Uint8Array; manifest: TreeManifest } {
  const image = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, `${name}.img.gz`))));
  const manifest = JSON.parse(readFileSync(join(FIXTURES, `${name}.manifest.json`), 'utf8')) as TreeManifest;
  return { image, manifest };
}

export interface Walked {
  node: FsNode;
  entry: DirEntry;
}

/** Every path below the root (POSIX, no leading slash), skipping lost+found. */
export async function walk(fs: FileSystem, limit = 100_000): Promise<Map<string, Walked>> {
  const out = new Map<string, Walked>();
  const queue: [string, FsNode][] = [['', await fs.root()]];
  while (queue.length) {
    const [path, dir] = queue.shift()!;
    for (const entry of await fs.readdir(dir)) {
      if (!path && entry.name === 'lost+found') continue;
      const p = path ? `${path}/${entry.name}` : entry.name;
      const node = await fs.getNode(entry.ino);
      out.set(p, { node, entry });
      if (out.size > limit) throw new Error('too many files');
      if (node.type === 'dir') queue.push([p, node]);
    }
  }
  return out;
}

/** sha256 of a file read in chunks of `chunk` bytes. */
export async function hashFile(fs: FileSystem, node: FsNode, chunk = 1 << 20): Promise<string> {
  const h = createHash('sha256');
  for (let pos = 0; pos < node.size; pos += chunk) {
    const part = await fs.read(node, pos, chunk);
    if (part.length !== Math.min(chunk, node.size - pos)) throw new Error(`short read at ${pos}`);
    h.update(part);
  }
  return h.digest('hex');
}
