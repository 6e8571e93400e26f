/** Little-endian fields, GUIDs and strings of on-disk structures, and checked reads. */
import type { ByteSource } from '../types.ts';
import { DiskFormatError } from '../types.ts';

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function u16(b: Uint8Array, at: number): number {
  return view(b).getUint16(at, true);
}

export function u32(b: Uint8Array, at: number): number {
  return view(b).getUint32(at, true);
}

/** A 64-bit little-endian field as a number; throws where it exceeds 2^53 (no real disk is that big). */
export function u64(b: Uint8Array, at: number, layer: string, where: number): number {
  const v = view(b).getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DiskFormatError(layer, `64-bit field ${v} is beyond 2^53`, where + at);
  }
  return Number(v);
}

function hex(b: Uint8Array, from: number, to: number, reverse: boolean): string {
  const part = Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, '0'));
  return (reverse ? part.reverse() : part).join('');
}

/** A GUID in its mixed-endian on-disk form as lower-case text: the first three groups are little-endian. */
export function guid(b: Uint8Array, at: number): string {
  return [
    hex(b, at, at + 4, true),
    hex(b, at + 4, at + 6, true),
    hex(b, at + 6, at + 8, true),
    hex(b, at + 8, at + 10, false),
    hex(b, at + 10, at + 16, false),
  ].join('-');
}

/** The on-disk (mixed-endian) bytes of a GUID written as text. */
export function guidBytes(text: string): Uint8Array {
  const h = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new TypeError(`not a GUID: ${text}`);
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(h.slice(i * 2, i * 2 + 2), 16));
  return Uint8Array.from([
    raw[3]!,
    raw[2]!,
    raw[1]!,
    raw[0]!,
    raw[5]!,
    raw[4]!,
    raw[7]!,
    raw[6]!,
    ...raw.subarray(8),
  ]);
}

/** A UTF-16LE string up to its first NUL code unit. */
export function utf16z(b: Uint8Array, at: number, length: number): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < length; i += 2) {
    const u = u16(b, at + i);
    if (u === 0) break;
    units.push(u);
  }
  return String.fromCharCode(...units);
}

export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Exactly `length` bytes at `offset`, or a DiskFormatError when the source ends first. */
export async function readExact(
  src: ByteSource,
  offset: number,
  length: number,
  layer: string,
  what: string,
): Promise<Uint8Array> {
  if (offset < 0 || offset + length > src.size) {
    throw new DiskFormatError(
      layer,
      `${what} (${length} bytes) lies past the end of the ${src.size}-byte disk`,
      offset,
    );
  }
  const b = await src.read(offset, length);
  if (b.length !== length) {
    throw new DiskFormatError(layer, `${what}: short read (${b.length} of ${length} bytes)`, offset);
  }
  return b;
}
