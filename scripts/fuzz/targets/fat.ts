import { join } from 'node:path';
import { MemorySource } from '../../../shared/disk/block/memory-source.ts';
import { probeFat } from '../../../shared/disk/fs/fat/index.ts';
import type { FuzzTarget } from '../target.ts';
import { walkFileSystem } from '../walk.ts';
import { DISK_FIXTURES, fixtures } from './seeds.ts';

/** FAT: probe, then list and read everything. Seeds: the committed FAT12/16/32 fixtures. */
export const fatTarget: FuzzTarget = {
  name: 'fat',
  async seeds() {
    return fixtures(join(DISK_FIXTURES, 'fat'), (f) => f.endsWith('.img.gz'));
  },
  async run(input) {
    const fs = await probeFat(new MemorySource(input));
    if (fs) await walkFileSystem(fs);
  },
};
