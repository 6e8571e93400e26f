/**
 * Where anti-virus scanning keeps its objects, and the names it derives from a job.
 *
 * Per job (fixed keys, so a redelivered message rewrites or finds the same object):
 *   av/jobs/<tenant>/<job>/dispatch.json          what dispatch decided first: the snapshot, the policy, whether
 *                                                 there was a file index; written once, reused by redeliveries
 *   av/jobs/<tenant>/<job>/base-index.ndjson.gz   the guest's file index as it was then (incremental scans)
 *   av/jobs/<tenant>/<job>/carried/<attempt>.ndjson.gz   index records of the files the attempt skipped as unchanged
 *   av/jobs/<tenant>/<job>/plan.json              the manifest: the dispatch attempt whose tasks count, their
 *                                                 number and the plan summary (written once every task is sent)
 *   av/jobs/<tenant>/<job>/tasks/<attempt>/<index>.json   one task's result
 *   av/jobs/<tenant>/<job>/final.json             the fan-in claim: who finalizes, the summary, the detections
 *
 * Per guest:
 *   av/index/<tenant>/<guest>/files.ndjson.gz     the file index incremental scans skip unchanged files by
 *   av/detections/<tenant>/<guest>/<inverted time>-<job>-<n>.json   one per infected file, newest first
 *
 * Task results are kept per dispatch attempt: a dispatch that failed half way and ran again may cut the
 * files into tasks differently (a directory that could not be read the first time), so a result of the
 * first attempt's task 3 must never stand for the second attempt's task 3. Only the attempt the manifest
 * names counts; tasks of another attempt are dropped once the manifest exists.
 */
import { createHash } from 'node:crypto';
import { derivedId } from '../../ids/ids.ts';

export const AV_SCAN_TASK_QUEUE = 'av-scan-tasks';

/** Tag a scan-only snapshot carries (besides `outboard:job`): it is deleted when its job finishes. */
export const AV_SCAN_ONLY_TAG = 'outboard:purpose';
export const AV_SCAN_ONLY_VALUE = 'av-scan-only';

/** Larger than any epoch-ms timestamp until the year 2286; inverted times sort newest first. */
const INVERT_FROM = 9_999_999_999_999;

export function jobPrefix(tenantId: string, jobId: string): string {
  return `av/jobs/${tenantId}/${jobId}/`;
}

export function jobKeys(tenantId: string, jobId: string) {
  const dir = jobPrefix(tenantId, jobId);
  return {
    dispatch: `${dir}dispatch.json`,
    baseIndex: `${dir}base-index.ndjson.gz`,
    plan: `${dir}plan.json`,
    final: `${dir}final.json`,
  };
}

export function carriedKey(tenantId: string, jobId: string, attempt: string): string {
  return `${jobPrefix(tenantId, jobId)}carried/${attempt}.ndjson.gz`;
}

export function tasksPrefix(tenantId: string, jobId: string, attempt: string): string {
  return `${jobPrefix(tenantId, jobId)}tasks/${attempt}/`;
}

export function taskResultKey(tenantId: string, jobId: string, attempt: string, taskIndex: number): string {
  return `${tasksPrefix(tenantId, jobId, attempt)}${taskIndex}.json`;
}

/** The task index a result key names, or undefined for another key. */
export function taskIndexOf(key: string, tasksPrefix: string): number | undefined {
  if (!key.startsWith(tasksPrefix)) return undefined;
  const m = /^(0|[1-9]\d{0,8})\.json$/.exec(key.slice(tasksPrefix.length));
  return m ? Number(m[1]) : undefined;
}

export function fileIndexKey(tenantId: string, guestId: string): string {
  return `av/index/${tenantId}/${guestId}/files.ndjson.gz`;
}

export function detectionsPrefix(tenantId: string, guestId: string): string {
  return `av/detections/${tenantId}/${guestId}/`;
}

/** Newest first by `at`; a job's detections in their order. */
export function detectionKey(
  tenantId: string,
  guestId: string,
  jobId: string,
  at: string,
  n: number,
): string {
  const inverted = String(INVERT_FROM - Date.parse(at)).padStart(13, '0');
  return `${detectionsPrefix(tenantId, guestId)}${inverted}-${jobId}-${String(n).padStart(6, '0')}.json`;
}

/** A scan-only snapshot is named after its job: a redelivery finds (and finally deletes) it. */
export function scanOnlySnapshotId(jobId: string): string {
  return `ob-av-${jobId.slice(4)}`;
}

/** The job of a scheduled request is named after the fire time, so a repeated schedule event is one job. */
export function scheduledAvJobId(
  tenantId: string,
  guestId: string,
  scheduledTime: string | undefined,
): string {
  return derivedId('job', tenantId, guestId, 'antivirus', scheduledTime ?? 'unscheduled');
}

/** The scan of a restore point is named after it, so a redelivered Backup Completed is one job. */
export function afterBackupAvJobId(tenantId: string, guestId: string, restorePointId: string): string {
  return derivedId('job', tenantId, guestId, 'antivirus', 'after-backup', restorePointId);
}

// ---------------------------------------------------------------- watched buckets
//   av/watched-buckets/<bucket>.json                     the registration (one tenant per bucket)
//   av/objects/<tenant>/<bucket>/<sha256(key)>-<version>.json   the verdict on one version of one object
//   av/object-detections/<tenant>/<bucket>/<inverted time>-<sha256(key)>-<version>.json
//                                                        a copy of each infected verdict, newest first

export const WATCHED_BUCKETS_PREFIX = 'av/watched-buckets/';

export function watchedBucketKey(bucket: string): string {
  return `${WATCHED_BUCKETS_PREFIX}${bucket}.json`;
}

/** The bucket a registration key names, or undefined for another key. */
export function bucketOfWatchedKey(key: string): string | undefined {
  if (!key.startsWith(WATCHED_BUCKETS_PREFIX) || !key.endsWith('.json')) return undefined;
  return key.slice(WATCHED_BUCKETS_PREFIX.length, -'.json'.length);
}

/**
 * One version of an object, named: its key hashed (any key fits, fixed length), the version its ETag
 * (quotes and other characters outside `[A-Za-z0-9_.-]` dropped) or, without one, its size.
 */
function objectVersionName(key: string, version: { etag?: string | undefined; size: number }): string {
  const hashed = createHash('sha256').update(key, 'utf8').digest('hex');
  const etag = version.etag?.replace(/[^A-Za-z0-9_.-]/g, '');
  return `${hashed}-${etag ? `e${etag}` : `s${version.size}`}`;
}

/** The verdict of one version of an object. */
export function objectVerdictKey(
  tenantId: string,
  bucket: string,
  key: string,
  version: { etag?: string | undefined; size: number },
): string {
  return `av/objects/${tenantId}/${bucket}/${objectVersionName(key, version)}.json`;
}

export function objectDetectionsPrefix(tenantId: string, bucket: string): string {
  return `av/object-detections/${tenantId}/${bucket}/`;
}

/** An infected verdict's entry in the bucket's detections, newest first by the scan's time. */
export function objectDetectionKey(
  tenantId: string,
  bucket: string,
  key: string,
  version: { etag?: string | undefined; size: number },
  scannedAt: string,
): string {
  const inverted = String(INVERT_FROM - Date.parse(scannedAt)).padStart(13, '0');
  return `${objectDetectionsPrefix(tenantId, bucket)}${inverted}-${objectVersionName(key, version)}.json`;
}
