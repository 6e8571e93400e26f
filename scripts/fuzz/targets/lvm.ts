import { join } from 'node:path';
import { MemorySource } from '../../../shared/disk/block/memory-source.ts';
import { scanLvm } from '../../../shared/disk/lvm/index.ts';
import { Rng } from '../mutate.ts';
import type { FuzzTarget } from '../target.ts';
import { readRange } from './read-source.ts';
import { DISK_FIXTURES, fixture, inputHash } from './seeds.ts';

/** An input holding two PVs: this 512-byte header (magic, u32 LE length of the first PV), PV 1, PV 2. */
const PAIR_MAGIC = 'LVMFUZZ2';
const HEADER = 512;
/** The fixture PVs keep their data from 1 MiB on (pe_start): zeroed in the seeds, so that the mutator
 * (which favours blocks that are not zeros) works on the label and the metadata area. */
const PE_START = 1024 * 1024;

function pvSeed(name: string): Uint8Array {
  const pv = fixture(join(DISK_FIXTURES, 'partitions', name));
  pv.fill(0, PE_START);
  return pv;
}

function pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + a.length + b.length);
  for (let i = 0; i < PAIR_MAGIC.length; i++) out[i] = PAIR_MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, a.length, true);
  out.set(a, HEADER);
  out.set(b, HEADER + a.length);
  return out;
}

/** The PVs an input holds: two when it starts with the pair header, else the input as one PV. */
function split(input: Uint8Array): Uint8Array[] {
  const magic = String.fromCharCode(...input.subarray(0, PAIR_MAGIC.length));
  if (magic !== PAIR_MAGIC || input.length < HEADER) return [input];
  const rest = input.subarray(HEADER);
  const first = Math.min(rest.length, new DataView(input.buffer, input.byteOffset).getUint32(8, true));
  return [rest.subarray(0, first), rest.subarray(first)];
}

/**
 * LVM2: the two PVs of the fixture volume group (linear, spanning and striped LVs), alone and
 * together; scanLvm, then a few blocks of every logical volume.
 */
export const lvmTarget: FuzzTarget = {
  name: 'lvm',
  async seeds() {
    const pv1 = pvSeed('lvm-pv1.img.gz');
    const pv2 = pvSeed('lvm-pv2.img.gz');
    return [pair(pv1, pv2), pv1, pv2];
  },
  async run(input) {
    const pvs = split(input).map((bytes, i) => ({ id: `pv${i + 1}`, source: new MemorySource(bytes) }));
    const scan = await scanLvm(pvs);
    const rng = new Rng(inputHash(input));
    for (const lv of scan.logicalVolumes) {
      const size = lv.source.size;
      if (size !== lv.size) throw new Error(`LV ${lv.lv}: size ${lv.size} but source size ${size}`);
      await readRange(lv.source, 0, 128 * 1024, 32 * 1024);
      await readRange(lv.source, Math.max(0, size - 128 * 1024), 128 * 1024, 48 * 1024);
      for (let i = 0; i < 4 && size > 0; i++) await readRange(lv.source, rng.below(size), 100_000);
    }
  },
};
