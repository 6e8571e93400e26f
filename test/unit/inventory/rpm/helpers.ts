/** Shared by the rpm inventory tests: fixtures, an in-memory guest, an ndb writer and a header builder. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { GuestView } from '../../../../shared/disk/guest/guest-view.ts';
import { adler32 } from '../../../../shared/inventory/rpm/ndb.ts';
import type { InstalledPackage } from '../../../../shared/inventory/types.ts';
import { MemFs, type MemTree } from '../../../support/mem-fs.ts';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/inventory/rpm');

/** A committed fixture file, gunzipped. */
export function fixture(path: string, dir = FIXTURES): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(dir, `${path}.gz`))));
}

/** rpm's own listing of a fixture (scripts/fixtures/rpm.sh), one `name\tepochnum:version-release\tarch` a line. */
export function expectedList(dir: string, root = FIXTURES): string[] {
  return readFileSync(join(root, dir, 'expected.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean);
}

/** Packages in the same shape as the rpm -qa oracle, sorted. */
export function asOracle(packages: InstalledPackage[]): string[] {
  return packages
    .map((p) => `${p.name}\t${p.version.includes(':') ? p.version : `0:${p.version}`}\t${p.arch ?? '(none)'}`)
    .sort();
}

/** A guest with a single root filesystem holding `tree`. */
export function guestOf(tree: MemTree): GuestView {
  return new GuestView([{ mountPoint: '/', volumeId: 'test', fs: new MemFs(tree) }]);
}

/** A tree with files at absolute paths (`/var/lib/rpm/Packages` → nested dirs). */
export function treeOf(files: Record<string, Uint8Array | { symlink: string }>): MemTree {
  const root: MemTree = {};
  for (const [path, value] of Object.entries(files)) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      dir[part] ??= {};
      dir = dir[part] as MemTree;
    }
    dir[parts.at(-1)!] = value;
  }
  return root;
}

/** Every (hnum, blob) of an rpmdb.sqlite image (and WAL), read through a temporary copy. */
export function sqliteBlobs(db: Uint8Array, wal?: Uint8Array): { instance: number; blob: Uint8Array }[] {
  const dir = mkdtempSync(join(tmpdir(), 'ob-rpm-test-'));
  try {
    writeFileSync(join(dir, 'rpmdb.sqlite'), db);
    if (wal) writeFileSync(join(dir, 'rpmdb.sqlite-wal'), wal);
    const conn = new DatabaseSync(join(dir, 'rpmdb.sqlite'), { readOnly: true });
    const rows = conn.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all();
    conn.close();
    return rows.map((r) => ({ instance: Number(r.hnum), blob: new Uint8Array(r.blob as Uint8Array) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An ndb Packages.db holding `blobs`, laid out as rpm's lib/backend/ndb/rpmpkg.c writes it (header, slot
 * pages of 16-byte slots, blobs in 16-byte blocks with head, padding, adler32 tail). rpm on Debian cannot
 * write ndb, so this writer follows the source; the reader is checked against it.
 */
export function writeNdb(
  blobs: { instance: number; blob: Uint8Array }[],
  timestamp = 1_700_000_000,
): Uint8Array {
  const slotsPerPage = 4096 / 16;
  const slotPages = Math.max(1, Math.ceil((blobs.length + 2) / slotsPerPage));
  const sizes = blobs.map((b) => Math.ceil((16 + b.blob.length + 12) / 16) * 16);
  const total = slotPages * 4096 + sizes.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x506d7052, true);
  v.setUint32(4, 0, true);
  v.setUint32(8, blobs.length + 1, true);
  v.setUint32(12, slotPages, true);
  v.setUint32(16, Math.max(0, ...blobs.map((b) => b.instance)) + 1, true);
  for (let at = 32; at < slotPages * 4096; at += 16) v.setUint32(at, 0x746f6c53, true);
  let pos = slotPages * 4096;
  blobs.forEach((b, i) => {
    const slot = 32 + i * 16;
    v.setUint32(slot + 4, b.instance, true);
    v.setUint32(slot + 8, pos / 16, true);
    v.setUint32(slot + 12, sizes[i]! / 16, true);
    v.setUint32(pos, 0x53626c42, true);
    v.setUint32(pos + 4, b.instance, true);
    v.setUint32(pos + 8, timestamp, true);
    v.setUint32(pos + 12, b.blob.length, true);
    out.set(b.blob, pos + 16);
    const tail = pos + sizes[i]! - 12;
    v.setUint32(tail, adler32(out.subarray(pos, tail)), true);
    v.setUint32(tail + 4, b.blob.length, true);
    v.setUint32(tail + 8, 0x45626c42, true);
    pos += sizes[i]!;
  });
  return out;
}

export interface TagValue {
  tag: number;
  type: number;
  /** Strings for string types, numbers for ints, bytes for BIN/CHAR. */
  value: string | string[] | number[] | Uint8Array;
}

const ALIGN: Record<number, number> = { 3: 2, 4: 4, 5: 8 };

/**
 * A header blob as rpm stores it in the database: an immutable region (tag 63) over all entries, data
 * aligned per type, the region trailer last. `region: false` leaves the region out.
 */
export function buildHeader(tags: TagValue[], options: { region?: boolean } = {}): Uint8Array {
  const region = options.region ?? true;
  const enc = new TextEncoder();
  const chunks: { entry: [number, number, number, number]; bytes: Uint8Array; align: number }[] = [];
  for (const t of tags) {
    let bytes: Uint8Array;
    let count: number;
    if (typeof t.value === 'string') {
      bytes = enc.encode(`${t.value}\0`);
      count = 1;
    } else if (t.value instanceof Uint8Array) {
      bytes = t.value;
      count = t.value.length;
    } else if (t.value.length > 0 && typeof t.value[0] === 'string') {
      const strs = t.value as string[];
      bytes = enc.encode(strs.map((s) => `${s}\0`).join(''));
      count = strs.length;
    } else {
      const nums = t.value as number[];
      const size = t.type === 3 ? 2 : t.type === 4 ? 4 : t.type === 5 ? 8 : 1;
      bytes = new Uint8Array(nums.length * size);
      const dv = new DataView(bytes.buffer);
      nums.forEach((n, i) => {
        if (size === 1) dv.setUint8(i, n);
        else if (size === 2) dv.setUint16(i * 2, n);
        else if (size === 4) dv.setUint32(i * 4, n);
        else dv.setBigUint64(i * 8, BigInt(n));
      });
      count = nums.length;
    }
    chunks.push({ entry: [t.tag, t.type, 0, count], bytes, align: ALIGN[t.type] ?? 1 });
  }
  const il = chunks.length + (region ? 1 : 0);
  const data: number[] = [];
  for (const c of chunks) {
    while (data.length % c.align !== 0) data.push(0);
    c.entry[2] = data.length;
    data.push(...c.bytes);
  }
  const trailerAt = data.length;
  if (region) data.push(...new Array(16).fill(0));
  const dl = data.length;
  const out = new Uint8Array(8 + il * 16 + dl);
  const v = new DataView(out.buffer);
  v.setUint32(0, il);
  v.setUint32(4, dl);
  const entries: [number, number, number, number][] = [];
  if (region) entries.push([63, 7, trailerAt, 16]);
  entries.push(...chunks.map((c) => c.entry));
  entries.forEach((e, i) => {
    v.setInt32(8 + i * 16, e[0]);
    v.setInt32(12 + i * 16, e[1]);
    v.setInt32(16 + i * 16, e[2]);
    v.setUint32(20 + i * 16, e[3]);
  });
  out.set(data, 8 + il * 16);
  if (region) {
    const t = 8 + il * 16 + trailerAt;
    v.setInt32(t, 63);
    v.setInt32(t + 4, 7);
    v.setInt32(t + 8, -il * 16);
    v.setUint32(t + 12, 16);
  }
  return out;
}

/** A minimal package header. */
export function packageHeader(fields: {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
}): Uint8Array {
  const tags: TagValue[] = [
    { tag: 1000, type: 6, value: fields.name },
    { tag: 1001, type: 6, value: fields.version },
    { tag: 1002, type: 6, value: fields.release },
  ];
  if (fields.epoch !== undefined) tags.push({ tag: 1003, type: 4, value: [fields.epoch] });
  if (fields.arch) tags.push({ tag: 1022, type: 6, value: fields.arch });
  if (fields.sourceRpm) tags.push({ tag: 1044, type: 6, value: fields.sourceRpm });
  return buildHeader(tags);
}

/** A seeded PRNG for the fuzz loops. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}
