/**
 * A small, bounded tar reader for APKINDEX.tar.gz: ustar and old-GNU headers, pax `x` records
 * (path, size), GNU `L` long names. Alpine's index is two gzip members, a signature tar cut short of
 * its end blocks and then the index tar; decompressed back to back they read as one archive, so zero
 * blocks are skipped rather than taken as the end. Checksums are verified.
 */
import { FeedFormatError } from '../types.ts';

export interface TarEntry {
  name: string;
  type: string;
  size: number;
  mtime: number;
  data: Uint8Array;
}

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function cstr(b: Uint8Array, at: number, len: number): string {
  const slice = b.subarray(at, at + len);
  const end = slice.indexOf(0);
  return utf8.decode(end === -1 ? slice : slice.subarray(0, end));
}

function octal(b: Uint8Array, at: number, len: number, what: string, location: string): number {
  if ((b[at]! & 0x80) !== 0) {
    let v = 0;
    for (let i = 1; i < len; i++) v = v * 256 + b[at + i]!;
    return v;
  }
  const s = latin1
    .decode(b.subarray(at, at + len))
    .replace(/[\0 ]+$/, '')
    .trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s))
    throw new FeedFormatError('tar', `bad ${what} field ${JSON.stringify(s)}`, location);
  return Number.parseInt(s, 8);
}

function checksumOk(h: Uint8Array, location: string): boolean {
  const stored = octal(h, 148, 8, 'checksum', location);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

function paxRecords(data: Uint8Array, location: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = utf8.decode(data);
  let at = 0;
  while (at < text.length) {
    const sp = text.indexOf(' ', at);
    const len = Number(text.slice(at, sp));
    if (sp === -1 || !Number.isInteger(len) || len <= 0)
      throw new FeedFormatError('tar', 'bad pax record', location);
    const record = text.slice(sp + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (eq === -1) throw new FeedFormatError('tar', 'bad pax record', location);
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

export interface TarLimits {
  maxEntries?: number;
  maxEntryBytes?: number;
}

/** Entries of regular files (type `0`/NUL) in order; pax/long-name records are applied, others skipped. */
export function readTar(tar: Uint8Array, location: string, limits: TarLimits = {}): TarEntry[] {
  const maxEntries = limits.maxEntries ?? 10_000;
  const maxEntryBytes = limits.maxEntryBytes ?? 512 * 1024 * 1024;
  const out: TarEntry[] = [];
  let at = 0;
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let seen = 0;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((x) => x === 0)) {
      at += BLOCK;
      continue;
    }
    if (!checksumOk(h, location))
      throw new FeedFormatError('tar', `header checksum mismatch at offset ${at}`, location);
    if (++seen > maxEntries) throw new FeedFormatError('tar', `more than ${maxEntries} entries`, location);
    const type = String.fromCharCode(h[156]!) === '\0' ? '0' : String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12, 'size', location);
    const magic = latin1.decode(h.subarray(257, 263));
    let name = cstr(h, 0, 100);
    if (magic.startsWith('ustar')) {
      const prefix = cstr(h, 345, 155);
      if (prefix && magic === 'ustar\x00') name = `${prefix}/${name}`;
    }
    if (pax?.has('size')) size = Number(pax.get('size'));
    if (!Number.isSafeInteger(size) || size < 0) throw new FeedFormatError('tar', 'bad entry size', location);
    if (size > maxEntryBytes)
      throw new FeedFormatError('tar', `entry of ${size} bytes over the limit`, location);
    const start = at + BLOCK;
    if (start + size > tar.length) throw new FeedFormatError('tar', `entry ${name} truncated`, location);
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = paxRecords(data, location);
      continue;
    }
    if (type === 'g') continue;
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (pax?.has('path')) name = pax.get('path')!;
    if (longName) name = longName;
    pax = undefined;
    longName = undefined;
    if (type === '0' || type === '7')
      out.push({ name, type, size, mtime: octal(h, 136, 12, 'mtime', location), data });
  }
  if (at !== tar.length && tar.length - at !== 0 && tar.subarray(at).some((x) => x !== 0))
    throw new FeedFormatError('tar', 'trailing bytes that are not a whole block', location);
  return out;
}
