/** CRC32c (Castagnoli), as XFS v5 metadata checksums use it. */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC32c of `b`, with the four bytes at `skipAt` (the stored checksum) taken as zeros. */
export function crc32c(b: Uint8Array, skipAt = -1): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    const byte = skipAt >= 0 && i >= skipAt && i < skipAt + 4 ? 0 : (b[i] as number);
    c = (TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
