import { constants, inflateRawSync, inflateSync, zstdDecompressSync } from 'node:zlib';

export type Compression = 'deflate' | 'zlib' | 'zstd';

/**
 * Decompresses one cluster or grain into at most `limit` bytes. The input may run on past the end of
 * the compressed stream (qcow2 packs compressed clusters back to back) or stop short of its end marker;
 * both are accepted as long as the output is whole. Throws on corrupt data or output over the limit.
 */
export function decompress(kind: Compression, input: Uint8Array, limit: number): Uint8Array {
  const options = { maxOutputLength: limit, finishFlush: constants.Z_SYNC_FLUSH };
  switch (kind) {
    case 'deflate':
      return inflateRawSync(input, options);
    case 'zlib':
      return inflateSync(input, options);
    case 'zstd':
      return zstdDecompressSync(input.subarray(0, zstdFrameLength(input)), { maxOutputLength: limit });
  }
}

/** Length of the zstd frame at the start of `input` (its blocks walked, nothing decoded). */
export function zstdFrameLength(input: Uint8Array): number {
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 6 || dv.getUint32(0, true) !== 0xfd2fb528) throw new Error('not a zstd frame');
  const fhd = input[4]!;
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const fcsSize = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag]!;
  const didSize = [0, 1, 2, 4][fhd & 3]!;
  let at = 5 + (singleSegment ? 0 : 1) + didSize + fcsSize;
  for (;;) {
    if (at + 3 > input.length) throw new Error('zstd frame is truncated');
    const header = input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new Error('zstd block of reserved type');
    at += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  if ((fhd >> 2) & 1) at += 4;
  if (at > input.length) throw new Error('zstd frame is truncated');
  return at;
}
