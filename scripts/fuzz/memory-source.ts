import type { ByteSource } from '../../shared/disk/types.ts';

/** A ByteSource over bytes in memory (fuzz inputs, test images). Reads return copies. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new RangeError(`bad read range ${offset}+${length}`);
      }
      return bytes.slice(offset, Math.min(bytes.length, offset + length));
    },
    async close(): Promise<void> {},
  };
}
