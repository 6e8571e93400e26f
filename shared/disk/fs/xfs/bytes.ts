/** Big-endian field readers over a byte array, and the bounded reads every XFS structure goes through. */
import { type ByteSource, DiskFormatError } from '../../types.ts';

export const LAYER = 'xfs';

export function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function be16(b: Uint8Array, off: number): number {
  return dataView(b).getUint16(off);
}

export function be32(b: Uint8Array, off: number): number {
  return dataView(b).getUint32(off);
}

export function be64(b: Uint8Array, off: number): bigint {
  return dataView(b).getBigUint64(off);
}

/** A 64-bit field as a JS number, or a format error when it does not fit in 2^53. */
export function be64n(b: Uint8Array, off: number, what: string, diskOffset: number): number {
  const v = be64(b, off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DiskFormatError(LAYER, `${what} ${v} is too large`, diskOffset);
  }
  return Number(v);
}

export function formatError(message: string, offset?: number): DiskFormatError {
  return new DiskFormatError(LAYER, message, offset);
}

/** Exactly `length` bytes at `offset`, or a format error naming `what` when the volume ends first. */
export async function readExact(
  source: ByteSource,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  if (offset < 0 || offset + length > source.size) {
    throw formatError(`${what} lies past the end of the volume (${source.size} bytes)`, offset);
  }
  const b = await source.read(offset, length);
  if (b.length !== length) {
    throw formatError(`${what}: the volume returned ${b.length} of ${length} bytes`, offset);
  }
  return b;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function log2(n: number): number {
  return Math.round(Math.log2(n));
}
