/**
 * One object-created event of a watched bucket: find the bucket's registration, skip keys outside its
 * prefixes, stream the object through the engine the registration names, store the verdict at its fixed
 * key and publish `Object Scan Completed`.
 *
 * - Not watched (no registration, or a key outside its prefixes): ignored, not an error.
 * - Idempotent per object version: the verdict's key is made from the tenant, bucket, key and the event's
 *   ETag (or size), and is created only if absent; a redelivery finds it, scans nothing and publishes the
 *   event again (events are at least once: a crash between the write and the publish is mended this way).
 * - Infected verdicts are also filed under the bucket's detections, newest first, for the portal.
 * - Fail closed: an object that cannot be read (gone, changed since the event, read short) or an engine
 *   that cannot scan is `not-scanned` with the reason, never clean. A failure a retry may mend (reading
 *   the bucket or loading the engine threw) is thrown for the queue to deliver the event again; on the
 *   last delivery it is recorded as not scanned instead.
 */
import type { ArchiveLimits } from '../../antivirus/archives/limits.ts';
import type { ScanEngine } from '../../antivirus/engine/types.ts';
import { scanFile } from '../../antivirus/scan/scan-file.ts';
import type { AvEngineKind } from '../../contracts/antivirus.ts';
import { makeEvent } from '../../contracts/events.ts';
import { ObjectScanRecord, type S3ObjectCreatedEvent } from '../../contracts/watched-buckets.ts';
import type { Deps } from '../../deps.ts';
import type { BucketObject } from '../../ports.ts';
import { type Delivery, errorMessage } from '../jobs.ts';
import { objectDetectionKey, objectVerdictKey } from './keys.ts';
import { isPreconditionFailed, readRecord, writeRecord } from './records.ts';
import { findWatchedBucket, isWatchedKey } from './watched-buckets.ts';

export interface ObjectScanOptions {
  /** The engine of a kind (built once per process by the caller: `createEngine(kind, process.env)`). */
  engines: (kind: AvEngineKind) => Promise<ScanEngine>;
  archiveLimits?: ArchiveLimits;
}

export type ObjectScanOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'scanned'; record: ObjectScanRecord }
  | { outcome: 'already-scanned'; record: ObjectScanRecord };

type ObjectScanDeps = Pick<Deps, 'objects' | 'buckets' | 'bus' | 'clock' | 'logger'>;

export async function scanWatchedObject(
  deps: ObjectScanDeps,
  event: S3ObjectCreatedEvent,
  delivery: Delivery,
  options: ObjectScanOptions,
): Promise<ObjectScanOutcome> {
  const bucket = event.detail.bucket.name;
  const { key, size } = event.detail.object;
  const etag = event.detail.object.etag?.replaceAll('"', '') || undefined;
  const watched = await findWatchedBucket(deps, bucket);
  if (!watched) return { outcome: 'ignored', reason: `bucket ${bucket} is not watched` };
  if (!isWatchedKey(watched, key))
    return { outcome: 'ignored', reason: `key is under none of the prefixes watched in ${bucket}` };

  const { tenantId } = watched;
  const correlationId = event.id.slice(0, 128);
  const verdictKey = objectVerdictKey(tenantId, bucket, key, { etag, size });
  const existing = await readRecord(deps.objects, verdictKey, ObjectScanRecord);
  if (existing) {
    await fileDetection(deps, existing);
    await publish(deps, existing, correlationId);
    return { outcome: 'already-scanned', record: existing };
  }

  const lastDelivery = delivery.receiveCount >= delivery.maxReceiveCount;
  const base = { tenantId, bucket, key, size, ...(etag ? { etag } : {}) };
  const notScanned = (reason: string, detail: string, engine: string) =>
    ObjectScanRecord.parse({
      ...base,
      status: 'not-scanned',
      reason,
      detail: detail.slice(0, 4000),
      engine,
      scannedAt: deps.clock.now().toISOString(),
    });

  let record: ObjectScanRecord;
  let engine: ScanEngine;
  let engineName = `${watched.engine} (not loaded)`;
  let signatureVersion: string | undefined;
  try {
    engine = await options.engines(watched.engine);
    const described = await engine.describe();
    engineName = `${described.engine} ${described.engineVersion}`;
    signatureVersion = described.signatureVersion;
  } catch (error) {
    if (!lastDelivery) throw error;
    record = notScanned(
      'engine-error',
      `the ${watched.engine} engine is unavailable: ${errorMessage(error)}`,
      engineName,
    );
    return store(deps, verdictKey, record, correlationId);
  }

  let object: BucketObject | undefined;
  try {
    object = await deps.buckets.open(bucket, key);
  } catch (error) {
    if (!lastDelivery) throw error;
    record = notScanned(
      'unreadable',
      `s3://${bucket}/${key} could not be read: ${errorMessage(error)}`,
      engineName,
    );
    return store(deps, verdictKey, record, correlationId);
  }
  if (!object) {
    record = notScanned('unreadable', `s3://${bucket}/${key} no longer exists`, engineName);
  } else if ((etag !== undefined && object.etag !== etag) || (etag === undefined && object.size !== size)) {
    record = notScanned(
      'unreadable',
      `s3://${bucket}/${key} changed since its event (now ${object.size} bytes, ETag ${object.etag}); its new version has an event of its own`,
      engineName,
    );
  } else {
    const scanned = await scanFile(
      engine,
      object.body,
      { path: `s3://${bucket}/${key}`, size },
      options.archiveLimits,
    );
    const verdict = scanned.record;
    record = ObjectScanRecord.parse({
      ...base,
      status: verdict.status,
      ...(verdict.signature ? { signature: verdict.signature } : {}),
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      ...(verdict.sha256 ? { sha256: verdict.sha256 } : {}),
      engine: engineName,
      ...(signatureVersion ? { signatureVersion } : {}),
      ...(scanned.detail ? { detail: scanned.detail.slice(0, 4000) } : {}),
      scannedAt: deps.clock.now().toISOString(),
    });
  }
  return store(deps, verdictKey, record, correlationId);
}

/** Creates the verdict (the first writer wins: a concurrent duplicate keeps its record) and publishes it. */
async function store(
  deps: ObjectScanDeps,
  verdictKey: string,
  record: ObjectScanRecord,
  correlationId: string,
): Promise<ObjectScanOutcome> {
  try {
    await writeRecord(deps.objects, verdictKey, record, { ifNoneMatch: '*' });
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    const first = await readRecord(deps.objects, verdictKey, ObjectScanRecord);
    if (first) {
      await fileDetection(deps, first);
      await publish(deps, first, correlationId);
      return { outcome: 'already-scanned', record: first };
    }
    throw error;
  }
  await fileDetection(deps, record);
  await publish(deps, record, correlationId);
  return { outcome: 'scanned', record };
}

/**
 * Files an infected verdict under its bucket's detections as well (GET /v1/watched-buckets/{bucket}/
 * detections). Its key is derived from the verdict, so a redelivery rewrites the same entry: a crash
 * between the verdict and this write is mended by the next delivery, which finds the verdict.
 */
async function fileDetection(deps: Pick<Deps, 'objects'>, record: ObjectScanRecord): Promise<void> {
  if (record.status !== 'infected') return;
  const version = { etag: record.etag, size: record.size };
  await writeRecord(
    deps.objects,
    objectDetectionKey(record.tenantId, record.bucket, record.key, version, record.scannedAt),
    record,
  );
}

function publish(deps: Pick<Deps, 'bus'>, record: ObjectScanRecord, correlationId: string): Promise<void> {
  return deps.bus.publish([
    makeEvent('Object Scan Completed', {
      tenantId: record.tenantId,
      correlationId,
      bucket: record.bucket,
      key: record.key,
      size: record.size,
      ...(record.etag ? { etag: record.etag } : {}),
      status: record.status,
      ...(record.signature ? { signature: record.signature } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
      ...(record.sha256 ? { sha256: record.sha256 } : {}),
      engine: record.engine,
      scannedAt: record.scannedAt,
    }),
  ]);
}
