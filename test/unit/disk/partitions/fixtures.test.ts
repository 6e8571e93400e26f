/** Tables made by sfdisk (scripts/fixtures/partitions.sh), checked against sfdisk's own --json answer. */
import { describe, expect, it } from 'vitest';
import type { GptPartition } from '../../../../shared/disk/partitions/index.ts';
import { partitionTypeName, readPartitionTable } from '../../../../shared/disk/partitions/index.ts';
import type { SfdiskTable } from './support.ts';
import { fixtureBytes, fixtureJson, memorySource, nodeNumber, sfdiskAttrs } from './support.ts';

async function compare(image: string, oracle: string) {
  const expected = fixtureJson<SfdiskTable>(oracle).partitiontable;
  const table = await readPartitionTable(memorySource(fixtureBytes(image)));
  const ss = expected.sectorsize;
  expect(table.sectorSize).toBe(ss);
  expect(table.scheme).toBe(expected.label === 'dos' ? 'mbr' : 'gpt');
  expect(table.diskId).toBe(
    expected.label === 'dos' ? expected.id.replace(/^0x/, '') : expected.id.toLowerCase(),
  );
  expect(table.partitions.map((p) => p.number)).toEqual(
    expected.partitions.map((p) => nodeNumber(p.node)).sort((a, b) => a - b),
  );
  for (const want of expected.partitions) {
    const got = table.partitions.find((p) => p.number === nodeNumber(want.node))!;
    expect(got.offset, want.node).toBe(want.start * ss);
    expect(got.size, want.node).toBe(want.size * ss);
    if (expected.label === 'gpt') {
      const gpt = got as GptPartition;
      expect(gpt.type).toBe(want.type.toLowerCase());
      expect(gpt.partUuid).toBe(want.uuid!.toLowerCase());
      expect(gpt.name).toBe(want.name ?? '');
      expect(sfdiskAttrs(gpt.attributes)).toBe(want.attrs);
    } else {
      expect(Number.parseInt(got.type, 16)).toBe(Number.parseInt(want.type, 16));
      expect(got.partUuid).toBe(`${table.diskId}-${got.number.toString(16).padStart(2, '0')}`);
      expect(got.bootable ?? false).toBe(want.bootable ?? false);
    }
  }
  return table;
}

describe('partition tables made by sfdisk', () => {
  it('reads a GPT with names, types, attributes and partition GUIDs', async () => {
    const table = await compare('gpt.img', 'gpt.sfdisk.json');
    expect(table.notes).toEqual([]);
    expect(table.partitions.map((p) => partitionTypeName('gpt', p.type))).toEqual([
      'EFI System',
      'Linux root (x86-64)',
      'Linux LVM',
      'Linux swap',
      'Microsoft basic data',
    ]);
    expect(table.partitions[1]!.bootable).toBe(true);
  });

  it('falls back to the backup GPT when LBA 1 is wiped, and says so', async () => {
    const table = await compare('gpt-backup.img', 'gpt.sfdisk.json');
    expect(table.notes.join('\n')).toMatch(/primary GPT damaged.*backup header at LBA 16383 used/);
  });

  it('reads an MBR with an extended partition and three logical partitions numbered from 5', async () => {
    const table = await compare('mbr.img', 'mbr.sfdisk.json');
    expect(table.partitions.filter((p) => p.number >= 5)).toHaveLength(3);
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads a GPT on 4096-byte sectors', async () => {
    const table = await compare('gpt-4k.img', 'gpt-4k.sfdisk.json');
    expect(table.sectorSize).toBe(4096);
  });
});
