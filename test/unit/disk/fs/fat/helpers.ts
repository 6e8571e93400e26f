import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { memorySource } from '../../../../../scripts/fuzz/memory-source.ts';
import type { Geometry } from '../../../../../shared/disk/fs/fat/boot.ts';
import { parseBoot } from '../../../../../shared/disk/fs/fat/boot.ts';
import { probeFat } from '../../../../../shared/disk/fs/fat/index.ts';
import type { FileSystem, FsNode } from '../../../../../shared/disk/types.ts';

export const FIXTURES = join(import.meta.dirname, '../../../../fixtures/disk/fat');

export interface ManifestEntry {
  path: string;
  type: 'file' | 'dir';
  size?: number;
  sha256?: string;
}

export interface Manifest {
  images: { file: string; fatType: 12 | 16 | 32; label: string; uuid: string; clusterSize: number }[];
  mtime: number;
  entries: ManifestEntry[];
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

/** A fresh, writable copy of a fixture image. */
export function image(file: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, file))));
}

export async function open(bytes: Uint8Array): Promise<FileSystem> {
  const fs = await probeFat(memorySource(bytes));
  if (!fs) throw new Error('not recognised as FAT');
  return fs;
}

export function geometry(bytes: Uint8Array): Geometry {
  return parseBoot(bytes.subarray(0, 512), bytes.length)!;
}

export interface Walked extends ManifestEntry {
  node: FsNode;
}

/** Every path below the root with its node, file contents hashed. */
export async function walk(fs: FileSystem): Promise<Map<string, Walked>> {
  const out = new Map<string, Walked>();
  const visit = async (dir: FsNode, prefix: string) => {
    for (const e of await fs.readdir(dir)) {
      const node = await fs.getNode(e.ino);
      const path = prefix + e.name;
      if (node.type === 'dir') {
        out.set(path, { path, type: 'dir', node });
        await visit(node, `${path}/`);
      } else {
        const data = await fs.read(node, 0, node.size);
        const sha256 = createHash('sha256').update(data).digest('hex');
        out.set(path, { path, type: 'file', size: data.length, sha256, node });
      }
    }
  };
  await visit(await fs.root(), '');
  return out;
}

/** Resolves a slash-separated path with lookup. */
export async function resolve(fs: FileSystem, path: string): Promise<FsNode | undefined> {
  let node = await fs.root();
  for (const part of path.split('/').filter(Boolean)) {
    const e = await fs.lookup(node, part);
    if (!e) return undefined;
    node = await fs.getNode(e.ino);
  }
  return node;
}

/** First cluster recorded in the short entry at `ino`. */
export function firstCluster(bytes: Uint8Array, ino: number, g: Geometry): number {
  const lo = bytes[ino + 26]! | (bytes[ino + 27]! << 8);
  const hi = g.fatType === 32 ? bytes[ino + 20]! | (bytes[ino + 21]! << 8) : 0;
  return hi * 0x10000 + lo;
}

/** Overwrites cluster `n`'s entry in every FAT. */
export function setFatEntry(bytes: Uint8Array, g: Geometry, n: number, value: number): void {
  for (let f = 0; f < g.numFats; f++) {
    const base = (g.reservedSectors + f * g.fatSectors) * g.bytesPerSector;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    if (g.fatType === 16) view.setUint16(base + n * 2, value, true);
    else if (g.fatType === 32) view.setUint32(base + n * 4, value, true);
    else {
      const at = base + n + (n >> 1);
      const old = view.getUint16(at, true);
      view.setUint16(at, n & 1 ? (old & 0x000f) | (value << 4) : (old & 0xf000) | (value & 0xfff), true);
    }
  }
}

export function fatEntry(bytes: Uint8Array, g: Geometry, n: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const base = g.reservedSectors * g.bytesPerSector;
  if (g.fatType === 16) return view.getUint16(base + n * 2, true);
  if (g.fatType === 32) return view.getUint32(base + n * 4, true) & 0x0fffffff;
  const v = view.getUint16(base + n + (n >> 1), true);
  return n & 1 ? v >> 4 : v & 0xfff;
}
