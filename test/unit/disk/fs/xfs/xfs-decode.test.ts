/** Record-level decoding: packed bmap extents, CRC32c, superblock geometry and inode-number mapping. */
import { describe, expect, it } from 'vitest';
import { decodeExtent } from '../../../../../shared/disk/fs/xfs/bmap.ts';
import { crc32c } from '../../../../../shared/disk/fs/xfs/crc32c.ts';
import { fsbToOffset, inoToOffset, parseSuperblock } from '../../../../../shared/disk/fs/xfs/superblock.ts';
import { DiskFormatError } from '../../../../../shared/disk/types.ts';
import { loadFixture } from './xfs-support.ts';

function pack(flag: number, startOff: bigint, startBlock: bigint, count: bigint): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE((BigInt(flag) << 63n) | (startOff << 9n) | (startBlock >> 43n), 0);
  b.writeBigUInt64BE(((startBlock & ((1n << 43n) - 1n)) << 21n) | count, 8);
  return new Uint8Array(b);
}

describe('XFS record decoding', () => {
  it('unpacks the 128-bit extent record: flag, 54-bit offset, 52-bit block, 21-bit count', () => {
    expect(decodeExtent(pack(0, 0n, 24n, 101n), 0)).toEqual({
      unwritten: false,
      startOff: 0,
      startBlock: 24,
      count: 101,
    });
    expect(decodeExtent(pack(1, 1310720n, 8097n, 1n), 0)).toEqual({
      unwritten: true,
      startOff: 1310720,
      startBlock: 8097,
      count: 1,
    });
    // Fields that straddle the two words, at their widths' limits.
    const big = decodeExtent(pack(0, (1n << 40n) + 5n, (1n << 51n) + 3n, (1n << 21n) - 1n), 0);
    expect(big).toEqual({
      unwritten: false,
      startOff: 2 ** 40 + 5,
      startBlock: 2 ** 51 + 3,
      count: 2 ** 21 - 1,
    });
  });

  it('computes CRC32c (Castagnoli) and skips the stored checksum', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const withSlot = new Uint8Array([0x31, 0x32, 0x33, 0x34, 0xff, 0xff, 0xff, 0xff, 0x35, 0x36]);
    const zeroed = withSlot.slice();
    zeroed.fill(0, 4, 8);
    expect(crc32c(withSlot, 4)).toBe(crc32c(zeroed));
  });

  it('parses the fixture superblock and maps blocks and inodes to offsets', () => {
    const { image, manifest } = loadFixture('v5-4k');
    const sb = parseSuperblock(image.subarray(0, 512), image.length);
    expect(sb).toMatchObject({
      blockSize: 4096,
      agBlocks: manifest.geometry.agBlocks,
      agCount: manifest.geometry.agCount,
      inodeSize: 512,
      inopBlock: 8,
      inopBlog: 3,
      rootIno: manifest.rootIno,
      dirBlockSize: 4096,
      hasFtype: true,
      crcOk: true,
    });
    // agno 1, agbno 10 → AG 1's start plus 10 blocks.
    expect(fsbToOffset(sb, (1 << sb.agBlkLog) | 10, 1, 0)).toBe((sb.agBlocks + 10) * 4096);
    // ino = agno << (agblklog + inopblog) | agbno << inopblog | slot
    expect(inoToOffset(sb, (1 << (sb.agBlkLog + 3)) | (20 << 3) | 5)).toBe(
      (sb.agBlocks + 20) * 4096 + 5 * 512,
    );
    const outside = () => inoToOffset(sb, sb.agCount * 2 ** (sb.agBlkLog + 3) + 1);
    expect(outside).toThrow(DiskFormatError);
    expect(outside).toThrow(/outside any AG/);
    expect(() => fsbToOffset(sb, sb.agBlocks - 1, 2, 77)).toThrow(/at offset 77: blocks .* outside AG 0/);
  });
});
