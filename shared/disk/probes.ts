/** Every filesystem reader, tried in turn on each volume. A volume is probed for all of them, never chosen by name or flag. */
import { probeExt } from './fs/ext4/probe.ts';
import { probeFat } from './fs/fat/index.ts';
import { probeXfs } from './fs/xfs/index.ts';
import type { FileSystemProbe } from './types.ts';

export const FILESYSTEM_PROBES: FileSystemProbe[] = [probeExt, probeXfs, probeFat];
