/**
 * One 512-byte tar header (v7, ustar and GNU), its checksum and numeric fields (octal, or GNU base-256
 * for large values), and the records of a pax extended header.
 */
import { decodeName, decodeUtf8 } from './bytes.ts';

export const BLOCK = 512;

export interface TarHeader {
  /** Name, with the ustar prefix joined in front when there is one. */
  name: string;
  size: number;
  /** The type flag as a character; '\0' for old archives that leave it empty. */
  type: string;
}

/** Whether a block is all zeros (the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Whether `block` holds a tar header: its checksum field parses and matches its bytes. */
export function hasValidChecksum(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  const stored = parseNumber(block.subarray(148, 156));
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Parses a header block whose checksum was checked; returns a message when a field is malformed. */
export function parseHeader(block: Uint8Array): TarHeader | string {
  const size = parseNumber(block.subarray(124, 136));
  if (size === undefined) return 'size field is not a number';
  const magic = String.fromCharCode(...block.subarray(257, 263));
  let name = decodeName(block.subarray(0, 100));
  // POSIX ustar keeps a name prefix at 345; old GNU archives ("ustar  ") keep other fields there.
  if (magic === 'ustar\0') {
    const prefix = decodeName(block.subarray(345, 500));
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const flag = block[156]!;
  return { name, size, type: String.fromCharCode(flag) };
}

/**
 * A numeric field: octal digits padded with spaces or NULs, or GNU base-256 (high bit of the first byte
 * set) for values too large for octal. Undefined when malformed, negative or beyond 2^53.
 */
export function parseNumber(field: Uint8Array): number | undefined {
  if (field.length > 0 && field[0]! & 0x80) {
    if (field[0] === 0xff) return undefined; // Negative.
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + field[i]!;
      if (value > Number.MAX_SAFE_INTEGER) return undefined;
    }
    return value;
  }
  let i = 0;
  while (i < field.length && (field[i] === 0x20 || field[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  while (i < field.length && field[i]! >= 0x30 && field[i]! <= 0x37) {
    value = value * 8 + (field[i]! - 0x30);
    digits++;
    i++;
  }
  while (i < field.length && (field[i] === 0x20 || field[i] === 0)) i++;
  if (i !== field.length || digits === 0) return undefined;
  return value;
}

/**
 * The records of a pax extended header, `"<length> <key>=<value>\n"`, where length counts the whole
 * record. Returns a message when a record is malformed.
 */
export function parsePax(data: Uint8Array): Map<string, string> | string {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // Some writers pad the header's data with NULs.
    const space = data.indexOf(0x20, at);
    if (space < 0 || space - at > 20) return `pax record at byte ${at} has no length`;
    const length = parseDecimal(data.subarray(at, space));
    if (length === undefined || length <= space - at + 1 || at + length > data.length) {
      return `pax record at byte ${at} has a bad length`;
    }
    const end = at + length - 1;
    if (data[end] !== 0x0a) return `pax record at byte ${at} does not end with a newline`;
    const record = data.subarray(space + 1, end);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) return `pax record at byte ${at} has no key=value`;
    records.set(decodeUtf8(record.subarray(0, equals)), decodeUtf8(record.subarray(equals + 1)));
    at += length;
  }
  return records;
}

function parseDecimal(digits: Uint8Array): number | undefined {
  if (digits.length === 0) return undefined;
  let value = 0;
  for (const d of digits) {
    if (d < 0x30 || d > 0x39) return undefined;
    value = value * 10 + (d - 0x30);
  }
  return value;
}
