/**
 * The start of every attempt at a queue-driven job (patch scans, anti-virus dispatch): a job that has
 * already finished means a duplicate delivery, logged and left alone; otherwise the job is marked
 * running, with one more attempt, by a conditional update (it must still be queued or running).
 */
import type { Job } from '../contracts/job.ts';
import type { Deps } from '../deps.ts';

export type JobAttempt =
  | { finished: true; job: Job }
  | {
      finished: false;
      job: Job;
      /** When the first attempt started. */
      startedAt: string;
    };

/** `label` names the job in the log line ("patch scan" → "patch scan job already finished; …"). */
export async function startJobAttempt(
  deps: Pick<Deps, 'registry' | 'clock' | 'logger'>,
  job: Job,
  label: string,
): Promise<JobAttempt> {
  if (job.status === 'succeeded' || job.status === 'failed') {
    deps.logger.info(`${label} job already finished; duplicate delivery ignored`, {
      jobId: job.id,
      status: job.status,
    });
    return { finished: true, job };
  }
  const startedAt = job.startedAt ?? deps.clock.now().toISOString();
  const running = await deps.registry.updateJob(
    job.tenantId,
    job.id,
    { status: 'running', startedAt, attempts: job.attempts + 1, updatedAt: deps.clock.now().toISOString() },
    ['queued', 'running'],
  );
  return { finished: false, job: running, startedAt };
}
