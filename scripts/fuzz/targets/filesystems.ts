import { join } from 'node:path';
import { MemorySource } from '../../../shared/disk/block/memory-source.ts';
import { probeExt } from '../../../shared/disk/fs/ext4/index.ts';
import { probeXfs } from '../../../shared/disk/fs/xfs/index.ts';
import type { FuzzTarget } from '../target.ts';
import { walkFileSystem } from '../walk.ts';
import { DISK_FIXTURES, fixtures } from './seeds.ts';

/** Per input: at most this many nodes and file bytes (a fuzzed image may claim huge files). */
const LIMITS = { maxNodes: 5_000, maxBytes: 4 * 1024 * 1024, indexedNames: true };

/** ext2, ext3, ext4 (extents, htree, inline data, meta_bg, sparse_super2): probe, then walk and read all. */
export const ext4Target: FuzzTarget = {
  name: 'ext4',
  smokeIterations: 150,
  async seeds() {
    return fixtures(join(DISK_FIXTURES, 'ext4'), (f) => f.endsWith('.img.gz'));
  },
  async run(input) {
    const fs = await probeExt(new MemorySource(input));
    if (fs) await walkFileSystem(fs, LIMITS);
  },
};

/** XFS v5 with 1 KiB and 4 KiB blocks: probe, then walk and read all. */
export const xfsTarget: FuzzTarget = {
  name: 'xfs',
  smokeIterations: 60,
  async seeds() {
    return fixtures(join(DISK_FIXTURES, 'xfs'), (f) => f.endsWith('.img.gz'));
  },
  async run(input) {
    const fs = await probeXfs(new MemorySource(input));
    // XFS lookup scans the directory: looking up every name of the big fixture directories is quadratic.
    if (fs) {
      await walkFileSystem(fs, {
        maxNodes: 2_000,
        maxBytes: 1024 * 1024,
        maxLookupsPerDir: 8,
        indexedNames: true,
      });
    }
  },
};
