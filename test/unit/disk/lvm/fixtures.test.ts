/**
 * A volume group made by the real LVM tools (scripts/fixtures/partitions.sh) on two PVs whose every
 * 4 KiB block is stamped "pv<N> block <K>": each logical volume block must come from the PV block that
 * `lvs` says (segment PE ranges, stripe count and stripe size are lvs's own JSON report).
 */
import { describe, expect, it } from 'vitest';
import { scanLvm } from '../../../../shared/disk/lvm/index.ts';
import { fixtureBytes, fixtureJson, memorySource } from '../partitions/support.ts';

interface LvsRow {
  lv_name: string;
  lv_uuid: string;
  lv_size: string;
  seg_start_pe: string;
  seg_size_pe: string;
  segtype: string;
  stripes: string;
  stripe_size: string;
  seg_pe_ranges: string;
}
interface PvsRow {
  pv_name: string;
  pv_uuid: string;
  pe_start: string;
  vg_name: string;
  vg_uuid: string;
  vg_extent_size: string;
}

const lvs = fixtureJson<{ report: { lv: LvsRow[] }[] }>('lvm.lvs.json').report[0]!.lv;
const pvs = fixtureJson<{ report: { pv: PvsRow[] }[] }>('lvm.pvs.json').report[0]!.pv;
const images = { 'lvm-pv1.img': fixtureBytes('lvm-pv1.img'), 'lvm-pv2.img': fixtureBytes('lvm-pv2.img') };
const BLOCK = 4096;

function stamp(b: Uint8Array): string {
  return new TextDecoder().decode(b.subarray(0, 32)).split('\n')[0]!;
}

/** The stamp lvs's layout predicts for each 4 KiB block of an LV (dm-striped chunking). */
function expectedStamps(name: string): string[] {
  const extent = Number(pvs[0]!.vg_extent_size);
  const out: string[] = [];
  for (const seg of lvs.filter((r) => r.lv_name === name)) {
    const ranges = seg.seg_pe_ranges.split(' ').map((r) => {
      const m = /^(.+):(\d+)-(\d+)$/.exec(r)!;
      const pv = pvs.find((p) => p.pv_name === m[1])!;
      return { pvNo: m[1]!.replace(/\D/g, ''), base: Number(pv.pe_start) + Number(m[2]) * extent };
    });
    const segBytes = Number(seg.seg_size_pe) * extent;
    const stripes = Number(seg.stripes);
    const chunk = stripes > 1 ? Number(seg.stripe_size) : segBytes;
    for (let o = 0; o < segBytes; o += BLOCK) {
      const c = Math.floor(o / chunk);
      const r = ranges[c % stripes]!;
      const pvOffset = r.base + Math.floor(c / stripes) * chunk + (o % chunk);
      out.push(`pv${r.pvNo.slice(-1)} block ${pvOffset / BLOCK}`);
    }
  }
  return out;
}

describe('LVM volume group made by pvcreate/vgcreate/lvcreate', () => {
  const sources = () => [
    { id: 'disk0', source: memorySource(images['lvm-pv1.img']) },
    { id: 'disk1', source: memorySource(images['lvm-pv2.img']) },
  ];

  it('finds the VG and its PVs as pvs reports them', async () => {
    const scan = await scanLvm(sources());
    expect(scan.notes).toEqual([]);
    expect(scan.volumeGroups).toHaveLength(1);
    const vg = scan.volumeGroups[0]!;
    expect(vg.name).toBe(pvs[0]!.vg_name);
    expect(vg.uuid).toBe(pvs[0]!.vg_uuid);
    expect(vg.extentSize).toBe(Number(pvs[0]!.vg_extent_size));
    expect(vg.physicalVolumes.map((p) => [p.uuid, p.sourceId])).toEqual([
      [pvs[0]!.pv_uuid, 'disk0'],
      [pvs[1]!.pv_uuid, 'disk1'],
    ]);
  });

  for (const name of [...new Set(lvs.map((r) => r.lv_name))]) {
    it(`maps every block of ${name} (${lvs.find((r) => r.lv_name === name)!.segtype}) where lvs says it lives`, async () => {
      const scan = await scanLvm(sources());
      const lv = scan.logicalVolumes.find((l) => l.lv === name)!;
      const row = lvs.find((r) => r.lv_name === name)!;
      expect(lv.uuid).toBe(row.lv_uuid);
      expect(lv.size).toBe(Number(row.lv_size));
      const all = await lv.source.read(0, lv.size);
      const got: string[] = [];
      for (let o = 0; o < all.length; o += BLOCK) got.push(stamp(all.subarray(o)));
      expect(got).toEqual(expectedStamps(name));
      // Unaligned reads across chunk and segment boundaries equal the same bytes of the whole.
      for (const [off, len] of [
        [65536 - 7, 20],
        [1048576 - 100, 70000],
        [lv.size - 10, 100],
        [3, lv.size],
      ] as const) {
        const part = await lv.source.read(off, len);
        expect(part.length).toBe(Math.max(0, Math.min(len, lv.size - off)));
        expect(Buffer.compare(part, all.subarray(off, off + len))).toBe(0);
      }
      expect((await lv.source.read(lv.size, 10)).length).toBe(0);
      await expect(lv.source.read(-1, 1)).rejects.toThrow(RangeError);
    });
  }

  it('with only the first PV present, skips the LVs that need the second and says so', async () => {
    const scan = await scanLvm([{ id: 'disk0', source: memorySource(images['lvm-pv1.img']) }]);
    expect(scan.logicalVolumes.map((l) => l.lv)).toEqual(['lin']);
    expect(scan.notes).toEqual([
      'vgtest/str: physical volume(s) pv1 not found: skipped',
      'vgtest/span: physical volume(s) pv1 not found: skipped',
    ]);
    expect(scan.volumeGroups[0]!.physicalVolumes[1]!.sourceId).toBeUndefined();
  });

  it('ignores volumes without a PV label', async () => {
    const scan = await scanLvm([{ id: 'x', source: memorySource(new Uint8Array(1 << 20)) }]);
    expect(scan).toEqual({ volumeGroups: [], logicalVolumes: [], notes: [] });
  });
});
