/** Damaged tables are refused with a DiskFormatError naming the layer and the offset, and never hang. */
import { describe, expect, it } from 'vitest';
import { readPartitionTable } from '../../../../shared/disk/partitions/index.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';
import { le32, memorySource, resealGptHeader, writeGpt, writeMbrSector } from './support.ts';

const MiB = 1024 * 1024;
const LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';

async function rejection(disk: Uint8Array): Promise<DiskFormatError> {
  const err = await readPartitionTable(memorySource(disk)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DiskFormatError);
  return err as DiskFormatError;
}

function gptDisk(): Uint8Array {
  const disk = new Uint8Array(4 * MiB);
  writeGpt(disk, {
    sectorSize: 512,
    diskGuid: '11111111-2222-3333-4444-555555555555',
    entries: [{ type: LINUX, uuid: '01234567-89ab-cdef-0123-456789abcdef', first: 2048, last: 4095 }],
  });
  return disk;
}

describe('MBR rejections', () => {
  it('an EBR chain that loops back is refused, after reading a bounded number of sectors', async () => {
    const disk = new Uint8Array(8 * MiB);
    writeMbrSector(disk, 0, [{ type: 0x05, start: 2048, count: 10000 }]);
    writeMbrSector(disk, 2048 * 512, [
      { type: 0x83, start: 1, count: 10 },
      { type: 0x05, start: 100, count: 100 },
    ]);
    writeMbrSector(disk, 2148 * 512, [
      { type: 0x83, start: 1, count: 10 },
      { type: 0x05, start: 0, count: 100 }, // back to the first EBR
    ]);
    const src = memorySource(disk);
    const err = await readPartitionTable(src).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFormatError);
    expect(err).toMatchObject({ layer: 'mbr', offset: 2048 * 512 });
    expect((err as Error).message).toMatch(/loops/);
    expect(src.reads).toBeLessThan(10);
  });

  it('an EBR chain that never repeats but never ends is cut off', async () => {
    const disk = new Uint8Array(8 * MiB);
    writeMbrSector(disk, 0, [{ type: 0x05, start: 1, count: 16000 }]);
    for (let k = 0; k < 400; k++) {
      writeMbrSector(disk, (1 + k * 2) * 512, [
        { type: 0x83, start: 1, count: 1 },
        { type: 0x05, start: (k + 1) * 2, count: 2 },
      ]);
    }
    const err = await rejection(disk);
    expect(err.message).toMatch(/longer than 256/);
  });

  it('a primary partition past the end of the disk', async () => {
    const disk = new Uint8Array(MiB);
    writeMbrSector(disk, 0, [{ type: 0x83, start: 2048, count: 4096 }]);
    const err = await rejection(disk);
    expect(err).toMatchObject({ layer: 'mbr', offset: 0x1be });
    expect(err.message).toMatch(/past the end/);
  });

  it('a logical partition past the end of the disk names its EBR entry', async () => {
    const disk = new Uint8Array(2 * MiB);
    writeMbrSector(disk, 0, [{ type: 0x05, start: 100, count: 3000 }]);
    writeMbrSector(disk, 100 * 512, [{ type: 0x83, start: 10, count: 99999 }]);
    expect(await rejection(disk)).toMatchObject({ layer: 'mbr', offset: 100 * 512 + 0x1be });
  });
});

describe('GPT rejections', () => {
  it('bad header CRCs in both copies', async () => {
    const disk = gptDisk();
    disk[512 + 16] = disk[512 + 16]! ^ 0xff;
    disk[disk.length - 512 + 16] = disk[disk.length - 512 + 16]! ^ 0xff;
    const err = await rejection(disk);
    expect(err).toMatchObject({ layer: 'gpt', offset: 512 });
    expect(err.message).toMatch(/LBA 1: header CRC32 mismatch.*backup LBA 8191: header CRC32 mismatch/);
  });

  it('bad entry CRCs in both copies', async () => {
    const disk = gptDisk();
    disk[2 * 512] = disk[2 * 512]! ^ 1;
    disk[disk.length - 33 * 512] = disk[disk.length - 33 * 512]! ^ 1;
    const err = await rejection(disk);
    expect(err).toMatchObject({ layer: 'gpt', offset: 1024 });
  });

  for (const [what, size] of [
    ['too small', 64],
    ['not a multiple of 128', 200],
    ['huge', 1 << 20],
  ] as const) {
    it(`an entry size that is ${what} (${size})`, async () => {
      const disk = gptDisk();
      for (const at of [512, disk.length - 512]) {
        le32(disk, at + 84, size);
        resealGptHeader(disk, at);
      }
      const err = await rejection(disk);
      expect(err.message).toMatch(/entry size/);
    });
  }

  it('an absurd partition count', async () => {
    const disk = gptDisk();
    for (const at of [512, disk.length - 512]) {
      le32(disk, at + 80, 0xfffffff0);
      resealGptHeader(disk, at);
    }
    const src = memorySource(disk);
    const err = await readPartitionTable(src).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/entry count 4294967280 is absurd/);
    expect(src.reads).toBeLessThan(10);
  });

  it('a GPT partition past the end of the disk', async () => {
    const big = new Uint8Array(4 * MiB);
    writeGpt(big, {
      sectorSize: 512,
      diskGuid: '11111111-2222-3333-4444-555555555555',
      entries: [{ type: LINUX, uuid: '01234567-89ab-cdef-0123-456789abcdef', first: 2048, last: 9999 }],
    });
    const err = await rejection(big);
    expect(err).toMatchObject({ layer: 'gpt', offset: 1024 });
    expect(err.message).toMatch(/past the end/);
  });

  it('a protective MBR with no GPT behind it', async () => {
    const disk = new Uint8Array(MiB);
    writeMbrSector(disk, 0, [{ type: 0xee, start: 1, count: 2047 }]);
    expect(await rejection(disk)).toMatchObject({ layer: 'gpt', offset: 0 });
  });

  it('a header that says it is somewhere else', async () => {
    const disk = gptDisk();
    for (const at of [512, disk.length - 512]) {
      le32(disk, at + 24, 7);
      resealGptHeader(disk, at);
    }
    expect((await rejection(disk)).message).toMatch(/says it is at LBA 7/);
  });
});
