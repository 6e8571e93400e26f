/** listVolumes: partitions (or whole disks) become volumes, and the LVs on PVs among them are added. */
import { describe, expect, it } from 'vitest';
import { listVolumes } from '../../../../shared/disk/volumes.ts';
import { fixtureBytes, memorySource, writeGpt, writeMbrSector } from '../partitions/support.ts';

const MiB = 1024 * 1024;
const LVM = 'e6d6d379-f507-44c2-a23c-238f2a3df928';
const EFI = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';

describe('listVolumes', () => {
  it('lists partitions of a GPT disk, a whole PV disk and the LVs spanning both', async () => {
    // disk0: GPT with an EFI partition and the first PV image as partition 2; disk1: the second PV, no table.
    const disk0 = new Uint8Array(16 * MiB);
    writeGpt(disk0, {
      sectorSize: 512,
      diskGuid: '11111111-2222-3333-4444-555555555555',
      entries: [
        { type: EFI, uuid: '01234567-89ab-cdef-0123-456789abcdef', first: 2048, last: 4095, name: 'EFI' },
        {
          type: LVM,
          uuid: 'fedcba98-7654-3210-fedc-ba9876543210',
          first: 4096,
          last: 4096 + 16383,
          name: 'pv',
        },
      ],
    });
    disk0.set(fixtureBytes('lvm-pv1.img'), 4096 * 512);
    const disk1 = fixtureBytes('lvm-pv2.img');
    const { volumes, tables, notes } = await listVolumes([memorySource(disk0), memorySource(disk1)]);
    expect(notes).toEqual([]);
    expect(tables.map((t) => t.scheme)).toEqual(['gpt', 'none']);
    expect(volumes.map((v) => [v.id, v.kind, v.source.size])).toEqual([
      ['disk0p1', 'partition', MiB],
      ['disk0p2', 'partition', 8 * MiB],
      ['disk1', 'disk', 8 * MiB],
      ['lvm:vgtest/lin', 'lvm', 2 * MiB],
      ['lvm:vgtest/str', 'lvm', 4 * MiB],
      ['lvm:vgtest/span', 'lvm', 3 * MiB],
    ]);
    const str = volumes.find((v) => v.id === 'lvm:vgtest/str')!;
    expect(str.lvm).toMatchObject({ vg: 'vgtest', lv: 'str' });
    expect(new TextDecoder().decode(await str.source.read(65536, 12))).toBe('pv2 block 25');
    // A partition volume reads its own bytes, and nothing past its end.
    const p2 = volumes[1]!;
    expect(new TextDecoder().decode(await p2.source.read(512, 8))).toBe('LABELONE');
    expect((await p2.source.read(8 * MiB - 1, 10)).length).toBe(1);
  });

  it('skips the extended container of an MBR disk but lists its logical partitions', async () => {
    const disk = new Uint8Array(8 * MiB);
    writeMbrSector(disk, 0, [
      { type: 0x83, start: 2048, count: 2048 },
      { type: 0x05, start: 4096, count: 8192 },
    ]);
    writeMbrSector(disk, 4096 * 512, [{ type: 0x83, start: 2048, count: 1024 }]);
    const { volumes } = await listVolumes([memorySource(disk)]);
    expect(volumes.map((v) => v.id)).toEqual(['disk0p1', 'disk0p5']);
  });

  it('a disk whose table is damaged is probed whole, with a note; broken LVM metadata is a note too', async () => {
    const bad = new Uint8Array(MiB);
    writeMbrSector(bad, 0, [{ type: 0xee, start: 1, count: 2047 }]);
    const pv = fixtureBytes('lvm-pv1.img');
    const r = new DataView(pv.buffer).getBigUint64(4096 + 40, true);
    pv[4096 + Number(r) + 3] = pv[4096 + Number(r) + 3]! ^ 1; // metadata text CRC no longer matches
    const { volumes, notes } = await listVolumes([memorySource(bad), memorySource(pv)]);
    expect(volumes.map((v) => v.id)).toEqual(['disk0', 'disk1']);
    expect(notes).toEqual([
      expect.stringMatching(/^disk0: partition table unreadable \(gpt at offset 0: protective MBR/),
      expect.stringMatching(
        /^lvm: volume groups unreadable \(lvm metadata area at offset 4152: metadata text CRC mismatch/,
      ),
    ]);
  });
});
