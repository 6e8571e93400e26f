/**
 * Dispatch of an anti-virus scan: one request in (`AV Scan Requested` from the portal or the policy's
 * schedule, or `Backup Completed`), scan tasks out to the `av-scan-tasks` queue, idempotently.
 *
 *   job         the portal's job; a scheduled request's is derived from its fire time; a backup's from its
 *               restore point (so a redelivered Backup Completed is one job). A backup of a guest without
 *               antivirus, or whose policy has scanAfterBackup off, is no job at all.
 *   snapshot    the backup's restore point, or a scan-only snapshot `ob-av-<job>` (tagged
 *               outboard:purpose=av-scan-only) that is deleted when the job finishes, failed or not.
 *   pinned      the first attempt writes dispatch.json (snapshot, policy, whether the guest's file index
 *               was copied into the job); later attempts reuse it, so every attempt plans the same scan.
 *   plan        the guest's files walked from the snapshot, excluded and unchanged ones skipped
 *               (incremental scans plan against the pinned index), the rest cut into bounded tasks that
 *               are sent as they are cut — nothing holds the whole file list.
 *   manifest    written once every task is sent (plan.json: the attempt, task count, plan summary);
 *               then fan-in is tried, since the last task may already have reported.
 *
 * A manifest already there means a previous attempt sent everything: only fan-in is tried. A failure no
 * retry mends (or any on the last delivery) ends the job with `AV Scan Completed` status FAILED.
 */
import { createHash } from 'node:crypto';
import { FILE_INDEX_CONTENT_TYPE, FileIndexWriter } from '../../antivirus/dispatch/file-index.ts';
import { type PlanOptions, planScan } from '../../antivirus/dispatch/plan.ts';
import { encodeScanTask } from '../../antivirus/dispatch/tasks.ts';
import { guestScanSource } from '../../antivirus/dispatch/walk.ts';
import { AntivirusScanSettings, type ScanPlanSummary } from '../../contracts/antivirus.ts';
import type { ErrorInfo } from '../../contracts/common.ts';
import type { EventDetail } from '../../contracts/events.ts';
import { connectorRefOf, type Guest } from '../../contracts/guest.ts';
import type { Job, JobTrigger } from '../../contracts/job.ts';
import { AntivirusPolicy } from '../../contracts/service.ts';
import type { Deps } from '../../deps.ts';
import { isRetryable, type OutgoingMessage } from '../../ports.ts';
import { startJobAttempt } from '../job-attempt.ts';
import { type Delivery, ensureJob, errorMessage, PermanentFailure } from '../jobs.ts';
import { pinBaseIndex, readIndex } from './file-index-store.ts';
import { type FinalizeOutcome, finalizeAvScan } from './finalize.ts';
import { failOrRetryAvScan, releaseScanOnlySnapshot } from './job-end.ts';
import {
  AV_SCAN_ONLY_TAG,
  AV_SCAN_ONLY_VALUE,
  AV_SCAN_TASK_QUEUE,
  afterBackupAvJobId,
  carriedKey,
  jobKeys,
  scanOnlySnapshotId,
  scheduledAvJobId,
} from './keys.ts';
import { connectorFor, openSnapshot, type SnapshotOpener } from './open-snapshot.ts';
import {
  AvDispatchRecord,
  AvPlanManifest,
  type AvScanSource,
  type AvTaskRef,
  isPreconditionFailed,
  readRecord,
  writeRecord,
} from './records.ts';

export type AvDispatchInput =
  | { kind: 'requested'; detail: EventDetail<'AV Scan Requested'> }
  | { kind: 'backup'; detail: EventDetail<'Backup Completed'> };

/** A queue delivery, and the message's id (stable across its redeliveries). */
export interface AvDelivery extends Delivery {
  messageId: string;
}

export interface AvDispatchOptions {
  /** Opens the snapshot's guest (default: through the connector and the disk reader). */
  openSnapshot?: SnapshotOpener;
  /** Task bounds (planning's defaults otherwise). */
  tasks?: Pick<PlanOptions, 'maxTaskBytes' | 'maxTaskFiles' | 'maxTaskEncodedBytes'>;
}

export type AvDispatchOutcome =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'dispatched'; job: Job; taskCount: number; finalize: FinalizeOutcome }
  | { outcome: 'failed'; job: Job; error: ErrorInfo }
  | { outcome: 'already-finished'; job: Job };

type DispatchDeps = Pick<Deps, 'registry' | 'bus' | 'connectors' | 'clock' | 'logger' | 'objects' | 'queues'>;

/** Messages per send (SQS SendMessageBatch takes 10). */
const SEND_BATCH = 10;

interface Request {
  tenantId: string;
  guestId: string;
  correlationId: string;
  trigger: JobTrigger;
  jobId: string;
  backup?: EventDetail<'Backup Completed'>;
}

/** The job id an `AV Scan Requested` belongs to: its own, or derived from the schedule's fire time. */
export function avScanJobId(detail: EventDetail<'AV Scan Requested'>): string {
  if (detail.jobId) return detail.jobId;
  const at = detail.trigger.kind === 'schedule' ? detail.trigger.scheduledTime : undefined;
  return scheduledAvJobId(detail.tenantId, detail.guestId, at);
}

/** Names a dispatch attempt after its delivery: task results of other attempts never count. */
export function attemptId(delivery: AvDelivery): string {
  const hash = createHash('sha256').update(delivery.messageId).digest('hex').slice(0, 8);
  return `${Math.min(delivery.receiveCount, 9999)}-${hash}`;
}

export async function runAvDispatch(
  deps: DispatchDeps,
  input: AvDispatchInput,
  delivery: AvDelivery,
  options: AvDispatchOptions = {},
): Promise<AvDispatchOutcome> {
  const request = await toRequest(deps, input);
  if ('skip' in request) return { outcome: 'skipped', reason: request.skip };
  const { tenantId, guestId, jobId } = request;
  const attempt = await startJobAttempt(
    deps,
    await ensureJob(deps, request, jobId, { kind: 'av-scan', service: 'antivirus' }),
    'anti-virus',
  );
  if (attempt.finished) {
    await releaseScanOnlySnapshot(deps, attempt.job);
    return { outcome: 'already-finished', job: attempt.job };
  }
  let { job } = attempt;
  let pinned: AvDispatchRecord | undefined;
  try {
    const guest = await deps.registry.getGuest(tenantId, guestId);
    if (!guest)
      throw new PermanentFailure({ code: 'GUEST_NOT_FOUND', message: `guest ${guestId} does not exist` });
    pinned = await pin(deps, request, guest, job);
    const keys = jobKeys(tenantId, jobId);
    let taskCount: number;
    const manifest = await readRecord(deps.objects, keys.plan, AvPlanManifest);
    if (manifest) {
      taskCount = manifest.taskCount;
    } else {
      taskCount = await planAndSend(deps, pinned, attemptId(delivery), options);
    }
    const finalize = await finalizeAvScan(deps, tenantId, jobId, `av-dispatch:${delivery.messageId}`);
    if (finalize.outcome === 'finished') job = finalize.job;
    return { outcome: 'dispatched', job, taskCount, finalize };
  } catch (error) {
    const failed = await failOrRetryAvScan(deps, job, error, delivery, 'anti-virus dispatch', {
      mode: pinned?.settings.incremental && pinned.baseIndex ? 'incremental' : 'full',
      ...(pinned ? { snapshotId: pinned.source.snapshotId, connector: pinned.source.connector } : {}),
      ...(pinned?.source.restorePointId ? { restorePointId: pinned.source.restorePointId } : {}),
    });
    return { outcome: 'failed', job: failed.job, error: failed.error };
  }
}

/** The request behind the input, or why there is nothing to do. */
async function toRequest(
  deps: Pick<Deps, 'registry'>,
  input: AvDispatchInput,
): Promise<Request | { skip: string }> {
  const d = input.detail;
  const base = { tenantId: d.tenantId, guestId: d.guestId, correlationId: d.correlationId };
  if (input.kind === 'requested') {
    return { ...base, trigger: input.detail.trigger, jobId: avScanJobId(input.detail) };
  }
  const subscription = await deps.registry.getSubscription(d.tenantId, d.guestId, 'antivirus');
  if (!subscription) return { skip: `antivirus is not enabled for guest ${d.guestId}` };
  const policy = AntivirusPolicy.safeParse(subscription.policy);
  if (!policy.success) return { skip: `the antivirus policy of guest ${d.guestId} is not valid` };
  if (!policy.data.scanAfterBackup)
    return { skip: `the antivirus policy of guest ${d.guestId} does not scan after backups` };
  return {
    ...base,
    trigger: { kind: 'event', detailType: 'Backup Completed' },
    jobId: afterBackupAvJobId(d.tenantId, d.guestId, input.detail.restorePointId),
    backup: input.detail,
  };
}

/** What the first attempt decided, deciding it now if this is the first attempt. */
async function pin(deps: DispatchDeps, request: Request, guest: Guest, job: Job): Promise<AvDispatchRecord> {
  const key = jobKeys(request.tenantId, request.jobId).dispatch;
  const existing = await readRecord(deps.objects, key, AvDispatchRecord);
  if (existing) return existing;
  const subscription = await deps.registry.getSubscription(request.tenantId, request.guestId, 'antivirus');
  if (!subscription) {
    throw new PermanentFailure({
      code: 'SERVICE_NOT_ENABLED',
      message: `antivirus is not enabled for guest ${request.guestId}`,
    });
  }
  const policy = AntivirusPolicy.safeParse(subscription.policy);
  if (!policy.success) {
    throw new PermanentFailure({
      code: 'POLICY_INVALID',
      message: `the antivirus policy of guest ${request.guestId} is not valid: ${policy.error.issues.map((i) => i.message).join('; ')}`,
    });
  }
  const { exclusions, incremental, onDetection, engine, scanAfterBackup } = policy.data;
  const settings = AntivirusScanSettings.parse({
    exclusions,
    incremental,
    onDetection,
    engine,
    scanAfterBackup,
  });
  const source = await chooseSource(deps, request, guest);
  const baseIndex = settings.incremental
    ? await pinBaseIndex(deps.objects, request.tenantId, request.guestId, request.jobId)
    : false;
  const record: AvDispatchRecord = {
    tenantId: request.tenantId,
    guestId: request.guestId,
    jobId: request.jobId,
    correlationId: request.correlationId,
    source,
    settings,
    baseIndex,
    startedAt: job.startedAt ?? deps.clock.now().toISOString(),
  };
  try {
    await writeRecord(deps.objects, key, AvDispatchRecord.parse(record), { ifNoneMatch: '*' });
    return record;
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    // A concurrent attempt pinned first: its decisions stand.
    const raced = await readRecord(deps.objects, key, AvDispatchRecord);
    if (!raced) throw new Error(`${key} was written and then vanished`);
    return raced;
  }
}

/** The backup's restore point, or a scan-only snapshot named after the job. */
async function chooseSource(deps: DispatchDeps, request: Request, guest: Guest): Promise<AvScanSource> {
  const backup = request.backup;
  if (backup) {
    const connector = connectorFor(deps.connectors, backup.connector);
    const snapshot = await connector.getSnapshot(request.tenantId, backup.snapshotId);
    if (!snapshot) {
      throw new PermanentFailure({
        code: 'SNAPSHOT_NOT_FOUND',
        message: `the snapshot ${backup.snapshotId} of restore point ${backup.restorePointId} no longer exists; nothing was scanned`,
      });
    }
    return {
      connector: backup.connector,
      snapshotId: backup.snapshotId,
      diskCount: backup.disks.length,
      restorePointId: backup.restorePointId,
      scanOnly: false,
    };
  }
  const connector = connectorFor(deps.connectors, guest.connector);
  const snapshotId = scanOnlySnapshotId(request.jobId);
  try {
    const snapshot = await connector.createSnapshot({
      tenantId: request.tenantId,
      guestId: request.guestId,
      snapshotId,
      ref: connectorRefOf(guest),
      tags: { 'outboard:job': request.jobId, [AV_SCAN_ONLY_TAG]: AV_SCAN_ONLY_VALUE },
    });
    if (snapshot.disks.length === 0) {
      throw new PermanentFailure({
        code: 'NO_DISKS',
        message: `snapshot ${snapshotId} has no disks; nothing to scan`,
      });
    }
    return { connector: guest.connector, snapshotId, diskCount: snapshot.disks.length, scanOnly: true };
  } catch (error) {
    if (error instanceof PermanentFailure || isRetryable(error)) throw error;
    throw new PermanentFailure({ code: 'SNAPSHOT_REFUSED', message: errorMessage(error) }, { cause: error });
  }
}

/** Walks and plans the snapshot, sends the tasks as they are cut, then writes the manifest. */
async function planAndSend(
  deps: DispatchDeps,
  pinned: AvDispatchRecord,
  attempt: string,
  options: AvDispatchOptions,
): Promise<number> {
  const { tenantId, guestId, jobId, source } = pinned;
  const keys = jobKeys(tenantId, jobId);
  const connector = connectorFor(deps.connectors, source.connector);
  const opened = await (options.openSnapshot ?? openSnapshot)(
    connector,
    tenantId,
    source.snapshotId,
    source.diskCount,
  );
  try {
    const base = pinned.baseIndex ? await readIndex(deps.objects, keys.baseIndex) : undefined;
    const carried = new FileIndexWriter();
    const snapshotRef: AvTaskRef = { ...source, attempt };
    const plan = planScan(guestScanSource(opened.view), {
      policy: pinned.settings,
      task: { jobId, tenantId, guestId, snapshotRef },
      ...(base ? { previousIndex: base } : {}),
      onUnchanged: (record) => carried.add(record),
      ...options.tasks,
    });
    let batch: OutgoingMessage[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await deps.queues.send(AV_SCAN_TASK_QUEUE, batch);
      batch = [];
    };
    let next = await plan.tasks.next();
    while (!next.done) {
      batch.push({ body: encodeScanTask(next.value) });
      if (batch.length >= SEND_BATCH) await flush();
      next = await plan.tasks.next();
    }
    await flush();
    const summary: ScanPlanSummary = { ...next.value, notes: [...next.value.notes, ...opened.notes] };
    if (pinned.baseIndex && !base) {
      summary.notes.push('the file index copied for this scan was missing; every file was scheduled');
    }
    await deps.objects.put(carriedKey(tenantId, jobId, attempt), carried.finish(), {
      contentType: FILE_INDEX_CONTENT_TYPE,
    });
    const manifest: AvPlanManifest = {
      jobId,
      attempt,
      taskCount: summary.tasks,
      plan: summary,
      carriedOver: carried.entries,
      plannedAt: deps.clock.now().toISOString(),
    };
    try {
      await writeRecord(deps.objects, keys.plan, AvPlanManifest.parse(manifest), { ifNoneMatch: '*' });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // A concurrent attempt finished planning first; its tasks are the ones that count.
      deps.logger.info('another dispatch attempt wrote the manifest first; its tasks count', {
        jobId,
        attempt,
      });
      const other = await readRecord(deps.objects, keys.plan, AvPlanManifest);
      return other?.taskCount ?? summary.tasks;
    }
    deps.logger.info('anti-virus scan dispatched', {
      jobId,
      attempt,
      tasks: summary.tasks,
      scheduledFiles: summary.scheduledFiles,
      mode: summary.mode,
    });
    return summary.tasks;
  } finally {
    await opened.close();
  }
}
