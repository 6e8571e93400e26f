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

const HOUR_MS = 3_600_000;

/**
 * NDJSON is written straight into one scratch buffer, line by line, and compressed from there: cheaper
 * than joining the lines into one string and encoding that (the join flattens megabytes of text, the
 * encoding copies them again). The buffer is kept between calls: a fresh one per object would be
 * megabytes of external memory per batch, and V8 answers that with extra garbage collections.
 */
let scratch = Buffer.allocUnsafe(1 << 20);
/** A scratch buffer grown past this (an unusually large group) is not kept. */
const SCRATCH_KEEP_BYTES = 32 << 20;

function gzipNdjson(lines: readonly string[]): Buffer {
  let length = 0;
  for (const line of lines) {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, so this much room always fits the line.
    const room = line.length * 3 + 1;
    if (length + room > scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, length + room));
      scratch.copy(grown, 0, 0, length);
      scratch = grown;
    }
    length += scratch.write(line, length);
    scratch[length++] = 0x0a;
  }
  // Level 1: about three times faster than the default for ~20% more bytes; ingest runs at receipt rate.
  const body = gzipSync(scratch.subarray(0, length), { level: 1 });
  if (scratch.length > SCRATCH_KEEP_BYTES) scratch = Buffer.allocUnsafe(1 << 20);
  return body;
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
  const groups = new Map<string, { prefix: string; first: number; lines: string[] }>();
  // A batch's events mostly share a receive time: its parse is remembered.
  let lastReceivedText = '';
  let lastReceived = 0;
  let lastTenant: string | null | undefined;
  let lastGuest: string | null | undefined;
  let retention = UNATTRIBUTED_RETENTION_DAYS;
  for (const event of events) {
    if (event.receivedAt !== lastReceivedText) {
      lastReceivedText = event.receivedAt;
      lastReceived = Date.parse(event.receivedAt);
    }
    const received = lastReceived;
    // Likewise their guest: its retention class is looked up when the guest changes.
    if (event.tenantId !== lastTenant || event.guestId !== lastGuest) {
      lastTenant = event.tenantId;
      lastGuest = event.guestId;
      retention =
        event.tenantId && event.guestId
          ? retentionOf(event.tenantId, event.guestId)
          : UNATTRIBUTED_RETENTION_DAYS;
    }
    // The partition is (retention, tenant, guest, receive hour); its prefix is built once per group.
    const partition = `${retention}/${event.tenantId}/${event.guestId}/${Math.floor(received / HOUR_MS)}`;
    let group = groups.get(partition);
    if (!group) {
      group = {
        prefix: partitionPrefix(event, retention, received),
        first: received,
        lines: [],
      };
      groups.set(partition, group);
    }
    if (received < group.first) group.first = received;
    group.lines.push(JSON.stringify(event));
  }
  // Compressed one group after the other (they share the scratch buffer), then stored concurrently.
  const bodies = [...groups.values()].map(({ prefix, first, lines }) => ({
    key: objectKey(prefix, first, owner),
    events: lines.length,
    body: gzipNdjson(lines),
  }));
  return Promise.all(
    bodies.map(async ({ key, events, body }) => {
      await store.put(key, body, {
        contentType: 'application/x-ndjson',
        metadata: { 'content-encoding': 'gzip', events: String(events) },
      });
      return { key, events, bytes: body.length };
    }),
  );
}
