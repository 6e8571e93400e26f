/**
 * One scan task (one message of `av-scan-tasks`): open the snapshot, stream each file of the task
 * through the engine the job's policy names, write the task's result at its fixed key, then try fan-in.
 *
 * Each task counts exactly once: its result lives at `tasks/<attempt>/<index>.json`, so a redelivered
 * (or duplicated) task finds its result and goes straight to fan-in instead of scanning again. A task of
 * a job already finished, or of a dispatch attempt the manifest does not name, is dropped.
 *
 * Per-file problems (unreadable, too large, engine error) are verdicts, not failures. A task that cannot
 * run at all (the snapshot cannot be opened, the engine is unavailable) is retried by the queue; on its
 * last delivery, or for a failure no retry mends, it reports `failed` with the reason — so fan-in always
 * completes and those files count as not scanned, never as clean. A task running out of time stops
 * before the function's deadline and reports what it scanned, as failed.
 */
import type { ArchiveLimits } from '../../antivirus/archives/limits.ts';
import type { WalkableGuest } from '../../antivirus/dispatch/walk.ts';
import type { ScanEngine } from '../../antivirus/engine/types.ts';
import { type ScannedFile, scanFile } from '../../antivirus/scan/scan-file.ts';
import type {
  AvEngineKind,
  FileVerdictRecord,
  ScanTask,
  ScanTaskFile,
  ScanTaskResult,
} from '../../contracts/antivirus.ts';
import type { ErrorInfo } from '../../contracts/common.ts';
import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import { errorMessage, PermanentFailure } from '../jobs.ts';
import type { AvDelivery } from './dispatch-run.ts';
import { type FinalizeOutcome, finalizeAvScan } from './finalize.ts';
import { failAvScan } from './job-end.ts';
import { jobKeys, taskResultKey } from './keys.ts';
import { connectorFor, type OpenedSnapshot, openSnapshot, type SnapshotOpener } from './open-snapshot.ts';
import {
  AvDispatchRecord,
  AvPlanManifest,
  AvTaskRef,
  type InfectedFileExtra,
  readRecord,
  StoredTaskResult,
  writeRecord,
} from './records.ts';

export interface AvScanOptions {
  /** The engine of a kind (built once per process by the caller: `createEngine(kind, process.env)`). */
  engines: (kind: AvEngineKind) => Promise<ScanEngine>;
  /** Opens the snapshot's guest (default: through the connector and the disk reader). */
  openSnapshot?: SnapshotOpener;
  /** Milliseconds left before the invocation is cut off (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
  /** Stop scanning files when fewer milliseconds than this are left (default 60,000). */
  reserveMs?: number;
  /** Archive limits for the built-in engine (clamd's defaults otherwise). */
  archiveLimits?: ArchiveLimits;
  /** Bytes read from the snapshot per chunk (default 1 MiB). */
  chunkBytes?: number;
}

export type AvScanOutcome =
  | { outcome: 'dropped'; reason: string }
  | { outcome: 'reported'; result: ScanTaskResult; finalize: FinalizeOutcome }
  | { outcome: 'already-reported'; finalize: FinalizeOutcome };

type ScanDeps = Pick<Deps, 'registry' | 'objects' | 'bus' | 'clock' | 'logger' | 'connectors'>;

const MiB = 1024 * 1024;

export async function runAvScanTask(
  deps: ScanDeps,
  task: ScanTask,
  delivery: AvDelivery,
  options: AvScanOptions,
): Promise<AvScanOutcome> {
  const { tenantId, jobId, taskIndex } = task;
  const ref = AvTaskRef.safeParse(task.snapshotRef);
  if (!ref.success) {
    throw new PermanentFailure({
      code: 'TASK_MALFORMED',
      message: `scan task ${jobId}/${taskIndex}: its snapshotRef is not one dispatch writes (${ref.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    });
  }
  const { attempt } = ref.data;
  const job = await deps.registry.getJob(tenantId, jobId);
  if (!job) return { outcome: 'dropped', reason: `job ${jobId} does not exist` };
  if (job.status === 'succeeded' || job.status === 'failed') {
    return { outcome: 'dropped', reason: `job ${jobId} is already ${job.status}` };
  }
  const keys = jobKeys(tenantId, jobId);
  const manifest = await readRecord(deps.objects, keys.plan, AvPlanManifest);
  if (manifest && manifest.attempt !== attempt) {
    return {
      outcome: 'dropped',
      reason: `task of dispatch attempt ${attempt}; attempt ${manifest.attempt} is the one that counts`,
    };
  }
  const claimer = `av-scan:${delivery.messageId}`;
  const resultKey = taskResultKey(tenantId, jobId, attempt, taskIndex);
  if (await deps.objects.head(resultKey)) {
    return { outcome: 'already-reported', finalize: await finalize(deps, job, claimer, delivery) };
  }
  const dispatch = await readRecord(deps.objects, keys.dispatch, AvDispatchRecord);
  if (!dispatch)
    throw new Error(
      `scan task ${jobId}/${taskIndex}: ${keys.dispatch} is missing; the task cannot know its engine`,
    );

  const startedAt = deps.clock.now().toISOString();
  const verdicts: FileVerdictRecord[] = [];
  const infected: InfectedFileExtra[] = [];
  let engineName: string | undefined;
  let signatureVersion: string | undefined;
  let failure: ErrorInfo | undefined;
  let opened: OpenedSnapshot | undefined;
  try {
    const engine = await options.engines(dispatch.settings.engine);
    const described = await engine.describe();
    engineName = `${described.engine} ${described.engineVersion}`;
    signatureVersion = described.signatureVersion;
    const connector = connectorFor(deps.connectors, ref.data.connector);
    opened = await (options.openSnapshot ?? openSnapshot)(
      connector,
      tenantId,
      ref.data.snapshotId,
      ref.data.diskCount,
    );
    const reserve = options.reserveMs ?? 60_000;
    for (const file of task.files) {
      if (options.remainingMs && options.remainingMs() < reserve) {
        failure = {
          code: 'TASK_TIME_LIMIT',
          message: `stopped after ${verdicts.length} of ${task.files.length} files to report before the function's time limit`,
        };
        break;
      }
      const scanned = await scanGuestFile(opened.view, engine, file, options);
      verdicts.push(scanned.record);
      if (scanned.record.status === 'infected') {
        infected.push({
          path: file.path,
          ...(scanned.md5 ? { md5: scanned.md5 } : {}),
          ...(scanned.member ? { member: scanned.member } : {}),
        });
      } else if (scanned.record.status === 'not-scanned') {
        deps.logger.info('file not scanned', { jobId, taskIndex, path: file.path, detail: scanned.detail });
      }
    }
  } catch (error) {
    const permanent = error instanceof PermanentFailure;
    if (!permanent && delivery.receiveCount < delivery.maxReceiveCount) {
      deps.logger.warn('scan task attempt failed; the task will be delivered again', {
        jobId,
        taskIndex,
        attempt: delivery.receiveCount,
        error: errorMessage(error),
      });
      throw error;
    }
    failure = permanent
      ? error.info
      : {
          code: 'TASK_FAILED',
          message: `gave up after ${delivery.receiveCount} deliveries: ${errorMessage(error)}`,
        };
  } finally {
    await opened?.close();
  }

  const result: ScanTaskResult = {
    jobId,
    taskIndex,
    plannedFiles: task.files.length,
    plannedBytes: task.files.reduce((n, f) => n + f.size, 0),
    status: failure ? 'failed' : 'completed',
    ...(failure ? { error: failure } : {}),
    ...(engineName ? { engine: engineName } : {}),
    ...(signatureVersion ? { signatureVersion } : {}),
    verdicts,
    startedAt,
    finishedAt: deps.clock.now().toISOString(),
  };
  await writeRecord(deps.objects, resultKey, StoredTaskResult.parse({ result, infected }));
  return { outcome: 'reported', result, finalize: await finalize(deps, job, claimer, delivery) };
}

/**
 * Fan-in from a scanner. If it keeps failing, the last delivery ends the job as failed rather than
 * leave it running with every task reported.
 */
async function finalize(
  deps: ScanDeps,
  job: Job,
  claimer: string,
  delivery: AvDelivery,
): Promise<FinalizeOutcome> {
  try {
    return await finalizeAvScan(deps, job.tenantId, job.id, claimer);
  } catch (error) {
    if (delivery.receiveCount < delivery.maxReceiveCount) throw error;
    const current = (await deps.registry.getJob(job.tenantId, job.id)) ?? job;
    if (current.status === 'succeeded' || current.status === 'failed')
      return { outcome: 'already-finished', job: current };
    const info = {
      code: 'FAN_IN_FAILED',
      message: `the scan's results could not be gathered: ${errorMessage(error)}`,
    };
    const dispatch = await readRecord(
      deps.objects,
      jobKeys(job.tenantId, job.id).dispatch,
      AvDispatchRecord,
    ).catch(() => undefined);
    const ended = await failAvScan(deps, current, info, {
      mode: dispatch?.settings.incremental && dispatch.baseIndex ? 'incremental' : 'full',
      ...(dispatch ? { snapshotId: dispatch.source.snapshotId, connector: dispatch.source.connector } : {}),
      ...(dispatch?.source.restorePointId ? { restorePointId: dispatch.source.restorePointId } : {}),
    });
    return { outcome: 'already-finished', job: ended };
  }
}

/**
 * One file of the task, read from the snapshot as the walk saw it. A file that is no longer the same
 * regular file (another inode or size — a snapshot should never change) is not scanned.
 */
async function scanGuestFile(
  view: WalkableGuest,
  engine: ScanEngine,
  file: ScanTaskFile,
  options: Pick<AvScanOptions, 'archiveLimits' | 'chunkBytes'>,
): Promise<ScannedFile> {
  const meta = { path: file.path, size: file.size, ino: file.ino, mtime: file.mtime, ctime: file.ctime };
  const notScanned = (detail: string): ScannedFile => ({
    record: { ...meta, status: 'not-scanned', reason: 'unreadable' },
    detail: `${file.path}: ${detail}`,
  });
  let resolved: Awaited<ReturnType<WalkableGuest['resolve']>>;
  try {
    resolved = await view.resolve(file.path, { follow: false });
  } catch (error) {
    return notScanned(`could not be found in the snapshot: ${errorMessage(error)}`);
  }
  const { node, mount } = resolved;
  if (node.type !== 'file')
    return notScanned(`is a ${node.type} in the snapshot, not the regular file planned`);
  if (node.ino !== file.ino || node.size !== file.size) {
    return notScanned(
      `is inode ${node.ino} of ${node.size} bytes, not inode ${file.ino} of ${file.size} as planned`,
    );
  }
  const chunk = options.chunkBytes ?? MiB;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < node.size; offset += chunk) {
      yield await mount.fs.read(node, offset, Math.min(chunk, node.size - offset));
    }
  }
  return scanFile(engine, bytes(), meta, options.archiveLimits);
}
