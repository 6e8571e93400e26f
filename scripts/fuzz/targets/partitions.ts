import { join } from 'node:path';
import { MemorySource } from '../../../shared/disk/block/memory-source.ts';
import { readPartitionTable } from '../../../shared/disk/partitions/index.ts';
import { DiskFormatError } from '../../../shared/disk/types.ts';
import { listVolumes } from '../../../shared/disk/volumes.ts';
import type { FuzzTarget } from '../target.ts';
import { DISK_FIXTURES, fixtures } from './seeds.ts';

/**
 * MBR (with logical partitions) and GPT (512 and 4096-byte sectors, a damaged primary): the table read
 * both ways, then the first and last sector of every volume listVolumes finds.
 */
export const partitionsTarget: FuzzTarget = {
  name: 'partitions',
  async seeds() {
    return fixtures(join(DISK_FIXTURES, 'partitions'), (f) => f.endsWith('.img.gz') && !f.startsWith('lvm'));
  },
  async run(input) {
    const disk = new MemorySource(input);
    for (const mbrSectorSize of [512, 4096] as const) {
      try {
        const table = await readPartitionTable(disk, { mbrSectorSize });
        for (const p of table.partitions) {
          if (!(p.offset >= 0 && p.size >= 0 && p.offset + p.size <= disk.size))
            throw new Error(
              `partition ${p.number} (${p.offset}+${p.size}) is outside the disk (${disk.size})`,
            );
        }
      } catch (e) {
        if (!(e instanceof DiskFormatError)) throw e;
      }
    }
    const { volumes } = await listVolumes([disk]);
    for (const v of volumes) {
      for (const at of [0, Math.max(0, v.source.size - 512)]) {
        const got = await v.source.read(at, 512);
        if (got.length !== Math.min(512, v.source.size - at))
          throw new Error(`volume ${v.id}: read of 512 bytes at ${at} returned ${got.length}`);
      }
    }
  },
};
