import { join } from 'node:path';
import { MemorySource } from '../../../shared/disk/block/memory-source.ts';
import { GuestPathError } from '../../../shared/disk/guest/guest-view.ts';
import { openGuest } from '../../../shared/disk/guest/open-guest.ts';
import { FILESYSTEM_PROBES } from '../../../shared/disk/probes.ts';
import { DiskFormatError } from '../../../shared/disk/types.ts';
import { listVolumes } from '../../../shared/disk/volumes.ts';
import type { FuzzTarget } from '../target.ts';
import { DISK_FIXTURES, fixture, SEED_FIXTURES } from './seeds.ts';

const MAX_ENTRIES = 2_000;
const MAX_BYTES = 2 * 1024 * 1024;

/** Path errors (ENOENT, ELOOP…) are the guest's answer, format errors the reader's: both expected. */
async function expected<T>(op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof GuestPathError || e instanceof DiskFormatError) return undefined;
    throw e;
  }
}

/**
 * The guest view: a GPT disk with an ESP and an ext4 root (fstab, os-release and symlinks; see
 * scripts/fuzz/seeds/guest.sh), and bare ext4 and FAT images. openGuest, then a bounded walk of the
 * view that follows every symlink and reads the start of every file.
 */
export const guestTarget: FuzzTarget = {
  name: 'guest',
  async seeds() {
    return [
      fixture(join(SEED_FIXTURES, 'guest.img.gz')),
      fixture(join(DISK_FIXTURES, 'ext4/ext4-inline.img.gz')),
      fixture(join(DISK_FIXTURES, 'fat/fat12.img.gz')),
    ];
  },
  async run(input) {
    const guest = await openGuest([new MemorySource(input)], { listVolumes, probes: FILESYSTEM_PROBES });
    const view = guest.view;
    if (!view) return;
    for (const path of ['/etc/fstab', '/etc/os-release', '/usr/lib/os-release', '/etc/grub.cfg']) {
      await expected(() => view.readFile(path, { maxBytes: 64 * 1024 }));
    }
    let entries = 0;
    let bytes = 0;
    const walk = view.walk('/');
    try {
      for await (const e of walk) {
        if (++entries > MAX_ENTRIES) break;
        if (e.node.type === 'symlink') {
          await expected(() => view.readlink(e.path));
          await expected(() => view.stat(e.path));
        } else if (e.node.type === 'file' && bytes < MAX_BYTES) {
          const want = Math.min(e.node.size, 64 * 1024);
          const got = await expected(() => e.mount.fs.read(e.node, 0, want));
          if (got && got.length > want) throw new Error(`read of ${want} bytes returned ${got.length}`);
          bytes += got?.length ?? 0;
        }
      }
    } catch (e) {
      if (!(e instanceof GuestPathError || e instanceof DiskFormatError)) throw e;
    } finally {
      await walk.return(undefined);
    }
  },
};
