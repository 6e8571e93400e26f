/**
 * Every fuzz target, by name. Register a parser here: `{ name, seeds, run, isExpectedError? }` where run
 * throws only its declared error (DiskFormatError by default) on bad input. Used by scripts/fuzz/run.ts
 * and test/unit/fuzz/regressions.test.ts.
 */
import type { FuzzTarget } from './target.ts';
import { archivesTarget } from './targets/archives.ts';
import { qcow2Target, vmdkTarget } from './targets/containers.ts';
import { fatTarget } from './targets/fat.ts';
import { ext4Target, xfsTarget } from './targets/filesystems.ts';
import { guestTarget } from './targets/guest.ts';
import { lvmTarget } from './targets/lvm.ts';
import { partitionsTarget } from './targets/partitions.ts';
import { syslog3164Target, syslog5424Target } from './targets/syslog.ts';
import { windowsXmlTarget } from './targets/windows.ts';

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
  syslog5424Target,
  syslog3164Target,
  windowsXmlTarget,
  archivesTarget,
];

export function findTarget(name: string): FuzzTarget | undefined {
  return targets.find((t) => t.name === name);
}
