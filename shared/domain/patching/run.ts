import type { ErrorInfo } from '../../contracts/common.ts';
import type { EventDetail } from '../../contracts/events.ts';
import { makeEvent } from '../../contracts/events.ts';
import { connectorRefOf, type Guest } from '../../contracts/guest.ts';
import type { Job } from '../../contracts/job.ts';
import { LatestPatchScan, type PatchScanSummary } from '../../contracts/patching.ts';
import { PatchingPolicy } from '../../contracts/service.ts';
import type { Deps } from '../../deps.ts';
import type { FeedIndex } from '../../feeds/index.ts';
import { loadFeedIndex } from '../../feeds/index-store.ts';
import { derivedId } from '../../ids/ids.ts';
import { matchInventory } from '../../patching/match.ts';
import type { ScanResult } from '../../patching/types.ts';
import { type Connector, isRetryable } from '../../ports.ts';
import { startJobAttempt } from '../job-attempt.ts';
import { type Delivery, ensureJob, errorMessage, failOrRetry, finishJob, PermanentFailure } from '../jobs.ts';
import { FEED_INDEX_KEY, latestScanKey, reportKeys } from './keys.ts';
import { readGuestInventory } from './read-guest.ts';
import { scanReports } from './reports.ts';

export type PatchScanRequest = EventDetail<'Patch Scan Requested'>;

export type PatchScanOutcome =
  | { outcome: 'succeeded'; job: Job; summary: PatchScanSummary }
  | { outcome: 'failed'; job: Job; error: ErrorInfo }
  | { outcome: 'already-finished'; job: Job };

/** Tag a scan-only snapshot carries (besides `outboard:job`): it is deleted once the scan has read it. */
export const SCAN_ONLY_TAG = 'outboard:purpose';
export const SCAN_ONLY_VALUE = 'patch-scan-only';

type ScanDeps = Pick<Deps, 'registry' | 'bus' | 'connectors' | 'clock' | 'logger' | 'objects'>;

/** The job a scheduled request belongs to is named after the schedule's fire time, so repeats find it. */
export function patchScanJobId(request: PatchScanRequest): string {
  if (request.jobId) return request.jobId;
  const at = request.trigger.kind === 'schedule' ? request.trigger.scheduledTime : 'unscheduled';
  return derivedId('job', request.tenantId, request.guestId, 'patching', at);
}

/** A scan-only snapshot is named after its job: a repeated delivery finds (and finally deletes) it. */
export function scanSnapshotId(jobId: string): string {
  return `ob-scan-${jobId.slice(4)}`;
}

interface ScanSource {
  snapshotId: string;
  diskCount: number;
  reusedRestorePoint: boolean;
  restorePointId?: string;
}

/**
 * Runs one patch scan request, idempotently. The guest is read from its newest restore point when that
 * is young enough (policy `maxRestorePointAgeHours`), else from a scan-only snapshot named after the job,
 * which is deleted once the reports are written (and on failure). Reports go to fixed keys per job, so a
 * repeated delivery rewrites the same objects. Completed is emitted before the job is marked done.
 * A guest no feed covers completes with `assessable: false`; a missing feed index fails the job.
 */
export async function runPatchScan(
  deps: ScanDeps,
  request: PatchScanRequest,
  delivery: Delivery,
): Promise<PatchScanOutcome> {
  const { tenantId, guestId, correlationId } = request;
  const jobId = patchScanJobId(request);
  const attempt = await startJobAttempt(
    deps,
    await ensureJob(deps, request, jobId, { kind: 'patch-scan', service: 'patching' }),
    'patch scan',
  );
  if (attempt.finished) {
    await cleanUpAfterFinished(deps, attempt.job);
    return { outcome: 'already-finished', job: attempt.job };
  }
  let { job } = attempt;
  const { startedAt } = attempt;
  let scanOnly: { connector: Connector; snapshotId: string } | undefined;
  const releaseSnapshot = async () => {
    if (!scanOnly) return;
    const { connector, snapshotId } = scanOnly;
    scanOnly = undefined;
    try {
      await connector.deleteSnapshot(tenantId, snapshotId);
    } catch (error) {
      deps.logger.warn('the scan-only snapshot could not be deleted; delete it by hand', {
        jobId,
        snapshotId,
        error: errorMessage(error),
      });
    }
  };
  try {
    const guest = await deps.registry.getGuest(tenantId, guestId);
    if (!guest)
      throw new PermanentFailure({ code: 'GUEST_NOT_FOUND', message: `guest ${guestId} does not exist` });
    const subscription = await deps.registry.getSubscription(tenantId, guestId, 'patching');
    if (!subscription) {
      throw new PermanentFailure({
        code: 'SERVICE_NOT_ENABLED',
        message: `patching is not enabled for guest ${guestId}`,
      });
    }
    const policy = PatchingPolicy.safeParse(subscription.policy);
    const maxAgeHours = policy.success ? policy.data.maxRestorePointAgeHours : 24;
    let connector: Connector;
    try {
      connector = deps.connectors.get(guest.connector);
    } catch (error) {
      throw new PermanentFailure({ code: 'CONNECTOR_UNAVAILABLE', message: errorMessage(error) });
    }
    // The feeds first: without them a snapshot would be taken for nothing.
    const { index, builtAt } = await loadFeeds(deps);

    const source = await chooseSource(deps, guest, connector, jobId, maxAgeHours, (snapshotId) => {
      scanOnly = { connector, snapshotId };
    });
    const { inventory, notes } = await readGuestInventory(
      connector,
      tenantId,
      source.snapshotId,
      source.diskCount,
    );
    inventory.notes.push(...notes);
    const now = deps.clock.now();
    const result = matchInventory(inventory, index, { now });
    const keys = reportKeys(tenantId, guestId, jobId);
    const finishedAt = deps.clock.now().toISOString();
    await writeReports(deps, keys, result, jobId, finishedAt);
    // The reports are written: the snapshot taken only to read them is no longer needed.
    await releaseSnapshot();

    const summary = summarize(result, keys, now, builtAt);
    await writeLatest(deps, {
      tenantId,
      guestId,
      jobId,
      snapshotId: source.snapshotId,
      reusedRestorePoint: source.reusedRestorePoint,
      finishedAt,
      ...summary,
    });
    // Event first, job second: a crash in between re-emits on redelivery rather than losing it.
    await deps.bus.publish([
      makeEvent('Patch Scan Completed', {
        tenantId,
        correlationId,
        guestId,
        jobId,
        snapshotId: source.snapshotId,
        reusedRestorePoint: source.reusedRestorePoint,
        ...(source.restorePointId ? { restorePointId: source.restorePointId } : {}),
        ...summary,
        startedAt,
        finishedAt,
      }),
    ]);
    job = await finishJob(deps, job, {
      status: 'succeeded',
      finishedAt,
      result: {
        snapshotId: source.snapshotId,
        reusedRestorePoint: source.reusedRestorePoint,
        ...(source.restorePointId ? { restorePointId: source.restorePointId } : {}),
        ...summary,
      },
    });
    return { outcome: 'succeeded', job, summary };
  } catch (error) {
    await releaseSnapshot();
    const failed = await failOrRetry(deps, job, error, delivery, {
      label: 'patch scan',
      code: 'PATCH_SCAN_FAILED',
      failedEvent: 'Patch Scan Failed',
    });
    job = failed.job;
    return { outcome: 'failed', job, error: failed.error };
  } finally {
    await releaseSnapshot();
  }
}

async function loadFeeds(deps: Pick<Deps, 'objects'>): Promise<{ index: FeedIndex; builtAt?: string }> {
  const head = await deps.objects.head(FEED_INDEX_KEY);
  const index = head ? await loadFeedIndex(deps.objects, FEED_INDEX_KEY) : undefined;
  if (!index) {
    throw new PermanentFailure({
      code: 'NO_FEEDS',
      message:
        'no feeds imported: run outboard feeds import PATH-OR-URL (locally) or set OUTBOARD_FEED_URLS for the ' +
        `feed-sync function; the feed index ${FEED_INDEX_KEY} is not in the object store, nothing was scanned`,
    });
  }
  return { index, ...(head ? { builtAt: head.lastModified.toISOString() } : {}) };
}

/**
 * The newest restore point if it is young enough and its snapshot is still there; else a scan-only
 * snapshot (reported through `taken` before anything can fail, so it is always cleaned up).
 */
async function chooseSource(
  deps: Pick<Deps, 'registry' | 'clock' | 'logger'>,
  guest: Guest,
  connector: Connector,
  jobId: string,
  maxAgeHours: number,
  taken: (snapshotId: string) => void,
): Promise<ScanSource> {
  if (maxAgeHours > 0) {
    const newest = (await deps.registry.listRestorePoints(guest.tenantId, guest.id, { limit: 1 })).items[0];
    const young =
      newest !== undefined &&
      deps.clock.now().getTime() - Date.parse(newest.createdAt) <= maxAgeHours * 3_600_000;
    if (newest && young && newest.connector === guest.connector) {
      const snapshot = await connector.getSnapshot(guest.tenantId, newest.snapshotId);
      if (snapshot && snapshot.state === 'completed') {
        return {
          snapshotId: newest.snapshotId,
          diskCount: newest.disks.length,
          reusedRestorePoint: true,
          restorePointId: newest.id,
        };
      }
      deps.logger.info('the newest restore point has no readable snapshot; taking a scan-only snapshot', {
        restorePointId: newest.id,
      });
    }
  }
  const snapshotId = scanSnapshotId(jobId);
  taken(snapshotId);
  try {
    const snapshot = await connector.createSnapshot({
      tenantId: guest.tenantId,
      guestId: guest.id,
      snapshotId,
      ref: connectorRefOf(guest),
      tags: { 'outboard:job': jobId, [SCAN_ONLY_TAG]: SCAN_ONLY_VALUE },
    });
    return { snapshotId: snapshot.snapshotId, diskCount: snapshot.disks.length, reusedRestorePoint: false };
  } catch (error) {
    if (isRetryable(error)) throw error;
    throw new PermanentFailure({ code: 'SNAPSHOT_REFUSED', message: errorMessage(error) });
  }
}

async function writeReports(
  deps: Pick<Deps, 'objects'>,
  keys: ReturnType<typeof reportKeys>,
  result: ScanResult,
  jobId: string,
  finishedAt: string,
): Promise<void> {
  const docs = scanReports(result, { jobId, timestamp: finishedAt });
  const json = 'application/json';
  await deps.objects.put(keys.sbom, docs.sbom, { contentType: 'application/vnd.cyclonedx+json' });
  await deps.objects.put(keys.vex, docs.vex, { contentType: 'application/vnd.cyclonedx+json' });
  await deps.objects.put(keys.sarif, docs.sarif, { contentType: 'application/sarif+json' });
  // report.json last: its presence says the others are there.
  await deps.objects.put(keys.report, docs.report, { contentType: json });
}

/** latest.json moves only forward: an older scan finishing late does not replace a newer one. */
async function writeLatest(deps: Pick<Deps, 'objects'>, latest: LatestPatchScan): Promise<void> {
  const key = latestScanKey(latest.tenantId, latest.guestId);
  const current = await deps.objects.get(key);
  if (current) {
    const parsed = LatestPatchScan.safeParse(safeJson(current.body));
    if (parsed.success && parsed.data.jobId !== latest.jobId && parsed.data.finishedAt > latest.finishedAt)
      return;
  }
  await deps.objects.put(key, JSON.stringify(LatestPatchScan.parse(latest)), {
    contentType: 'application/json',
  });
}

function safeJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

export function summarize(
  result: ScanResult,
  reports: ReturnType<typeof reportKeys>,
  now: Date,
  indexBuiltAt: string | undefined,
): PatchScanSummary {
  const dates = result.feeds
    .map((f) => f.date ?? f.mtime)
    .filter((d): d is string => d !== undefined && !Number.isNaN(Date.parse(d)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    assessable: result.assessable,
    reasons: result.reasons,
    counts: {
      packages: result.counts.packages,
      findings: result.counts.findings,
      bySeverity: { ...result.counts.bySeverity },
    },
    feeds: {
      count: result.feeds.length,
      ...(dates.length ? { oldest: dates[0]!, newest: dates.at(-1)! } : {}),
      expired: result.feeds.filter((f) => f.validUntil && Date.parse(f.validUntil) < now.getTime()).length,
      ...(indexBuiltAt ? { indexBuiltAt } : {}),
    },
    reports,
  };
}

/** A finished job whose scan-only snapshot a crash left behind: delete it now (deleting is idempotent). */
async function cleanUpAfterFinished(deps: ScanDeps, job: Job): Promise<void> {
  if (job.result?.reusedRestorePoint === true) return;
  const guest = await deps.registry.getGuest(job.tenantId, job.guestId);
  if (!guest) return;
  try {
    await deps.connectors.get(guest.connector).deleteSnapshot(job.tenantId, scanSnapshotId(job.id));
  } catch (error) {
    deps.logger.warn('could not delete a leftover scan-only snapshot', {
      jobId: job.id,
      error: errorMessage(error),
    });
  }
}
