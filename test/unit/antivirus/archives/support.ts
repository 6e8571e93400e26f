/**
 * Builders for archives the CLI tools will not write (overlapping members, lying sizes, zip64 records on
 * small files, thousands of members, bombs) and a collector for expandArchive's items.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { ArchiveItem, ArchiveLimits } from '../../../../shared/antivirus/archives/index.ts';
import { DEFAULT_ARCHIVE_LIMITS, expandArchive } from '../../../../shared/antivirus/archives/index.ts';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/antivirus/archives');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export const text = (s: string) => new TextEncoder().encode(s);

export async function collect(
  data: Uint8Array,
  path = 'top',
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveItem[]> {
  const items: ArchiveItem[] = [];
  for await (const item of expandArchive(data, { path }, limits)) items.push(item);
  return items;
}

/** Entries as `path → text`, not-scanned items as `path → !reason`. */
export function summary(items: ArchiveItem[]): string[] {
  return items.map((i) =>
    i.kind === 'entry' ? `${i.path} = ${new TextDecoder().decode(i.data)}` : `${i.path} !${i.reason}`,
  );
}

export interface ZipMember {
  name: string;
  data?: Uint8Array;
  /** 0 stored (default), 8 deflate, or any other number written as is. */
  method?: number;
  flags?: number;
  /** The uncompressed size to declare, if not the real one. */
  declaredSize?: number;
  /** The bytes to store, if not data (deflated when method is 8). */
  stored?: Uint8Array;
  /** Sizes go in a data descriptor after the data (flag bit 3), not the local header. */
  descriptor?: boolean;
  /** Sizes and offset as 0xffffffff with a zip64 extra field, in local header and directory. */
  zip64?: boolean;
}

export interface ZipOptions {
  /** Write the central directory and end record (default true). */
  central?: boolean;
  /** Bytes before the zip proper. */
  prefix?: Uint8Array;
  /** Write zip64 end record and locator too. */
  zip64End?: boolean;
}

/** A zip written field by field, as the APPNOTE describes. */
export function buildZip(members: ZipMember[], options: ZipOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    offset += b.length;
  };
  if (options.prefix) push(options.prefix);
  const base = offset;
  const central: Uint8Array[] = [];
  for (const m of members) {
    const data = m.data ?? new Uint8Array(0);
    const method = m.method ?? 0;
    const stored = m.stored ?? (method === 8 ? deflateRawSync(data) : data);
    const size = m.declaredSize ?? data.length;
    const flags = (m.flags ?? 0) | (m.descriptor ? 8 : 0) | 0x800;
    const name = text(m.name);
    const localOffset = offset - base;
    const crc = crc32(data);
    const zip64Local = m.zip64 ? le64s(size, stored.length) : new Uint8Array(0);
    const localExtra = m.zip64 ? concat([le16(1), le16(16), zip64Local]) : new Uint8Array(0);
    const inHeader = (v: number) => (m.descriptor ? 0 : m.zip64 ? 0xffffffff : v);
    push(
      concat([
        le32(0x04034b50),
        le16(m.zip64 ? 45 : 20),
        le16(flags),
        le16(method),
        le32(0),
        le32(m.descriptor ? 0 : crc),
        le32(inHeader(stored.length)),
        le32(inHeader(size)),
        le16(name.length),
        le16(localExtra.length),
        name,
        localExtra,
      ]),
    );
    push(stored);
    if (m.descriptor) {
      push(
        concat([
          le32(0x08074b50),
          le32(crc),
          ...(m.zip64 ? [le64s(stored.length, size)] : [le32(stored.length), le32(size)]),
        ]),
      );
    }
    const centralExtra = m.zip64
      ? concat([le16(1), le16(24), le64s(size, stored.length, localOffset)])
      : new Uint8Array(0);
    central.push(
      concat([
        le32(0x02014b50),
        le16(0x031e),
        le16(m.zip64 ? 45 : 20),
        le16(flags),
        le16(method),
        le32(0),
        le32(crc),
        le32(m.zip64 ? 0xffffffff : stored.length),
        le32(m.zip64 ? 0xffffffff : size),
        le16(name.length),
        le16(centralExtra.length),
        le16(0),
        le16(0),
        le16(0),
        le32(0),
        le32(m.zip64 ? 0xffffffff : localOffset),
        name,
        centralExtra,
      ]),
    );
  }
  if (options.central !== false)
    appendDirectory(push, central, offset - base, members.length, options.zip64End);
  return concat(parts);
}

/** Central directory, optional zip64 end record and locator, and end record. */
function appendDirectory(
  push: (b: Uint8Array) => void,
  central: Uint8Array[],
  directoryOffset: number,
  count: number,
  zip64End = false,
): void {
  const directory = concat(central);
  push(directory);
  if (zip64End) {
    const recordOffset = directoryOffset + directory.length;
    push(
      concat([
        le32(0x06064b50),
        le64s(44),
        le16(45),
        le16(45),
        le32(0),
        le32(0),
        le64s(count, count, directory.length, directoryOffset),
      ]),
    );
    push(concat([le32(0x07064b50), le32(0), le64s(recordOffset), le32(1)]));
  }
  push(
    concat([
      le32(0x06054b50),
      le16(0),
      le16(0),
      le16(zip64End ? 0xffff : count),
      le16(zip64End ? 0xffff : count),
      le32(directory.length),
      le32(zip64End ? 0xffffffff : directoryOffset),
      le16(0),
    ]),
  );
}

/**
 * A Fifield-style "better zip bomb": one deflated kernel at the end, and `count` local headers before
 * it, each followed by a stored deflate block that quotes the next header, so every member's data runs
 * through all the headers after it to the shared kernel. Expanded, it is count × kernel bytes and more.
 */
export function overlappingBomb(count: number, kernelBytes: number): Uint8Array {
  const kernel = deflateRawSync(new Uint8Array(kernelBytes));
  const names = Array.from({ length: count }, (_, i) => text(`f${i.toString().padStart(5, '0')}`));
  const headerSize = (i: number) => 30 + names[i]!.length;
  const quote = (i: number) => (i === count - 1 ? 0 : 5);
  // Offsets of each local header, and of the kernel.
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    offsets.push(at);
    at += headerSize(i) + quote(i);
  }
  const kernelOffset = at;
  const end = kernelOffset + kernel.length;
  const sizes = names.map((_, i) => {
    let size = kernelBytes;
    for (let j = i + 1; j < count; j++) size += headerSize(j);
    return size;
  });
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const dataStart = offsets[i]! + headerSize(i);
    const compressed = end - dataStart;
    const local = concat([
      le32(0x04034b50),
      le16(20),
      le16(0),
      le16(8),
      le32(0),
      le32(0),
      le32(compressed),
      le32(sizes[i]!),
      le16(names[i]!.length),
      le16(0),
      names[i]!,
    ]);
    parts.push(local);
    if (i < count - 1) {
      const quoted = headerSize(i + 1);
      parts.push(concat([new Uint8Array([0]), le16(quoted), le16(~quoted & 0xffff)]));
    }
    central.push(
      concat([
        le32(0x02014b50),
        le16(20),
        le16(20),
        le16(0),
        le16(8),
        le32(0),
        le32(0),
        le32(compressed),
        le32(sizes[i]!),
        le16(names[i]!.length),
        le16(0),
        le16(0),
        le16(0),
        le16(0),
        le32(0),
        le32(offsets[i]!),
        names[i]!,
      ]),
    );
  }
  parts.push(kernel);
  const directory = concat(central);
  parts.push(directory);
  parts.push(
    concat([
      le32(0x06054b50),
      le16(0),
      le16(0),
      le16(count),
      le16(count),
      le32(directory.length),
      le32(end),
      le16(0),
    ]),
  );
  return concat(parts);
}

/**
 * A 42.zip-like bomb: `layers` levels of zips, each holding `width` deflated copies of the level below;
 * the innermost holds `width` files of `leafBytes` zeros. Identical small members deflate to almost
 * nothing, so the whole stays a few tens of KB while expanding to width^layers × leafBytes.
 */
export function nestedBomb(layers: number, width: number, leafBytes: number): Uint8Array {
  const leaf = new Uint8Array(leafBytes);
  const leafStored = deflateRawSync(leaf, { level: 9 });
  let level = buildZip(
    Array.from({ length: width }, (_, i) => ({
      name: `${i}.bin`,
      data: leaf,
      method: 8,
      stored: leafStored,
    })),
  );
  for (let l = 1; l < layers; l++) {
    const inner = level;
    const innerStored = deflateRawSync(inner, { level: 9 });
    level = buildZip(
      Array.from({ length: width }, (_, i) => ({
        name: `${i}.zip`,
        data: inner,
        method: 8,
        stored: innerStored,
      })),
    );
  }
  return level;
}

/** `depth` zips, each holding the next; the innermost holds `leaf` as leaf.txt. */
export function nestedZips(depth: number, leaf: Uint8Array): Uint8Array {
  let data = buildZip([{ name: 'leaf.txt', data: leaf }]);
  for (let d = depth - 1; d >= 1; d--) data = buildZip([{ name: `level${d + 1}.zip`, data }]);
  return data;
}

export interface GzipOptions {
  name?: string;
  comment?: string;
  extra?: Uint8Array;
  headerCrc?: boolean;
  flags?: number;
}

/** One gzip member with the optional header fields. */
export function gzipMember(data: Uint8Array, options: GzipOptions = {}): Uint8Array {
  let flags = options.flags ?? 0;
  const fields: Uint8Array[] = [];
  if (options.extra) {
    flags |= 4;
    fields.push(le16(options.extra.length), options.extra);
  }
  if (options.name !== undefined) {
    flags |= 8;
    fields.push(text(options.name), new Uint8Array([0]));
  }
  if (options.comment !== undefined) {
    flags |= 16;
    fields.push(text(options.comment), new Uint8Array([0]));
  }
  if (options.headerCrc) {
    flags |= 2;
    fields.push(le16(0));
  }
  const header = new Uint8Array([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]);
  return concat([header, ...fields, deflateRawSync(data), le32(crc32(data)), le32(data.length >>> 0)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function le16(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff]);
}

export function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** Each value as an unsigned 64-bit little-endian field. */
export function le64s(...values: number[]): Uint8Array {
  const b = new Uint8Array(8 * values.length);
  const view = new DataView(b.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(8 * i, BigInt(v), true);
  return b;
}

/** A ustar archive of regular files (header fields this suite does not look at are left zero). */
export function buildTar(files: { name: string; data: Uint8Array; type?: string }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    const header = new Uint8Array(512);
    header.set(text(f.name).subarray(0, 100), 0);
    header.set(text('0000644\0'), 100);
    header.set(text(`${f.data.length.toString(8).padStart(11, '0')}\0`), 124);
    header.set(text('00000000000\0'), 136);
    header[156] = (f.type ?? '0').charCodeAt(0);
    header.set(text('ustar\u000000'), 257);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((n, b) => n + b, 0);
    header.set(text(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    blocks.push(header, f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}
