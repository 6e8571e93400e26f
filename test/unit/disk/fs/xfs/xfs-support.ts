/** Helpers of the XFS reader's tests: byte sources over buffers and files, fixtures, tree walks. */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ByteSource, DirEntry, FileSystem, FsNode } from '../../../../../shared/disk/types.ts';

export const FIXTURES = join(import.meta.dirname, '../../../../fixtures/disk/xfs');

export interface ManifestEntry {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev';
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  nlink?: number;
  size?: number;
  sha256?: string;
  linkTarget?: string;
  dataRanges?: [number, number][];
}

export interface FixtureManifest {
  geometry: { blockSize: number; agBlocks: number; agCount: number; inodeSize: number; uuid: string };
  rootIno: number;
  logState: string;
  frag?: {
    extents: { startOff: number; startBlock: number; count: number; unwritten: boolean }[];
    btreeBlocks: { node: number; leaves: number[] };
  };
  entries: Record<string, ManifestEntry>;
}

export function loadFixture(name: string): { image: Uint8Array; manifest: FixtureManifest } {
  const image = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, `${name}.img.gz`))));
  const manifest = JSON.parse(
    gunzipSync(readFileSync(join(FIXTURES, `${name}.manifest.json.gz`))).toString(),
  );
  return { image, manifest };
}

/** A byte source over a buffer that records the largest single read. */
export class BufferSource implements ByteSource {
  readonly buf: Uint8Array;
  readonly size: number;
  maxRead = 0;
  bytesRead = 0;
  constructor(buf: Uint8Array, size = buf.length) {
    this.buf = buf;
    this.size = size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError('bad read');
    }
    this.maxRead = Math.max(this.maxRead, length);
    this.bytesRead += length;
    return this.buf.slice(Math.min(offset, this.size), Math.min(offset + length, this.size));
  }
  async close(): Promise<void> {}
}

/** A byte source over a (possibly sparse) image file. */
export class FileSource implements ByteSource {
  readonly fd: number;
  readonly size: number;
  constructor(path: string, size: number) {
    this.fd = openSync(path, 'r');
    this.size = size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const b = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const r = readSync(this.fd, b, done, n - done, offset + done);
      if (r === 0) break;
      done += r;
    }
    return b.subarray(0, done);
  }
  async close(): Promise<void> {
    closeSync(this.fd);
  }
}

export interface Walked {
  node: FsNode;
  entry: DirEntry;
}

/** Every path below the root (relative, no leading slash), by readdir. */
export async function walk(fs: FileSystem): Promise<Map<string, Walked>> {
  const out = new Map<string, Walked>();
  const visit = async (dir: FsNode, prefix: string) => {
    for (const entry of await fs.readdir(dir)) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      const node = await fs.getNode(entry.ino);
      out.set(path, { node, entry });
      if (entry.type === 'dir') await visit(node, path);
    }
  };
  await visit(await fs.root(), '');
  return out;
}

/** sha256 of a whole file, read in bounded chunks. */
export async function hashFile(fs: FileSystem, node: FsNode, chunk = 1 << 20): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for (let pos = 0; pos < node.size; pos += chunk) h.update(await fs.read(node, pos, chunk));
  return h.digest('hex');
}

/** The fixture script's file content: filler with the tag and offset stamped at every 1 KiB. */
export function stampedContent(tag: string, size: number): Uint8Array {
  const b = Buffer.alloc(size, 0x2e);
  for (let off = 0; off < size; off += 1024) {
    const s = Buffer.from(`<${tag}@${off}>`);
    s.copy(b, off, 0, Math.min(s.length, size - off));
  }
  return new Uint8Array(b);
}
