import { makeEvent } from '../contracts/events.ts';
import type { Job, JobKind } from '../contracts/job.ts';
import type { Service } from '../contracts/service.ts';
import type { Deps } from '../deps.ts';
import { ConflictError, UnavailableError } from '../errors.ts';
import { newId } from '../ids/ids.ts';
import { getGuest, type RequestScope } from './guests/guests.ts';

export interface ServiceJob {
  service: Service;
  kind: JobKind;
  /** The event that starts the job's chain. */
  detailType: 'Backup Requested' | 'Patch Scan Requested' | 'AV Scan Requested';
  /** How the job is named in messages: "backup", "patch scan". */
  label: string;
}

/**
 * An on-demand job of a service: refused unless the service is enabled for the guest, recorded as
 * queued, then its request event goes on the bus. If the bus refuses the event the job is marked
 * failed with that reason, so no job waits forever.
 */
export async function requestServiceJob(
  deps: Pick<Deps, 'registry' | 'bus' | 'clock'>,
  scope: RequestScope,
  guestId: string,
  what: ServiceJob,
): Promise<Job> {
  await getGuest(deps, scope.tenantId, guestId);
  const subscription = await deps.registry.getSubscription(scope.tenantId, guestId, what.service);
  if (!subscription) {
    throw new ConflictError(
      'SERVICE_NOT_ENABLED',
      `${what.service} is not enabled for guest ${guestId}: enable it with PUT /v1/guests/${guestId}/services/${what.service}`,
    );
  }
  const now = deps.clock.now();
  const job: Job = {
    tenantId: scope.tenantId,
    id: newId('job', now),
    kind: what.kind,
    service: what.service,
    guestId,
    status: 'queued',
    trigger: { kind: 'api' },
    correlationId: scope.correlationId,
    attempts: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.registry.createJob(job);
  try {
    await deps.bus.publish([
      makeEvent(what.detailType, { ...scope, guestId, jobId: job.id, trigger: { kind: 'api' } }),
    ]);
  } catch (cause) {
    const at = deps.clock.now().toISOString();
    await deps.registry.updateJob(
      scope.tenantId,
      job.id,
      {
        status: 'failed',
        finishedAt: at,
        updatedAt: at,
        error: {
          code: 'DISPATCH_FAILED',
          message: `the request could not be put on the bus: ${String(cause)}`,
        },
      },
      ['queued'],
    );
    throw new UnavailableError(
      'BUS_UNAVAILABLE',
      `${what.label} job ${job.id} could not be dispatched and was marked failed`,
      { cause },
    );
  }
  return job;
}
