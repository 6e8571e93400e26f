/**
 * A snapshot's disks to the guest's inventory: each disk opened through the connector, read through its
 * container (raw, qcow2, VMDK), the guest assembled from its volumes and filesystems, the packages listed.
 * Nothing is written; every disk is closed on the way out, whatever happened.
 */
import { openContainer } from '../../disk/containers/index.ts';
import { openGuest } from '../../disk/guest/open-guest.ts';
import { FILESYSTEM_PROBES } from '../../disk/probes.ts';
import { type ByteSource, DiskFormatError } from '../../disk/types.ts';
import { listVolumes } from '../../disk/volumes.ts';
import { collectInventory } from '../../inventory/collect.ts';
import type { Inventory } from '../../inventory/types.ts';
import type { Connector } from '../../ports.ts';
import { isRetryable } from '../../ports.ts';
import { PermanentFailure } from '../jobs.ts';

export async function readGuestInventory(
  connector: Connector,
  tenantId: string,
  snapshotId: string,
  diskCount: number,
): Promise<{ inventory: Inventory; notes: string[] }> {
  const open: ByteSource[] = [];
  try {
    for (let index = 0; index < diskCount; index++) {
      let reader: ByteSource;
      try {
        reader = await connector.openDisk(tenantId, snapshotId, index);
      } catch (error) {
        if (isRetryable(error)) throw error;
        throw new PermanentFailure(
          {
            code: 'DISK_UNREADABLE',
            message: `disk ${index} of snapshot ${snapshotId}: ${messageOf(error)}`,
          },
          { cause: error },
        );
      }
      try {
        // On success the container owns the reader and closes it.
        open.push(await openContainer(reader));
      } catch (error) {
        await reader.close();
        throw unreadable(error, `disk ${index} of snapshot ${snapshotId}`);
      }
    }
    let guest: Awaited<ReturnType<typeof openGuest>>;
    try {
      guest = await openGuest(open, { listVolumes, probes: FILESYSTEM_PROBES });
    } catch (error) {
      throw unreadable(error, `snapshot ${snapshotId}`);
    }
    if (!guest.view) {
      throw new PermanentFailure({
        code: 'NO_READABLE_FILESYSTEM',
        message: `snapshot ${snapshotId}: no readable filesystem on the guest's disks (${guest.notes.join('; ') || 'no volumes'}); nothing was scanned`,
      });
    }
    const inventory = await collectInventory(guest.view);
    const notes = [
      ...guest.notes,
      ...guest.needsRecovery.map(
        (n) =>
          `volume ${n.volumeId}: its journal was not replayed (crash-consistent snapshot); the last writes may be missing`,
      ),
    ];
    return { inventory, notes };
  } finally {
    await Promise.allSettled(open.map((s) => s.close()));
  }
}

/** A disk whose format the reader refuses will not read better next time. */
function unreadable(error: unknown, where: string): unknown {
  if (error instanceof DiskFormatError) {
    return new PermanentFailure(
      { code: 'DISK_FORMAT_UNSUPPORTED', message: `${where}: ${error.message}` },
      { cause: error },
    );
  }
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
