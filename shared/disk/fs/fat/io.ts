import type { ByteSource } from '../../types.ts';
import { DiskFormatError } from '../../types.ts';
import { LAYER } from './boot.ts';

/** Exactly `length` bytes at `offset`, or DiskFormatError when the volume ends first. */
export async function readExact(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length < length) {
    throw new DiskFormatError(
      LAYER,
      `volume ends after ${bytes.length} of ${length} bytes`,
      offset + bytes.length,
    );
  }
  return bytes;
}
