/**
 * A snapshot's disks opened as the guest's files, for every service that reads a guest from a
 * snapshot (patch scans list its packages, antivirus walks and reads its files): each disk through the
 * connector and its container (raw, qcow2, VMDK), the guest assembled from its volumes and
 * filesystems. Failures no retry mends become `PermanentFailure`s (`DISK_UNREADABLE`,
 * `DISK_FORMAT_UNSUPPORTED`, `NO_READABLE_FILESYSTEM`); a retryable connector error is rethrown as
 * it is. The caller closes what it opened, whatever happened; disks are closed here if opening fails
 * half way. Nothing is written.
 */
import { openContainer } from '../disk/containers/index.ts';
import type { GuestView } from '../disk/guest/guest-view.ts';
import { openGuest, type ProbedVolume } from '../disk/guest/open-guest.ts';
import { FILESYSTEM_PROBES } from '../disk/probes.ts';
import { type ByteSource, DiskFormatError } from '../disk/types.ts';
import { listVolumes } from '../disk/volumes.ts';
import { type Connector, isRetryable } from '../ports.ts';
import { errorMessage, PermanentFailure } from './jobs.ts';

export interface SnapshotGuest {
  view: GuestView;
  /** Every volume found, with its filesystem and mount point when it has them. */
  volumes: ProbedVolume[];
  /** What the reader noticed (volumes without a filesystem, journals not replayed…). */
  notes: string[];
  /** Closes every disk opened; never throws. */
  close(): Promise<void>;
}

export async function openSnapshotGuest(
  connector: Connector,
  tenantId: string,
  snapshotId: string,
  diskCount: number,
): Promise<SnapshotGuest> {
  const open: ByteSource[] = [];
  const close = async () => {
    await Promise.allSettled(open.map((s) => s.close()));
  };
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
            message: `disk ${index} of snapshot ${snapshotId}: ${errorMessage(error)}`,
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
    const notes = [
      ...guest.notes,
      ...guest.needsRecovery.map(
        (n) =>
          `volume ${n.volumeId}: its journal was not replayed (crash-consistent snapshot); the last writes may be missing`,
      ),
    ];
    return { view: guest.view, volumes: guest.volumes, notes, close };
  } catch (error) {
    await close();
    throw error;
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
