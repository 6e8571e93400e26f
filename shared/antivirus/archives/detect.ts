/** Which archive format bytes hold, told by their magic bytes (and a tar header's checksum). */
import { isGzipAt } from './gzip.ts';
import { BLOCK, hasValidChecksum } from './tar-header.ts';
import type { ArchiveFormat } from './types.ts';

/**
 * 'zip' for a local header, an empty zip's end record or a spanned zip's marker at the start; 'gzip'
 * for 1f 8b 08; 'tar' for a first block whose header checksum matches; undefined otherwise.
 */
export function detectArchive(bytes: Uint8Array): ArchiveFormat | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const b2 = bytes[2];
    const b3 = bytes[3];
    if ((b2 === 3 && b3 === 4) || (b2 === 5 && b3 === 6) || (b2 === 7 && b3 === 8)) return 'zip';
  }
  if (bytes.length >= 10 && isGzipAt(bytes, 0)) return 'gzip';
  if (bytes.length >= BLOCK && hasValidChecksum(bytes.subarray(0, BLOCK))) return 'tar';
  return undefined;
}
