/**
 * The volumes of a guest's disks: each disk's partitions (or the whole disk when it has no table),
 * then the logical volumes of any LVM volume groups found on them. Every volume is a candidate for a
 * filesystem probe; PVs stay listed as partitions, nothing is chosen by name or boot flag.
 */
import { SliceSource } from './block/slice-source.ts';
import { scanLvm } from './lvm/index.ts';
import { MBR_EXTENDED_TYPES, readPartitionTable } from './partitions/index.ts';
import type { ByteSource, PartitionTable, Volume } from './types.ts';
import { DiskFormatError } from './types.ts';

export interface VolumeList {
  volumes: Volume[];
  /** One per disk, in order (`scheme: 'none'` for a disk without a readable table). */
  tables: PartitionTable[];
  notes: string[];
}

const EXTENDED = new Set(MBR_EXTENDED_TYPES.map((t) => t.toString(16).padStart(2, '0')));

export async function listVolumes(disks: ByteSource[]): Promise<VolumeList> {
  const volumes: Volume[] = [];
  const tables: PartitionTable[] = [];
  const notes: string[] = [];
  for (const [i, disk] of disks.entries()) {
    const diskId = `disk${i}`;
    let table: PartitionTable;
    try {
      table = await readPartitionTable(disk);
    } catch (e) {
      if (!(e instanceof DiskFormatError)) throw e;
      notes.push(`${diskId}: partition table unreadable (${e.message}); the whole disk is probed instead`);
      table = { scheme: 'none', sectorSize: 512, partitions: [], notes: [] };
    }
    tables.push(table);
    for (const n of table.notes) notes.push(`${diskId}: ${n}`);
    const parts = table.partitions.filter((p) => !(p.scheme === 'mbr' && EXTENDED.has(p.type)));
    if (table.partitions.length === 0) {
      volumes.push({ id: diskId, source: disk, kind: 'disk' });
      continue;
    }
    for (const p of parts) {
      volumes.push({
        id: `${diskId}p${p.number}`,
        source: new SliceSource(disk, p.offset, p.size),
        kind: 'partition',
        partition: p,
      });
    }
  }
  try {
    const lvm = await scanLvm(volumes.map((v) => ({ id: v.id, source: v.source })));
    notes.push(...lvm.notes.map((n) => `lvm: ${n}`));
    for (const lv of lvm.logicalVolumes) {
      volumes.push({
        id: `lvm:${lv.vg}/${lv.lv}`,
        source: lv.source,
        kind: 'lvm',
        lvm: { vg: lv.vg, lv: lv.lv, uuid: lv.uuid },
      });
    }
  } catch (e) {
    if (!(e instanceof DiskFormatError)) throw e;
    notes.push(`lvm: volume groups unreadable (${e.message}); their logical volumes are not listed`);
  }
  return { volumes, tables, notes };
}
