/**
 * What every queue-driven service does with its job record: create it once (a scheduled request's id is
 * derived, so a repeated delivery finds it), finish it with a conditional update, and tell permanent
 * failures (recorded at once) from transient ones (thrown, so the queue delivers the request again).
 */
import type { ErrorInfo } from '../contracts/common.ts';
import { makeEvent } from '../contracts/events.ts';
import type { Job, JobKind, JobTrigger } from '../contracts/job.ts';
import type { Service } from '../contracts/service.ts';
import type { Deps } from '../deps.ts';
import { ConditionFailedError } from '../ports.ts';

export interface Delivery {
  /** How many times this request has been delivered, this time included (SQS ApproximateReceiveCount). */
  receiveCount: number;
  /** After this many deliveries the queue gives up; the last attempt records the failure instead of retrying. */
  maxReceiveCount: number;
}

/** A failure that no retry can mend: recorded at once. */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo, options?: ErrorOptions) {
    super(info.message, options);
    this.info = info;
  }
}

export interface JobRequest {
  tenantId: string;
  guestId: string;
  correlationId: string;
  trigger: JobTrigger;
}

/** The job of a request: found if it exists (a repeated delivery), else created queued. */
export async function ensureJob(
  deps: Pick<Deps, 'registry' | 'clock'>,
  request: JobRequest,
  jobId: string,
  kind: { kind: JobKind; service: Service },
): Promise<Job> {
  const existing = await deps.registry.getJob(request.tenantId, jobId);
  if (existing) return existing;
  const now = deps.clock.now().toISOString();
  const job: Job = {
    tenantId: request.tenantId,
    id: jobId,
    kind: kind.kind,
    service: kind.service,
    guestId: request.guestId,
    status: 'queued',
    trigger: request.trigger,
    correlationId: request.correlationId,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
  if (await deps.registry.createJob(job)) return job;
  const raced = await deps.registry.getJob(request.tenantId, jobId);
  if (!raced) throw new Error(`${kind.kind}: job ${jobId} was neither created nor found`);
  return raced;
}

/** Marks a running job finished; a concurrent delivery that finished it first wins. */
export async function finishJob(
  deps: Pick<Deps, 'registry' | 'clock'>,
  job: Job,
  end: { status: 'succeeded' | 'failed'; finishedAt: string; result?: Job['result']; error?: ErrorInfo },
): Promise<Job> {
  try {
    return await deps.registry.updateJob(job.tenantId, job.id, { ...end, updatedAt: end.finishedAt }, [
      'running',
    ]);
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    return (await deps.registry.getJob(job.tenantId, job.id)) ?? job;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * After an attempt failed: a transient error before the last delivery is rethrown (the queue delivers
 * the request again); a permanent one, or the last delivery, is recorded on the job and announced
 * with the service's failure event.
 */
export async function failOrRetry(
  deps: Pick<Deps, 'registry' | 'clock' | 'bus' | 'logger'>,
  job: Job,
  error: unknown,
  delivery: Delivery,
  what: { label: string; code: string; failedEvent: 'Backup Failed' | 'Patch Scan Failed' },
): Promise<{ job: Job; error: ErrorInfo }> {
  const permanent = error instanceof PermanentFailure;
  if (!permanent && delivery.receiveCount < delivery.maxReceiveCount) {
    deps.logger.warn(`${what.label} attempt failed; the request will be delivered again`, {
      jobId: job.id,
      attempt: delivery.receiveCount,
      maxReceiveCount: delivery.maxReceiveCount,
      error: errorMessage(error),
    });
    throw error;
  }
  const info: ErrorInfo = permanent
    ? error.info
    : { code: what.code, message: `gave up after ${delivery.receiveCount} attempts: ${errorMessage(error)}` };
  const finishedAt = deps.clock.now().toISOString();
  const { tenantId, correlationId, guestId, id: jobId } = job;
  await deps.bus.publish([
    makeEvent(what.failedEvent, { tenantId, correlationId, guestId, jobId, error: info, finishedAt }),
  ]);
  return { job: await finishJob(deps, job, { status: 'failed', finishedAt, error: info }), error: info };
}
