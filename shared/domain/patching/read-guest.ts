/**
 * A snapshot's disks to the guest's inventory: the guest opened from the snapshot
 * (`openSnapshotGuest`), the packages listed. Nothing is written; every disk is closed on the way out,
 * whatever happened.
 */
import { collectInventory } from '../../inventory/collect.ts';
import type { Inventory } from '../../inventory/types.ts';
import type { Connector } from '../../ports.ts';
import { openSnapshotGuest } from '../snapshot-guest.ts';

export async function readGuestInventory(
  connector: Connector,
  tenantId: string,
  snapshotId: string,
  diskCount: number,
): Promise<{ inventory: Inventory; notes: string[] }> {
  const guest = await openSnapshotGuest(connector, tenantId, snapshotId, diskCount);
  try {
    return { inventory: await collectInventory(guest.view), notes: guest.notes };
  } finally {
    await guest.close();
  }
}
