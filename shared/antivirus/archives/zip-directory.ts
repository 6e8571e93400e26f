/**
 * The zip central directory: the end record (and its zip64 twin) found from the end of the file, and the
 * entries it lists, with zip64 extra fields applied. Offsets are corrected for bytes prepended to the zip.
 */
import type { ByteReader } from './bytes.ts';
import { decodeName } from './bytes.ts';
import { ArchiveFormatError } from './errors.ts';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
export const SIG_END64 = 0x06064b50;
export const SIG_LOCATOR64 = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

const END_SIZE = 22;
const CENTRAL_SIZE = 46;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA = 0x0001;

export interface CentralEntry {
  /** Position in the directory, from 0. */
  readonly index: number;
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Where the entry's local header is, prepended bytes accounted for. */
  readonly localOffset: number;
}

export interface CentralDirectory {
  readonly entries: CentralEntry[];
  /** Bytes before the zip proper (a self-extractor's stub, say), added to every stored offset. */
  readonly shift: number;
}

/**
 * The zip's central directory, or undefined when there is no end record (a truncated zip, or one only
 * ever meant to be streamed). Throws ArchiveFormatError when the records are there but inconsistent.
 */
export function readCentralDirectory(r: ByteReader, path: string): CentralDirectory | undefined {
  const end = findEnd(r);
  if (end === undefined) return undefined;
  const fail = (message: string, offset: number) => new ArchiveFormatError('zip', path, message, offset);

  if (r.u16(end + 4) !== 0 || r.u16(end + 6) !== 0) {
    throw fail('the zip spans several disks; multi-disk zips are not supported', end);
  }
  let count = r.u16(end + 10)!;
  let size = r.u32(end + 12)!;
  let offset = r.u32(end + 16)!;
  let directoryEnd = end;

  const locator = end - 20;
  if (locator >= 0 && r.u32(locator) === SIG_LOCATOR64) {
    const record = findEnd64(r, locator);
    if (record === undefined) throw fail('zip64 end record is missing where its locator points', locator);
    count = r.u64(record + 32)!;
    size = r.u64(record + 40)!;
    offset = r.u64(record + 48)!;
    if (count < 0 || size < 0 || offset < 0) throw fail('zip64 end record holds an impossible size', record);
    directoryEnd = record;
  }

  const shift = directoryEnd - (offset + size);
  if (shift < 0) {
    throw fail(`central directory (offset ${offset}, ${size} bytes) runs past its end record`, directoryEnd);
  }
  if (count > Math.floor(size / CENTRAL_SIZE)) {
    throw fail(`end record lists ${count} entries, more than ${size} bytes of directory can hold`, end);
  }
  const entries: CentralEntry[] = [];
  let at = offset + shift;
  for (let index = 0; index < count; index++) {
    const entry = readEntry(r, at, index, shift, path);
    entries.push(entry.entry);
    at = entry.next;
  }
  return { entries, shift };
}

/** The end record's offset: the last signature from the end whose comment fits the file. */
function findEnd(r: ByteReader): number | undefined {
  const lowest = Math.max(0, r.length - END_SIZE - MAX_COMMENT);
  for (let at = r.length - END_SIZE; at >= lowest; at--) {
    if (r.bytes[at] !== 0x50 || r.u32(at) !== SIG_END) continue;
    if (at + END_SIZE + r.u16(at + 20)! <= r.length) return at;
  }
  return undefined;
}

/** The zip64 end record: where the locator says, or right before the locator (bytes prepended). */
function findEnd64(r: ByteReader, locator: number): number | undefined {
  const stated = r.u64(locator + 8)!;
  if (stated >= 0 && r.u32(stated) === SIG_END64) return stated;
  const adjacent = locator - 56;
  return adjacent >= 0 && r.u32(adjacent) === SIG_END64 ? adjacent : undefined;
}

function readEntry(
  r: ByteReader,
  at: number,
  index: number,
  shift: number,
  path: string,
): { entry: CentralEntry; next: number } {
  const fail = (message: string) =>
    new ArchiveFormatError('zip', path, `central entry ${index}: ${message}`, at);
  if (!r.has(at, CENTRAL_SIZE)) throw fail('runs past the end of the file');
  const signature = r.u32(at)!;
  if (signature !== SIG_CENTRAL) {
    throw fail(`signature is 0x${signature.toString(16).padStart(8, '0')}, expected 0x02014b50`);
  }
  const nameLength = r.u16(at + 28)!;
  const extraLength = r.u16(at + 30)!;
  const commentLength = r.u16(at + 32)!;
  const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
  if (next > r.length) throw fail('its name, extra field or comment runs past the end of the file');
  const name = decodeName(r.slice(at + CENTRAL_SIZE, nameLength)!);

  let compressedSize = r.u32(at + 20)!;
  let size = r.u32(at + 24)!;
  let disk = r.u16(at + 34)!;
  let localOffset = r.u32(at + 42)!;
  if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff || disk === 0xffff) {
    const extra = findExtra(r, at + CENTRAL_SIZE + nameLength, extraLength, ZIP64_EXTRA);
    if (extra === undefined) throw fail('sizes say zip64 but there is no zip64 extra field');
    let field = extra.offset;
    const take64 = (what: string): number => {
      if (field + 8 > extra.offset + extra.length) throw fail(`zip64 extra field lacks the ${what}`);
      const value = r.u64(field)!;
      if (value < 0) throw fail(`zip64 ${what} is impossibly large`);
      field += 8;
      return value;
    };
    if (size === 0xffffffff) size = take64('size');
    if (compressedSize === 0xffffffff) compressedSize = take64('compressed size');
    if (localOffset === 0xffffffff) localOffset = take64('local header offset');
    if (disk === 0xffff) {
      if (field + 4 > extra.offset + extra.length) throw fail('zip64 extra field lacks the disk number');
      disk = r.u32(field)!;
    }
  }
  if (disk !== 0) throw fail(`starts on disk ${disk}; multi-disk zips are not supported`);
  const entry: CentralEntry = {
    index,
    name,
    flags: r.u16(at + 8)!,
    method: r.u16(at + 10)!,
    compressedSize,
    size,
    localOffset: localOffset + shift,
  };
  return { entry, next };
}

/** The extra field block with `id` inside the extra area at `start`, if its header and data fit. */
export function findExtra(
  r: ByteReader,
  start: number,
  length: number,
  id: number,
): { offset: number; length: number } | undefined {
  let at = start;
  const end = start + length;
  while (at + 4 <= end) {
    const blockId = r.u16(at)!;
    const blockLength = r.u16(at + 2)!;
    if (at + 4 + blockLength > end) return undefined;
    if (blockId === id) return { offset: at + 4, length: blockLength };
    at += 4 + blockLength;
  }
  return undefined;
}
