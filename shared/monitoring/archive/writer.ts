/**
 * Writes normalized events to the archive: one gzip NDJSON object per partition per writer batch,
 * each written once, whole and atomically (the object store's put). The object's name carries the
 * batch's owner (the ingest message id), so a redelivered message rewrites the same objects with the
 * same content instead of adding copies.
 */
import { gzipSync } from 'node:zlib';
import type { MonitorEvent } from '../../contracts/monitoring.ts';
import type { ObjectStore } from '../../ports.ts';
import { objectKey, partitionPrefix, UNATTRIBUTED_RETENTION_DAYS } from './keys.ts';

export interface ArchiveWrite {
  key: string;
  events: number;
  bytes: number;
}

/**
 * Groups `events` by partition (retention, tenant, guest, receive hour), writes each group, and returns
 * what was written. `retentionOf` gives an attributed guest's retention class in days.
 */
export async function writeArchive(
  store: ObjectStore,
  events: readonly MonitorEvent[],
  owner: string,
  retentionOf: (tenantId: string, guestId: string) => number,
): Promise<ArchiveWrite[]> {
  const groups = new Map<string, { first: number; lines: string[] }>();
  for (const event of events) {
    const received = Date.parse(event.receivedAt);
    const retention =
      event.tenantId && event.guestId
        ? retentionOf(event.tenantId, event.guestId)
        : UNATTRIBUTED_RETENTION_DAYS;
    const prefix = partitionPrefix(event, retention, received);
    let group = groups.get(prefix);
    if (!group) {
      group = { first: received, lines: [] };
      groups.set(prefix, group);
    }
    if (received < group.first) group.first = received;
    group.lines.push(JSON.stringify(event));
  }
  const writes = [...groups].map(async ([prefix, group]) => {
    const key = objectKey(prefix, group.first, owner);
    // Level 1: about three times faster than the default for ~20% more bytes; ingest runs at receipt rate.
    const body = gzipSync(`${group.lines.join('\n')}\n`, { level: 1 });
    await store.put(key, body, {
      contentType: 'application/x-ndjson',
      metadata: { 'content-encoding': 'gzip', events: String(group.lines.length) },
    });
    return { key, events: group.lines.length, bytes: body.length };
  });
  return Promise.all(writes);
}
