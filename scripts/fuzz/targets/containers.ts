import { join } from 'node:path';
import { MemorySource, ZeroSource } from '../../../shared/disk/block/memory-source.ts';
import { openContainer } from '../../../shared/disk/containers/index.ts';
import type { FuzzTarget } from '../target.ts';
import { readSampled } from './read-source.ts';
import { DISK_FIXTURES, fixtures, inputHash } from './seeds.ts';

const DIR = join(DISK_FIXTURES, 'containers');

/** What backing files and extents resolve to: the base qcow2 image for a name ending in .qcow2 (the
 * overlay's backing file), else zeros the size of the flat extent the descriptor fixture names. */
let base: Uint8Array | undefined;
async function resolve(name: string) {
  base ??= fixtures(DIR, (f) => f === 'base.qcow2.gz')[0]!;
  const source = name.endsWith('.qcow2') ? new MemorySource(base) : new ZeroSource(2072 * 512);
  return { source, path: `/fuzz/${name}` };
}

/**
 * Opens the input as a container and reads its virtual disk (first and last 4 MiB, a few ranges in
 * between). Backing files and VMDK extents resolve to 1 MiB of zeros, so chains and descriptor extents
 * are exercised without reading other files.
 */
async function runContainer(input: Uint8Array): Promise<void> {
  const container = await openContainer(new MemorySource(input), {
    resolveBacking: resolve,
    path: '/fuzz/input',
  });
  try {
    await readSampled(container, inputHash(input));
  } finally {
    await container.close();
  }
}

/** qcow2: v2, v3, 4 KiB clusters, deflate and zstd compression, an overlay with a backing file. */
export const qcow2Target: FuzzTarget = {
  name: 'qcow2',
  async seeds() {
    return fixtures(DIR, (f) => f.endsWith('.qcow2.gz'));
  },
  run: runContainer,
};

/** VMDK: monolithicSparse, streamOptimized and a descriptor naming a flat extent. */
export const vmdkTarget: FuzzTarget = {
  name: 'vmdk',
  async seeds() {
    return fixtures(DIR, (f) => f === 'sparse.vmdk.gz' || f === 'stream.vmdk.gz' || f === 'flat.vmdk');
  },
  run: runContainer,
};
