import type { ErrorInfo } from '../../contracts/common.ts';
import type { EventDetail } from '../../contracts/events.ts';
import { makeEvent } from '../../contracts/events.ts';
import { connectorRefOf } from '../../contracts/guest.ts';
import type { Job, RestorePoint } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import { derivedId, siblingId } from '../../ids/ids.ts';
import { type Connector, isRetryable, type SnapshotInfo, type SnapshotRequest } from '../../ports.ts';
import { type Delivery, ensureJob, errorMessage, failOrRetry, finishJob, PermanentFailure } from '../jobs.ts';

export type BackupRequest = EventDetail<'Backup Requested'>;

export type { Delivery };

export type BackupOutcome =
  | { outcome: 'succeeded'; job: Job; restorePoint: RestorePoint }
  | { outcome: 'failed'; job: Job; error: ErrorInfo }
  | { outcome: 'already-finished'; job: Job };

/** The job a scheduled request belongs to is named after the schedule's fire time, so repeats find it. */
export function jobIdFor(request: BackupRequest): string {
  if (request.jobId) return request.jobId;
  const at = request.trigger.kind === 'schedule' ? request.trigger.scheduledTime : 'unscheduled';
  return derivedId('job', request.tenantId, request.guestId, 'backup', at);
}

/** The snapshot of a job is named after the job: a repeated delivery finds the snapshot it already took. */
export function snapshotIdFor(jobId: string): string {
  return `ob-${jobId.slice(4)}`;
}

/**
 * Runs one backup request, idempotently: the job id names the snapshot and the restore point, the
 * connector reuses a snapshot it already took, and the restore point is created only once. Transient
 * errors are thrown so the queue delivers the request again; on the last delivery, and for errors no
 * retry can mend, the job is marked failed and `Backup Failed` is emitted.
 */
export async function runBackup(
  deps: Pick<Deps, 'registry' | 'bus' | 'connectors' | 'clock' | 'logger'>,
  request: BackupRequest,
  delivery: Delivery,
): Promise<BackupOutcome> {
  const { tenantId, guestId, correlationId } = request;
  const jobId = jobIdFor(request);
  let job = await ensureJob(deps, request, jobId, { kind: 'backup', service: 'backup' });
  if (job.status === 'succeeded' || job.status === 'failed') {
    deps.logger.info('backup job already finished; duplicate delivery ignored', {
      jobId,
      status: job.status,
    });
    return { outcome: 'already-finished', job };
  }
  const startedAt = job.startedAt ?? deps.clock.now().toISOString();
  job = await deps.registry.updateJob(
    tenantId,
    jobId,
    { status: 'running', startedAt, attempts: job.attempts + 1, updatedAt: deps.clock.now().toISOString() },
    ['queued', 'running'],
  );
  try {
    const guest = await deps.registry.getGuest(tenantId, guestId);
    if (!guest)
      throw new PermanentFailure({ code: 'GUEST_NOT_FOUND', message: `guest ${guestId} does not exist` });
    const subscription = await deps.registry.getSubscription(tenantId, guestId, 'backup');
    if (!subscription) {
      throw new PermanentFailure({
        code: 'SERVICE_NOT_ENABLED',
        message: `backup is not enabled for guest ${guestId}`,
      });
    }
    let connector: ReturnType<typeof deps.connectors.get>;
    try {
      connector = deps.connectors.get(guest.connector);
    } catch (error) {
      throw new PermanentFailure({ code: 'CONNECTOR_UNAVAILABLE', message: errorMessage(error) });
    }
    const policy = subscription.policy as { snapshotTags?: Record<string, string> };
    const snapshot = await takeSnapshot(connector, {
      tenantId,
      guestId,
      snapshotId: snapshotIdFor(jobId),
      ref: connectorRefOf(guest),
      tags: { ...(policy.snapshotTags ?? {}), 'outboard:job': jobId },
    });
    const restorePoint: RestorePoint = {
      tenantId,
      id: siblingId(jobId, 'rp'),
      guestId,
      jobId,
      connector: snapshot.connector,
      snapshotId: snapshot.snapshotId,
      disks: snapshot.disks,
      tags: snapshot.tags,
      createdAt: snapshot.createdAt,
    };
    const created = await deps.registry.createRestorePoint(restorePoint);
    const recorded = created
      ? restorePoint
      : ((await deps.registry.getRestorePoint(tenantId, restorePoint.id)) ?? restorePoint);
    const finishedAt = deps.clock.now().toISOString();
    // Event first, job second: if the process dies between them the redelivery re-emits (at-least-once)
    // instead of leaving a succeeded job whose completion nobody heard about.
    await deps.bus.publish([
      makeEvent('Backup Completed', {
        tenantId,
        correlationId,
        guestId,
        jobId,
        restorePointId: recorded.id,
        connector: recorded.connector,
        snapshotId: recorded.snapshotId,
        disks: recorded.disks,
        startedAt,
        finishedAt,
      }),
    ]);
    job = await finishJob(deps, job, {
      status: 'succeeded',
      finishedAt,
      result: { restorePointId: recorded.id, snapshotId: recorded.snapshotId },
    });
    return { outcome: 'succeeded', job, restorePoint: recorded };
  } catch (error) {
    const failed = await failOrRetry(deps, job, error, delivery, {
      label: 'backup',
      code: 'BACKUP_FAILED',
      failedEvent: 'Backup Failed',
    });
    job = failed.job;
    return { outcome: 'failed', job, error: failed.error };
  }
}

async function takeSnapshot(connector: Connector, request: SnapshotRequest): Promise<SnapshotInfo> {
  try {
    return await connector.createSnapshot(request);
  } catch (error) {
    if (isRetryable(error)) throw error;
    throw new PermanentFailure({ code: 'SNAPSHOT_REFUSED', message: errorMessage(error) });
  }
}
