/**
 * How an anti-virus job ends when it cannot complete: `AV Scan Completed` with status FAILED (there is
 * no separate failure event; a failed scan is never reported clean) emitted before the job is marked
 * failed, and the scan-only snapshot deleted. Also the one rule for which snapshot may be deleted:
 * only a scan-only one (`ob-av-<job>`), which only portal and schedule requests take — the snapshot of
 * a restore point is never touched.
 */

import type { ScanMode, ScanSummary } from '../../contracts/antivirus.ts';
import type { ErrorInfo } from '../../contracts/common.ts';
import { makeEvent } from '../../contracts/events.ts';
import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import { type Delivery, errorMessage, finishJob, PermanentFailure } from '../jobs.ts';
import { scanOnlySnapshotId } from './keys.ts';
import { connectorFor } from './open-snapshot.ts';

type EndDeps = Pick<Deps, 'registry' | 'bus' | 'clock' | 'logger' | 'connectors'>;

/** The summary of a scan that produced no verdicts at all. */
export function failedSummary(mode: ScanMode, note: string): ScanSummary {
  return {
    mode,
    status: 'FAILED',
    result: 'NO_THREATS_FOUND',
    files: 0,
    bytes: 0,
    detections: 0,
    notScanned: { total: 0, byReason: {} },
    skipped: { total: 0, byReason: {} },
    tasks: { total: 0, completed: 0, failed: 0 },
    notes: [note],
  };
}

/** Whether the job scans a snapshot of its own (portal and schedule requests) rather than a restore point. */
export function takesScanOnlySnapshot(job: Pick<Job, 'trigger'>): boolean {
  return job.trigger.kind !== 'event';
}

/** Deletes the job's scan-only snapshot, if it has one; a failure is logged, never thrown. */
export async function releaseScanOnlySnapshot(
  deps: Pick<Deps, 'registry' | 'connectors' | 'logger'>,
  job: Pick<Job, 'tenantId' | 'guestId' | 'id' | 'trigger'>,
  connectorKind?: string,
): Promise<void> {
  if (!takesScanOnlySnapshot(job)) return;
  const snapshotId = scanOnlySnapshotId(job.id);
  try {
    const kind = connectorKind ?? (await deps.registry.getGuest(job.tenantId, job.guestId))?.connector;
    if (kind === undefined) return;
    await connectorFor(deps.connectors, kind).deleteSnapshot(job.tenantId, snapshotId);
  } catch (error) {
    deps.logger.warn('the scan-only snapshot could not be deleted; delete it by hand', {
      jobId: job.id,
      snapshotId,
      error: errorMessage(error),
    });
  }
}

export interface FailureContext {
  mode: ScanMode;
  /** The scan's summary so far, when fan-in got that far (its detections stand). */
  summary?: ScanSummary;
  snapshotId?: string;
  restorePointId?: string;
  connector?: string;
}

/** Ends the job as failed: the event first, then the job, then the scan-only snapshot. */
export async function failAvScan(
  deps: EndDeps,
  job: Job,
  error: ErrorInfo,
  context: FailureContext,
): Promise<Job> {
  const finishedAt = deps.clock.now().toISOString();
  const summary: ScanSummary = context.summary
    ? {
        ...context.summary,
        status: 'FAILED',
        notes: [...context.summary.notes, `${error.code}: ${error.message}`],
      }
    : failedSummary(context.mode, `${error.code}: ${error.message}`);
  const { tenantId, correlationId, guestId, id: jobId } = job;
  await deps.bus.publish([
    makeEvent('AV Scan Completed', {
      tenantId,
      correlationId,
      guestId,
      jobId,
      ...(context.snapshotId ? { snapshotId: context.snapshotId } : {}),
      ...(context.restorePointId ? { restorePointId: context.restorePointId } : {}),
      summary,
      error,
      startedAt: job.startedAt ?? job.createdAt,
      finishedAt,
    }),
  ]);
  const ended = await finishJob(deps, job, { status: 'failed', finishedAt, error, result: { ...summary } });
  await releaseScanOnlySnapshot(deps, job, context.connector);
  return ended;
}

/**
 * After an attempt failed: a transient error before the last delivery is rethrown (the queue delivers
 * the message again); a permanent one, or any on the last delivery, ends the job as failed.
 */
export async function failOrRetryAvScan(
  deps: EndDeps,
  job: Job,
  error: unknown,
  delivery: Delivery,
  label: string,
  context: FailureContext,
): Promise<{ job: Job; error: ErrorInfo }> {
  const permanent = error instanceof PermanentFailure;
  if (!permanent && delivery.receiveCount < delivery.maxReceiveCount) {
    deps.logger.warn(`${label} attempt failed; the message will be delivered again`, {
      jobId: job.id,
      attempt: delivery.receiveCount,
      maxReceiveCount: delivery.maxReceiveCount,
      error: errorMessage(error),
    });
    throw error;
  }
  const info: ErrorInfo = permanent
    ? error.info
    : {
        code: 'AV_SCAN_FAILED',
        message: `${label} gave up after ${delivery.receiveCount} attempts: ${errorMessage(error)}`,
      };
  return { job: await failAvScan(deps, job, info, context), error: info };
}
