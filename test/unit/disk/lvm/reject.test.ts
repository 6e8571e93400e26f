/** Damaged LVM metadata is refused with a DiskFormatError naming the layer and the PV offset. */
import { describe, expect, it } from 'vitest';
import { scanLvm } from '../../../../shared/disk/lvm/index.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';
import { fixtureBytes, memorySource } from '../partitions/support.ts';
import { editMetadata, metadataText, rlocn, withMetadata } from './support.ts';

const pv1 = fixtureBytes('lvm-pv1.img');
const pv2 = fixtureBytes('lvm-pv2.img');

async function scan(a: Uint8Array, b: Uint8Array = pv2) {
  return scanLvm([
    { id: 'disk0', source: memorySource(a) },
    { id: 'disk1', source: memorySource(b) },
  ]);
}

async function rejection(a: Uint8Array, b: Uint8Array = pv2): Promise<DiskFormatError> {
  const err = await scan(a, b).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DiskFormatError);
  return err as DiskFormatError;
}

describe('LVM metadata', () => {
  it('a syntax error in the text names its offset on the PV', async () => {
    const text = metadataText(pv1);
    const broken = text.replace('extent_size = 2048', 'extent_size = = 2048');
    const err = await rejection(withMetadata(pv1, broken));
    const r = rlocn(pv1);
    const pos = broken.indexOf('= = 2048') + 2;
    expect(err).toMatchObject({ layer: 'lvm metadata', offset: r.mdaStart + r.offset + pos });
  });

  it('an error in text that wraps round the circular buffer names where it really is', async () => {
    const text = metadataText(pv1).replace('seqno = 5', 'seqno = 99').replace('pe_count = 7', 'pe_count = [');
    const r = rlocn(pv1);
    const at = r.mdaSize - 200; // the text wraps after 200 bytes
    const err = await rejection(withMetadata(pv1, text, at));
    const pos = text.indexOf('pe_count = [\n') + 'pe_count = [\n'.length; // the "}" where a value should be
    expect(pos).toBeGreaterThan(200);
    expect(err.offset).toBe(r.mdaStart + 512 + (pos - 200));
  });

  it('reads wrapped metadata and prefers the copy with the highest seqno', async () => {
    const text = metadataText(pv1)
      .replace('seqno = 5', 'seqno = 9')
      .replace(/lin \{[\s\S]*?extent_count = 2/, (m) =>
        m.replace('extent_count = 2', 'extent_count = 1').replace('segment_count = 1', 'segment_count = 1'),
      );
    const r = rlocn(pv1);
    const newer = withMetadata(pv1, text, r.mdaSize - 300);
    const result = await scan(pv2, newer);
    expect(result.volumeGroups[0]!.seqno).toBe(9);
    expect(result.logicalVolumes.find((l) => l.lv === 'lin')!.size).toBe(1 << 20);
    expect(result.notes.join()).toMatch(/disk1 has metadata seqno 9, disk0 has 5; the newest is used/);
  });

  it('a corrupt metadata CRC, mda header and label are refused', async () => {
    const r = rlocn(pv1);
    const text = pv1.slice();
    text[r.mdaStart + r.offset + 10] = text[r.mdaStart + r.offset + 10]! ^ 1;
    expect(await rejection(text)).toMatchObject({ layer: 'lvm metadata area', offset: r.mdaStart + 56 });
    const header = pv1.slice();
    header[r.mdaStart + 100] = header[r.mdaStart + 100]! ^ 1;
    expect(await rejection(header)).toMatchObject({ layer: 'lvm metadata area', offset: r.mdaStart });
    const label = pv1.slice();
    label[512 + 40] = label[512 + 40]! ^ 1;
    expect(await rejection(label)).toMatchObject({ layer: 'lvm label', offset: 512 + 16 });
  });

  it('a segment that names a PV missing from the VG', async () => {
    const err = await rejection(editMetadata(pv1, (t) => t.replace('"pv0", 0', '"pv9", 0')));
    expect(err.layer).toBe('lvm metadata');
    expect(err.message).toMatch(/lin\/segment1: stripe 0 names PV "pv9"/);
    expect(err.offset).toBeGreaterThan(rlocn(pv1).mdaStart);
  });

  it('a stripe mapped beyond the PV extents, or beyond the PV itself', async () => {
    const past = await rejection(editMetadata(pv1, (t) => t.replace('"pv0", 0', '"pv0", 6')));
    expect(past).toMatchObject({ layer: 'lvm' });
    expect(past.message).toMatch(/vgtest\/lin: extents 6..7 on pv0 exceed its 7 extents/);
    const lying = editMetadata(pv1, (t) => t.replaceAll('pe_count = 7', 'pe_count = 100')).slice();
    const big = await rejection(editMetadata(lying, (t) => t.replace('"pv0", 0', '"pv0", 50')));
    expect(big.message).toMatch(/run past the end of disk0 \(8388608 bytes\)/);
    expect(big.offset).toBe(1048576 + 50 * 1048576);
  });

  it('thin pools, raid and snapshots are reported as unsupported, not read', async () => {
    const edited = editMetadata(pv1, (t) =>
      t.replace(
        'type = "striped"\nstripe_count = 1\n\nstripes = [\n"pv0", 0\n]',
        'type = "thin-pool"\nmetadata = "x"\npool = "y"',
      ),
    );
    const result = await scan(edited);
    expect(result.logicalVolumes.map((l) => l.lv)).toEqual(['str', 'span']);
    expect(result.notes).toEqual([
      expect.stringMatching(/vgtest\/lin: segment type thin-pool is not supported/),
    ]);
  });
});
