/**
 * Fan-in: the plan's account and every task's result, folded into the scan's summary.
 *
 * Status and result follow AWS Backup's malware scan jobs (GuardDuty Malware Protection for AWS
 * Backup), whose status is RUNNING | COMPLETED | COMPLETED_WITH_ISSUES | FAILED | SKIPPED and whose
 * result is NO_THREATS_FOUND | THREATS_FOUND; RUNNING is the job's state before fan-in, and SKIPPED (no
 * scan was attempted) is decided by whoever declines to dispatch, so neither comes from here:
 *
 * | status                  | when                                                                    |
 * |-------------------------|-------------------------------------------------------------------------|
 * | `FAILED`                | there were tasks and every one failed                                   |
 * | `COMPLETED_WITH_ISSUES` | some task failed, or some file the policy wanted scanned was not —      |
 * |                         | too large, unreadable, path too long, engine could not scan it, its task |
 * |                         | failed (fail closed: such files are never counted clean)                |
 * | `COMPLETED`             | every scheduled file got a verdict and nothing was left unscanned       |
 *
 * `THREATS_FOUND` when any file was infected — whatever the status, a partial scan's detections stand —
 * else `NO_THREATS_FOUND`. Files skipped as the policy asks (excluded, unchanged, not regular) are
 * reported but are no issue.
 */
import {
  NOT_SCANNED_SKIP_REASONS,
  type ScanPlanSummary,
  type ScanStatus,
  type ScanSummary,
  type ScanTaskResult,
  SKIP_REASONS,
  type SkipReason,
} from '../../contracts/antivirus.ts';
import { DispatchInputError } from './errors.ts';

/** Not scanned because the task failed before reaching the file. */
export const TASK_FAILED = 'task-failed';
/** Not scanned: a completed task reported fewer verdicts than files (a scanner fault, fail closed). */
export const NO_VERDICT = 'no-verdict';

const notScannedReasons = new Set<SkipReason>(NOT_SCANNED_SKIP_REASONS);

function distinct(values: (string | undefined)[]): string | undefined {
  const set = [...new Set(values.filter((v): v is string => v !== undefined))].sort();
  return set.length ? set.join(', ') : undefined;
}

export function summarizeScan(
  plan: ScanPlanSummary,
  results: readonly Pick<
    ScanTaskResult,
    'taskIndex' | 'plannedFiles' | 'status' | 'error' | 'engine' | 'signatureVersion' | 'verdicts'
  >[],
): ScanSummary {
  if (!plan.complete)
    throw new DispatchInputError('scan summary: the plan is not complete (the walk has not ended)');
  const seen = new Set<number>();
  for (const r of results) {
    if (!Number.isInteger(r.taskIndex) || r.taskIndex < 0 || r.taskIndex >= plan.tasks) {
      throw new DispatchInputError(
        `scan summary: task ${r.taskIndex} is not one of the plan's ${plan.tasks} tasks`,
      );
    }
    if (seen.has(r.taskIndex))
      throw new DispatchInputError(`scan summary: task ${r.taskIndex} reported twice`);
    seen.add(r.taskIndex);
  }
  if (seen.size !== plan.tasks) {
    throw new DispatchInputError(
      `scan summary: ${plan.tasks - seen.size} of ${plan.tasks} tasks have not reported`,
    );
  }

  const notScanned: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const bump = (into: Record<string, number>, key: string, n: number) => {
    if (n > 0) into[key] = (into[key] ?? 0) + n;
  };
  for (const reason of SKIP_REASONS) {
    bump(notScannedReasons.has(reason) ? notScanned : skipped, reason, plan.skipped[reason].entries);
  }

  let files = 0;
  let bytes = 0;
  let detections = 0;
  let failed = 0;
  let missingVerdicts = 0;
  const failures: string[] = [];
  for (const r of results) {
    for (const v of r.verdicts) {
      if (v.status === 'not-scanned') {
        bump(notScanned, v.reason ?? 'unknown', 1);
        continue;
      }
      files++;
      bytes += v.size;
      if (v.status === 'infected') detections++;
    }
    const unreported = Math.max(0, r.plannedFiles - r.verdicts.length);
    if (r.status === 'failed') {
      failed++;
      bump(notScanned, TASK_FAILED, unreported);
      if (failures.length < 3)
        failures.push(
          `task ${r.taskIndex}: ${r.error?.code ?? 'ERROR'}: ${r.error?.message ?? 'no message'}`,
        );
    } else if (unreported > 0) {
      missingVerdicts += unreported;
      bump(notScanned, NO_VERDICT, unreported);
    }
  }

  const notScannedTotal = Object.values(notScanned).reduce((a, b) => a + b, 0);
  const status: ScanStatus =
    results.length > 0 && failed === results.length
      ? 'FAILED'
      : failed > 0 || notScannedTotal > 0
        ? 'COMPLETED_WITH_ISSUES'
        : 'COMPLETED';

  const notes = [...plan.notes];
  if (failed > 0)
    notes.push(
      `${failed} of ${results.length} tasks failed (${failures.join('; ')}${failed > failures.length ? '; …' : ''})`,
    );
  if (missingVerdicts > 0)
    notes.push(`${missingVerdicts} files of completed tasks got no verdict; counted as not scanned`);
  if (notScannedTotal > 0) {
    const parts = Object.entries(notScanned)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k}: ${n}`);
    notes.push(`${notScannedTotal} entries were not scanned (${parts.join(', ')})`);
  }
  const signatureVersion = distinct(results.map((r) => r.signatureVersion));
  if (signatureVersion?.includes(', '))
    notes.push(`tasks ran with different signature versions: ${signatureVersion}`);

  const summary: ScanSummary = {
    mode: plan.mode,
    status,
    result: detections > 0 ? 'THREATS_FOUND' : 'NO_THREATS_FOUND',
    files,
    bytes,
    detections,
    notScanned: { total: notScannedTotal, byReason: notScanned },
    skipped: { total: Object.values(skipped).reduce((a, b) => a + b, 0), byReason: skipped },
    tasks: { total: results.length, completed: results.length - failed, failed },
    notes,
  };
  const engine = distinct(results.map((r) => r.engine));
  if (engine !== undefined) summary.engine = engine;
  if (signatureVersion !== undefined) summary.signatureVersion = signatureVersion;
  return summary;
}
