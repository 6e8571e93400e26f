/**
 * Watched buckets: a tenant registers a bucket, and every object created in it (under one of its prefixes,
 * if it names any) is scanned by av-object-scan. A bucket belongs to one tenant: its registration lives at
 * `av/watched-buckets/<bucket>.json` because the S3 event that triggers a scan names the bucket, not the
 * tenant. Another tenant's registration of a bucket is a conflict, and is invisible to the others.
 */
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import { ObjectScanRecord, WatchedBucket, type WatchedBucketBody } from '../../contracts/watched-buckets.ts';
import type { Deps } from '../../deps.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import {
  bucketOfWatchedKey,
  objectDetectionsPrefix,
  WATCHED_BUCKETS_PREFIX,
  watchedBucketKey,
} from './keys.ts';
import { listRecords, readRecord, writeRecord } from './records.ts';

type RegistrationDeps = Pick<Deps, 'objects' | 'clock'>;

/** The registration of a bucket, whoever owns it; undefined when nobody watches it. */
export function findWatchedBucket(
  deps: Pick<Deps, 'objects'>,
  bucket: string,
): Promise<WatchedBucket | undefined> {
  return readRecord(deps.objects, watchedBucketKey(bucket), WatchedBucket);
}

/** Registers or replaces the tenant's watch of a bucket; `created` tells 201 from 200. */
export async function putWatchedBucket(
  deps: RegistrationDeps,
  tenantId: string,
  bucket: string,
  body: WatchedBucketBody,
): Promise<{ watched: WatchedBucket; created: boolean }> {
  const existing = await findWatchedBucket(deps, bucket);
  if (existing && existing.tenantId !== tenantId) {
    throw new ConflictError(
      'BUCKET_WATCHED_ELSEWHERE',
      `bucket ${bucket} is already watched by another tenant`,
    );
  }
  const now = deps.clock.now().toISOString();
  const watched = WatchedBucket.parse({
    tenantId,
    bucket,
    prefixes: body.prefixes,
    engine: body.engine,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  await writeRecord(deps.objects, watchedBucketKey(bucket), watched);
  return { watched, created: existing === undefined };
}

/** The tenant's watched buckets, by name. */
export async function listWatchedBuckets(
  deps: Pick<Deps, 'objects'>,
  tenantId: string,
): Promise<PageOf<WatchedBucket>> {
  const items: WatchedBucket[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.objects.list(WATCHED_BUCKETS_PREFIX, {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const info of page.items) {
      const bucket = bucketOfWatchedKey(info.key);
      if (bucket === undefined) continue;
      const watched = await findWatchedBucket(deps, bucket);
      if (watched?.tenantId === tenantId) items.push(watched);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { items };
}

/** Stops watching; a bucket the tenant does not watch is NotFound (whoever else may). */
export async function deleteWatchedBucket(
  deps: Pick<Deps, 'objects'>,
  tenantId: string,
  bucket: string,
): Promise<void> {
  const existing = await findWatchedBucket(deps, bucket);
  if (!existing || existing.tenantId !== tenantId) {
    throw new NotFoundError('BUCKET_NOT_WATCHED', `bucket ${bucket} is not watched`);
  }
  await deps.objects.delete(watchedBucketKey(bucket));
}

/** Whether a key is under one of the registration's prefixes (every key when it names none). */
export function isWatchedKey(watched: Pick<WatchedBucket, 'prefixes'>, key: string): boolean {
  return watched.prefixes.length === 0 || watched.prefixes.some((p) => key.startsWith(p));
}

/**
 * The infected objects of a bucket the tenant watches or watched, newest first. Only the tenant's own
 * entries are read (they are kept under its prefix), so another tenant's bucket lists nothing.
 */
export function listObjectDetections(
  deps: Pick<Deps, 'objects'>,
  tenantId: string,
  bucket: string,
  page: PageRequest,
): Promise<PageOf<ObjectScanRecord>> {
  return listRecords(deps.objects, objectDetectionsPrefix(tenantId, bucket), ObjectScanRecord, page);
}
