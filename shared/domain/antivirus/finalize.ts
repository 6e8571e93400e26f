/**
 * Fan-in: the job completes once, when the manifest exists and every task of its attempt has reported,
 * however many deliveries repeat and whoever gets there first — dispatch (the last task may be done before
 * the manifest is written) or a scanner (the last to report).
 *
 * Each writes its own object before it reads the other's (dispatch the manifest, a scanner its result),
 * so of two finishing together at least one sees everything. Exactly one finalizes: it claims
 * `final.json` with a conditional create holding who it is (`<function>:<message id>`) and what it
 * concluded (summary and detections). A redelivery of the claimer's message carries on from the claim
 * (the same summary, the same detection keys); anyone else stops. After the claim, in order:
 *   1. each infected file is recorded for `GET /v1/guests/{id}/detections`;
 *   2. the restore point is marked infected, if the policy says so and there are detections;
 *   3. the guest's file index is replaced by this scan's (carried-over records plus verdicts, by the
 *      dispatch module's merge rules: only files the engine read in full, clean or infected);
 *   4. `Malware Detected` per infected file, then `AV Scan Completed` — before the job is marked done,
 *      so a crash in between re-emits rather than loses them (at-least-once, like the other chains);
 *   5. the job finishes with the summary as its result (FAILED scans fail the job);
 *   6. the scan-only snapshot is deleted.
 * Every step is idempotent, so a redelivered claimer repeats them harmlessly.
 *
 * isolateInstance: no connector here can isolate an instance; when asked and there are detections, the
 * summary says so in its notes (never silently).
 */
import { FileIndexWriter } from '../../antivirus/dispatch/file-index.ts';
import { mergeFileIndex, verdictsInWalkOrder } from '../../antivirus/dispatch/merge-index.ts';
import { summarizeScan } from '../../antivirus/dispatch/summary.ts';
import type { ScanSummary, ScanTaskResult } from '../../contracts/antivirus.ts';
import type { AvDetection } from '../../contracts/api.ts';
import { makeEvent, type OutboardEvent } from '../../contracts/events.ts';
import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import { errorMessage, finishJob } from '../jobs.ts';
import { saveDetections } from './detections.ts';
import { readIndex, saveGuestIndex } from './file-index-store.ts';
import { releaseScanOnlySnapshot } from './job-end.ts';
import { carriedKey, jobKeys, taskIndexOf, taskResultKey, tasksPrefix } from './keys.ts';
import {
  AvDispatchRecord,
  AvFinalClaim,
  AvPlanManifest,
  type FoundFile,
  isPreconditionFailed,
  readRecord,
  StoredTaskResult,
  writeRecord,
} from './records.ts';

export type FinalizeDeps = Pick<Deps, 'registry' | 'objects' | 'bus' | 'clock' | 'logger' | 'connectors'>;

export type FinalizeOutcome =
  | { outcome: 'waiting'; reason: string }
  | { outcome: 'not-claimer'; claimer: string }
  | { outcome: 'already-finished'; job: Job }
  | { outcome: 'finished'; job: Job; summary: ScanSummary };

/** Events published per call (the adapters batch further by the bus's own limits). */
const EVENTS_PER_PUBLISH = 50;

/** Finishes the job if everything has reported; `claimer` names the calling message. */
export async function finalizeAvScan(
  deps: FinalizeDeps,
  tenantId: string,
  jobId: string,
  claimer: string,
): Promise<FinalizeOutcome> {
  const keys = jobKeys(tenantId, jobId);
  const manifest = await readRecord(deps.objects, keys.plan, AvPlanManifest);
  if (!manifest) return { outcome: 'waiting', reason: 'dispatch has not sent every task yet' };
  const reported = await reportedTasks(deps, tenantId, jobId, manifest.attempt, manifest.taskCount);
  if (reported < manifest.taskCount) {
    return { outcome: 'waiting', reason: `${reported} of ${manifest.taskCount} tasks have reported` };
  }
  const job = await deps.registry.getJob(tenantId, jobId);
  if (!job) throw new Error(`anti-virus job ${tenantId}/${jobId} has a manifest but no job record`);
  if (job.status === 'succeeded' || job.status === 'failed') return { outcome: 'already-finished', job };
  const dispatch = await readRecord(deps.objects, keys.dispatch, AvDispatchRecord);
  if (!dispatch)
    throw new Error(`anti-virus job ${tenantId}/${jobId} has a manifest but no ${keys.dispatch}`);

  let claim = await readRecord(deps.objects, keys.final, AvFinalClaim);
  let results: StoredTaskResult[] | undefined;
  if (!claim) {
    results = await loadResults(deps, tenantId, jobId, manifest.attempt, manifest.taskCount);
    const candidate = conclude(deps, job, dispatch, manifest, results, claimer);
    try {
      await writeRecord(deps.objects, keys.final, AvFinalClaim.parse(candidate), { ifNoneMatch: '*' });
      claim = candidate;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      claim = await readRecord(deps.objects, keys.final, AvFinalClaim);
      if (!claim) throw new Error(`${keys.final} was claimed and then vanished`);
    }
  }
  if (claim.claimer !== claimer) return { outcome: 'not-claimer', claimer: claim.claimer };
  return finishFromClaim(deps, job, dispatch, manifest, claim, results);
}

/** How many of tasks 0..count-1 of the attempt have a result. */
async function reportedTasks(
  deps: Pick<Deps, 'objects'>,
  tenantId: string,
  jobId: string,
  attempt: string,
  count: number,
): Promise<number> {
  if (count === 0) return 0;
  const prefix = tasksPrefix(tenantId, jobId, attempt);
  const seen = new Set<number>();
  let cursor: string | undefined;
  do {
    const page = await deps.objects.list(
      prefix,
      cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor },
    );
    for (const info of page.items) {
      const index = taskIndexOf(info.key, prefix);
      if (index !== undefined && index < count) seen.add(index);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return seen.size;
}

async function loadResults(
  deps: Pick<Deps, 'objects'>,
  tenantId: string,
  jobId: string,
  attempt: string,
  count: number,
): Promise<StoredTaskResult[]> {
  const out: StoredTaskResult[] = [];
  for (let index = 0; index < count; index++) {
    const key = taskResultKey(tenantId, jobId, attempt, index);
    const stored = await readRecord(deps.objects, key, StoredTaskResult);
    if (!stored) throw new Error(`task result ${key} was listed but cannot be read`);
    if (stored.result.taskIndex !== index || stored.result.jobId !== jobId) {
      throw new Error(`task result ${key} is for ${stored.result.jobId} task ${stored.result.taskIndex}`);
    }
    out.push(stored);
  }
  return out;
}

/** The summary and detections of a job whose every task has reported, as the claim will hold them. */
function conclude(
  deps: Pick<Deps, 'clock'>,
  job: Job,
  dispatch: AvDispatchRecord,
  manifest: AvPlanManifest,
  stored: StoredTaskResult[],
  claimer: string,
): AvFinalClaim {
  const results = stored.map((s) => s.result);
  const summary = summarizeScan(manifest.plan, results);
  const detections = foundFiles(stored);
  const { onDetection } = dispatch.settings;
  if (detections.length > 0 && onDetection.markRestorePoint && !dispatch.source.restorePointId) {
    summary.notes.push(
      'markRestorePoint: this scan read a scan-only snapshot, not a restore point; no restore point was marked',
    );
  }
  if (detections.length > 0 && onDetection.isolateInstance) {
    summary.notes.push(
      `isolateInstance was asked, but the ${dispatch.source.connector} connector cannot isolate an instance in this version; the guest was not isolated`,
    );
  }
  return {
    jobId: job.id,
    claimer,
    claimedAt: deps.clock.now().toISOString(),
    summary,
    detections,
  };
}

function foundFiles(stored: StoredTaskResult[]): FoundFile[] {
  const out: FoundFile[] = [];
  for (const { result, infected } of [...stored].sort((a, b) => a.result.taskIndex - b.result.taskIndex)) {
    const extras = new Map(infected.map((x) => [x.path, x]));
    for (const v of result.verdicts) {
      if (v.status !== 'infected' || !v.signature) continue;
      const extra = extras.get(v.path);
      out.push({
        path: v.path,
        size: v.size,
        ...(v.sha256 ? { sha256: v.sha256 } : {}),
        ...(extra?.md5 ? { md5: extra.md5 } : {}),
        ...(extra?.member ? { member: extra.member } : {}),
        signature: v.signature,
        engine: result.engine ?? 'unknown',
        ...(result.signatureVersion ? { signatureVersion: result.signatureVersion } : {}),
      });
    }
  }
  return out;
}

async function finishFromClaim(
  deps: FinalizeDeps,
  job: Job,
  dispatch: AvDispatchRecord,
  manifest: AvPlanManifest,
  claim: AvFinalClaim,
  loaded: StoredTaskResult[] | undefined,
): Promise<FinalizeOutcome> {
  const { tenantId, guestId, id: jobId, correlationId } = job;
  const { source } = dispatch;
  const { summary } = claim;
  const detectedAt = claim.claimedAt;
  const restorePoint = source.restorePointId ? { restorePointId: source.restorePointId } : {};

  // 1. The record the portal lists.
  const records: AvDetection[] = claim.detections.map((d) => ({
    tenantId,
    guestId,
    jobId,
    snapshotId: source.snapshotId,
    ...restorePoint,
    path: d.path,
    ...(d.member ? { member: d.member } : {}),
    size: d.size,
    ...(d.sha256 ? { sha256: d.sha256 } : {}),
    ...(d.md5 ? { md5: d.md5 } : {}),
    signature: d.signature,
    engine: d.engine,
    ...(d.signatureVersion ? { signatureVersion: d.signatureVersion } : {}),
    detectedAt,
  }));
  await saveDetections(deps.objects, records);

  // 2. The restore point.
  if (records.length > 0 && dispatch.settings.onDetection.markRestorePoint && source.restorePointId) {
    const marked = await deps.registry.markRestorePointInfected(tenantId, source.restorePointId, {
      jobId,
      detections: records.length,
      markedAt: detectedAt,
    });
    if (!marked) {
      deps.logger.warn('the scanned restore point no longer exists; it could not be marked infected', {
        jobId,
        restorePointId: source.restorePointId,
      });
    }
  }

  // 3. The file index the next incremental scan plans against.
  await updateFileIndex(deps, dispatch, manifest, claim, loaded);

  // 4. Events, before the job is marked done.
  const events: OutboardEvent[] = claim.detections.map((d) =>
    makeEvent('Malware Detected', {
      tenantId,
      correlationId,
      guestId,
      jobId,
      snapshotId: source.snapshotId,
      ...restorePoint,
      path: d.path,
      size: d.size,
      ...(d.sha256 ? { sha256: d.sha256 } : {}),
      signature: d.signature,
      engine: d.engine,
      detectedAt,
    }),
  );
  const finishedAt = deps.clock.now().toISOString();
  const startedAt = job.startedAt ?? dispatch.startedAt;
  const failed = summary.status === 'FAILED';
  const error = failed ? { code: 'AV_SCAN_FAILED', message: failureMessage(summary) } : undefined;
  events.push(
    makeEvent('AV Scan Completed', {
      tenantId,
      correlationId,
      guestId,
      jobId,
      snapshotId: source.snapshotId,
      ...restorePoint,
      summary,
      ...(error ? { error } : {}),
      startedAt,
      finishedAt,
    }),
  );
  for (let from = 0; from < events.length; from += EVENTS_PER_PUBLISH) {
    await deps.bus.publish(events.slice(from, from + EVENTS_PER_PUBLISH));
  }

  // 5. The job, with the summary as its result.
  const result = {
    ...summary,
    snapshotId: source.snapshotId,
    ...restorePoint,
    scanOnlySnapshot: source.scanOnly,
  };
  const ended = await finishJob(deps, job, {
    status: failed ? 'failed' : 'succeeded',
    finishedAt,
    result,
    ...(error ? { error } : {}),
  });

  // 6. The snapshot taken for this scan alone.
  if (source.scanOnly) await releaseScanOnlySnapshot(deps, job, source.connector);
  return { outcome: 'finished', job: ended, summary };
}

function failureMessage(summary: ScanSummary): string {
  const text = summary.notes.join('; ') || 'every task failed';
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

async function updateFileIndex(
  deps: FinalizeDeps,
  dispatch: AvDispatchRecord,
  manifest: AvPlanManifest,
  claim: AvFinalClaim,
  loaded: StoredTaskResult[] | undefined,
): Promise<void> {
  const { tenantId, guestId, jobId } = dispatch;
  try {
    const results =
      loaded ?? (await loadResults(deps, tenantId, jobId, manifest.attempt, manifest.taskCount));
    const carried = (await readIndex(deps.objects, carriedKey(tenantId, jobId, manifest.attempt))) ?? [];
    const writer = new FileIndexWriter();
    const verdicts = verdictsInWalkOrder(results.map((r) => r.result as ScanTaskResult));
    for await (const entry of mergeFileIndex(carried, verdicts, { scannedAt: claim.claimedAt }))
      writer.add(entry);
    const written = await saveGuestIndex(
      deps.objects,
      tenantId,
      guestId,
      writer.finish(),
      dispatch.startedAt,
    );
    if (!written) {
      deps.logger.info('a newer scan already replaced the file index; this scan did not', { jobId });
    }
  } catch (error) {
    // The index only saves work: the previous one still vouches only for files it saw unchanged.
    deps.logger.warn('the file index could not be updated; the next scan plans against the previous one', {
      jobId,
      error: errorMessage(error),
    });
  }
}
