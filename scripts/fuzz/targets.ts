/**
 * Every fuzz target, by name. Register a parser here: `{ name, seeds, run }` where run throws only
 * DiskFormatError on bad input. Used by scripts/fuzz/run.ts and test/unit/fuzz/regressions.test.ts.
 */
import type { FuzzTarget } from './target.ts';
import { qcow2Target, vmdkTarget } from './targets/containers.ts';
import { fatTarget } from './targets/fat.ts';
import { ext4Target, xfsTarget } from './targets/filesystems.ts';
import { guestTarget } from './targets/guest.ts';
import { lvmTarget } from './targets/lvm.ts';
import { partitionsTarget } from './targets/partitions.ts';

export type { FuzzTarget } from './target.ts';

export const targets: FuzzTarget[] = [
  qcow2Target,
  vmdkTarget,
  partitionsTarget,
  lvmTarget,
  ext4Target,
  xfsTarget,
  fatTarget,
  guestTarget,
];

export function findTarget(name: string): FuzzTarget | undefined {
  return targets.find((t) => t.name === name);
}
