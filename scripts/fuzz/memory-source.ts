/**
 * @deprecated Use `MemorySource` from shared/disk/block/memory-source.ts. Kept only for the FAT unit
 * tests (test/unit/disk/fs/fat/helpers.ts, rejection.test.ts) that still import it; delete once they
 * construct `new MemorySource(bytes)` themselves.
 */
import { MemorySource } from '../../shared/disk/block/memory-source.ts';
import type { ByteSource } from '../../shared/disk/types.ts';

export function memorySource(bytes: Uint8Array): ByteSource {
  return new MemorySource(bytes);
}
