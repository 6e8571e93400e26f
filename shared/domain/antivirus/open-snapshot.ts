/**
 * A snapshot's disks opened as the guest's files, for dispatch (to walk them) and the scanner (to read
 * them), through `openSnapshotGuest` (shared with patch scans), with a note for each filesystem the
 * guest does not mount (it is not scanned). The caller closes what it opened, whatever happened; disks
 * are closed here if opening fails half way. Nothing is written.
 */
import type { WalkableGuest } from '../../antivirus/dispatch/walk.ts';
import type { ConnectorKind } from '../../contracts/guest.ts';
import type { Connector, Connectors } from '../../ports.ts';
import { errorMessage, PermanentFailure } from '../jobs.ts';
import { openSnapshotGuest } from '../snapshot-guest.ts';

export interface OpenedSnapshot {
  view: WalkableGuest;
  /** What the reader noticed (volumes without a filesystem, journals not replayed…). */
  notes: string[];
  close(): Promise<void>;
}

/** Opens a snapshot's guest; replaceable in tests (an in-memory guest instead of disk images). */
export type SnapshotOpener = (
  connector: Connector,
  tenantId: string,
  snapshotId: string,
  diskCount: number,
) => Promise<OpenedSnapshot>;

export const openSnapshot: SnapshotOpener = async (connector, tenantId, snapshotId, diskCount) => {
  const guest = await openSnapshotGuest(connector, tenantId, snapshotId, diskCount);
  const notes = [
    ...guest.notes,
    ...guest.volumes
      .filter((v) => v.fs && v.mountPoint === undefined)
      .map((v) => `volume ${v.volume.id} holds a filesystem the guest does not mount; it was not scanned`),
  ];
  return { view: guest.view, notes, close: guest.close };
};

/** The connector of `kind`; one this deployment does not have is a failure no retry mends. */
export function connectorFor(connectors: Connectors, kind: string): Connector {
  try {
    return connectors.get(kind as ConnectorKind);
  } catch (error) {
    throw new PermanentFailure(
      { code: 'CONNECTOR_UNAVAILABLE', message: errorMessage(error) },
      { cause: error },
    );
  }
}
