/**
 * The guest's file index in the object store (one gzipped object at a fixed key per guest, see keys.ts):
 * pinned into the job when dispatch starts (so every dispatch attempt of one job plans against the same
 * index), and replaced when a scan completes — only forward: a scan whose snapshot is older than the
 * one the stored index came from does not replace it.
 */
import {
  decodeFileIndex,
  FILE_INDEX_CONTENT_TYPE,
  type FileIndexEntry,
} from '../../antivirus/dispatch/file-index.ts';
import type { ObjectStore } from '../../ports.ts';
import { fileIndexKey, jobKeys } from './keys.ts';

/** Metadata on the stored index: when dispatch of the scan it came from started (ISO 8601). */
const SCANNED_AT = 'scan-started-at';

/** Copies the guest's index into the job; false when the guest has none yet (its first scan is full). */
export async function pinBaseIndex(
  objects: Pick<ObjectStore, 'get' | 'put'>,
  tenantId: string,
  guestId: string,
  jobId: string,
): Promise<boolean> {
  const current = await objects.get(fileIndexKey(tenantId, guestId));
  if (!current) return false;
  await objects.put(jobKeys(tenantId, jobId).baseIndex, current.body, {
    contentType: FILE_INDEX_CONTENT_TYPE,
  });
  return true;
}

/** A stored index (or carried-over records) as a stream of entries; undefined when the object is missing. */
export async function readIndex(
  objects: Pick<ObjectStore, 'get'>,
  key: string,
): Promise<AsyncGenerator<FileIndexEntry> | undefined> {
  const object = await objects.get(key);
  return object ? decodeFileIndex(object.body) : undefined;
}

/**
 * Replaces the guest's index with `bytes` unless the stored one comes from a scan that started later.
 * Returns whether it was written.
 */
export async function saveGuestIndex(
  objects: Pick<ObjectStore, 'head' | 'put'>,
  tenantId: string,
  guestId: string,
  bytes: Uint8Array,
  scanStartedAt: string,
): Promise<boolean> {
  const key = fileIndexKey(tenantId, guestId);
  const stored = (await objects.head(key))?.metadata[SCANNED_AT];
  if (stored !== undefined && Date.parse(stored) > Date.parse(scanStartedAt)) return false;
  await objects.put(key, bytes, {
    contentType: FILE_INDEX_CONTENT_TYPE,
    metadata: { [SCANNED_AT]: new Date(scanStartedAt).toISOString() },
  });
  return true;
}
