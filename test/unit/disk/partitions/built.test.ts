/** Tables written byte by byte in the test: MBR chains, GPT on 512 and 4096-byte sectors, no table. */
import { describe, expect, it } from 'vitest';
import { guid, guidBytes } from '../../../../shared/disk/partitions/bytes.ts';
import { crc32 } from '../../../../shared/disk/partitions/crc32.ts';
import type { GptPartition } from '../../../../shared/disk/partitions/index.ts';
import {
  GPT_TYPE_NAMES,
  partitionTypeName,
  readPartitionTable,
} from '../../../../shared/disk/partitions/index.ts';
import { memorySource, writeGpt, writeMbrSector } from './support.ts';

const MiB = 1024 * 1024;
const LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';
const LVM = 'e6d6d379-f507-44c2-a23c-238f2a3df928';

describe('crc32 and GUIDs', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes and reads GUIDs in mixed-endian form', () => {
    const b = guidBytes('c12a7328-f81f-11d2-ba4b-00a0c93ec93b');
    expect(Array.from(b.subarray(0, 8))).toEqual([0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11]);
    expect(guid(b, 0)).toBe('c12a7328-f81f-11d2-ba4b-00a0c93ec93b');
  });

  it('names well-known types for display', () => {
    expect(partitionTypeName('gpt', LVM.toUpperCase())).toBe('Linux LVM');
    expect(partitionTypeName('mbr', '8e')).toBe('Linux LVM');
    expect(partitionTypeName('mbr', 'zz')).toBeUndefined();
    expect(GPT_TYPE_NAMES['c12a7328-f81f-11d2-ba4b-00a0c93ec93b']).toBe('EFI System');
  });
});

describe('MBR written by hand', () => {
  it('follows the EBR chain: logical starts relative to each EBR, links relative to the extended start', async () => {
    const disk = new Uint8Array(16 * MiB);
    writeMbrSector(
      disk,
      0,
      [
        { type: 0x83, start: 2048, count: 2048 },
        { type: 0x0f, start: 4096, count: 20000 },
      ],
      0xdeadbeef,
    );
    // EBR 1 at 4096: logical at +63, next EBR at extended+8192.
    writeMbrSector(disk, 4096 * 512, [
      { type: 0x83, start: 63, count: 1000 },
      { type: 0x05, start: 8192, count: 3000 },
    ]);
    // EBR 2 at 12288: an empty-type link-less record with one logical partition, then a third.
    writeMbrSector(disk, 12288 * 512, [
      { type: 0x82, start: 2048, count: 500 },
      { type: 0x05, start: 12000, count: 2000 },
    ]);
    writeMbrSector(disk, 16096 * 512, [{ type: 0x8e, start: 2, count: 100 }]);
    const t = await readPartitionTable(memorySource(disk));
    expect(t.scheme).toBe('mbr');
    expect(t.diskId).toBe('deadbeef');
    expect(t.partitions.map((p) => [p.number, p.offset / 512, p.size / 512, p.type, p.partUuid])).toEqual([
      [1, 2048, 2048, '83', 'deadbeef-01'],
      [2, 4096, 20000, '0f', 'deadbeef-02'],
      [5, 4159, 1000, '83', 'deadbeef-05'],
      [6, 14336, 500, '82', 'deadbeef-06'],
      [7, 16098, 100, '8e', 'deadbeef-07'],
    ]);
  });

  it('reports the boot flag without giving it any other meaning', async () => {
    const disk = new Uint8Array(4 * MiB);
    writeMbrSector(disk, 0, [
      { type: 0x83, start: 2048, count: 100 },
      { type: 0x83, start: 4096, count: 100, boot: true },
    ]);
    const t = await readPartitionTable(memorySource(disk));
    expect(t.partitions.map((p) => p.bootable ?? false)).toEqual([false, true]);
  });

  it('an MBR with no entries is an empty MBR table', async () => {
    const disk = new Uint8Array(MiB);
    writeMbrSector(disk, 0, []);
    const t = await readPartitionTable(memorySource(disk));
    expect(t).toMatchObject({ scheme: 'mbr', partitions: [] });
  });
});

describe('no partition table', () => {
  it('zeros, a tiny disk, and a FAT boot sector (which also ends in 0x55AA) have none', async () => {
    expect(await readPartitionTable(memorySource(new Uint8Array(MiB)))).toMatchObject({ scheme: 'none' });
    expect(await readPartitionTable(memorySource(new Uint8Array(100)))).toMatchObject({ scheme: 'none' });
    const fat = new Uint8Array(MiB);
    fat.set([0xeb, 0x3c, 0x90], 0);
    fat.set(new TextEncoder().encode('FAT16   '), 0x36);
    fat[510] = 0x55;
    fat[511] = 0xaa;
    fat[0x1be] = 0x12; // boot code spills over the entry area
    const t = await readPartitionTable(memorySource(fat));
    expect(t.scheme).toBe('none');
    expect(t.notes.join()).toMatch(/FAT\/NTFS boot sector/);
  });
});

describe('GPT written by hand', () => {
  const entries = [
    { type: LINUX, uuid: '01234567-89ab-cdef-0123-456789abcdef', first: 256, last: 511, name: 'alpha' },
    { type: LVM, uuid: 'fedcba98-7654-3210-fedc-ba9876543210', first: 512, last: 1023, name: 'βeta' },
  ];

  it('finds the header at 4096 bytes on a 4K-sector disk', async () => {
    const disk = new Uint8Array(8 * MiB);
    writeGpt(disk, { sectorSize: 4096, diskGuid: '11111111-2222-3333-4444-555555555555', entries });
    const t = await readPartitionTable(memorySource(disk));
    expect(t.sectorSize).toBe(4096);
    expect(t.diskId).toBe('11111111-2222-3333-4444-555555555555');
    expect(t.partitions.map((p) => [p.number, p.offset, p.size, p.name])).toEqual([
      [1, 256 * 4096, 256 * 4096, 'alpha'],
      [2, 512 * 4096, 512 * 4096, 'βeta'],
    ]);
  });

  it('uses the backup when a 4K disk lost its primary header', async () => {
    const disk = new Uint8Array(8 * MiB);
    writeGpt(disk, { sectorSize: 4096, diskGuid: '11111111-2222-3333-4444-555555555555', entries });
    disk.fill(0, 4096, 8192);
    const t = await readPartitionTable(memorySource(disk));
    expect(t.sectorSize).toBe(4096);
    expect(t.partitions).toHaveLength(2);
    expect(t.notes.join()).toMatch(/backup header at LBA 2047 used/);
  });

  it('uses the backup when the primary entries fail their CRC', async () => {
    const disk = new Uint8Array(4 * MiB);
    writeGpt(disk, { sectorSize: 512, diskGuid: '11111111-2222-3333-4444-555555555555', entries });
    disk[2 * 512 + 60] = disk[2 * 512 + 60]! ^ 1; // a byte of the first primary entry's name
    const t = await readPartitionTable(memorySource(disk));
    expect(t.partitions.map((p) => p.name)).toEqual(['alpha', 'βeta']);
    expect(t.notes.join()).toMatch(/entries at LBA 2: CRC32 mismatch.*backup/);
  });

  it('notes a damaged backup but reads the primary', async () => {
    const disk = new Uint8Array(4 * MiB);
    writeGpt(disk, { sectorSize: 512, diskGuid: '11111111-2222-3333-4444-555555555555', entries });
    disk.fill(0, disk.length - 512);
    const t = await readPartitionTable(memorySource(disk));
    expect(t.partitions).toHaveLength(2);
    expect(t.notes.join()).toMatch(/backup GPT header is damaged or missing/);
  });

  it('numbers partitions by their slot, skipping empty slots; keeps entry sizes above 128', async () => {
    const disk = new Uint8Array(4 * MiB);
    const gap = [entries[0]!, { ...entries[1]!, type: '00000000-0000-0000-0000-000000000000' }, entries[1]!];
    writeGpt(disk, {
      sectorSize: 512,
      diskGuid: '11111111-2222-3333-4444-555555555555',
      entries: gap,
      entrySize: 256,
      entryCount: 64,
    });
    const t = await readPartitionTable(memorySource(disk));
    expect(t.partitions.map((p) => p.number)).toEqual([1, 3]);
  });

  it('GPT wins over a hybrid MBR, with a note', async () => {
    const disk = new Uint8Array(4 * MiB);
    writeGpt(disk, { sectorSize: 512, diskGuid: '11111111-2222-3333-4444-555555555555', entries });
    writeMbrSector(disk, 0, [
      { type: 0xee, start: 1, count: 255 },
      { type: 0x83, start: 256, count: 256 },
    ]);
    const t = await readPartitionTable(memorySource(disk));
    expect(t.scheme).toBe('gpt');
    expect(t.notes.join()).toMatch(/hybrid MBR/);
  });

  it('reads attribute bits and the legacy-bootable flag', async () => {
    const disk = new Uint8Array(4 * MiB);
    writeGpt(disk, {
      sectorSize: 512,
      diskGuid: '11111111-2222-3333-4444-555555555555',
      entries: [{ ...entries[0]!, attributes: (1n << 63n) | 4n }],
    });
    const [p] = (await readPartitionTable(memorySource(disk))).partitions as GptPartition[];
    expect(p!.attributes).toBe('8000000000000004');
    expect(p!.bootable).toBe(true);
  });
});
