import { makeEvent } from '../../contracts/events.ts';
import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import { ConflictError, UnavailableError } from '../../errors.ts';
import { newId } from '../../ids/ids.ts';
import { getGuest, type RequestScope } from '../guests/guests.ts';

/**
 * An on-demand patch scan: the job is recorded as queued, then `Patch Scan Requested` goes on the bus.
 * If the bus refuses the event the job is marked failed with that reason, so no job waits forever.
 */
export async function requestPatchScan(
  deps: Pick<Deps, 'registry' | 'bus' | 'clock'>,
  scope: RequestScope,
  guestId: string,
): Promise<Job> {
  await getGuest(deps, scope.tenantId, guestId);
  const subscription = await deps.registry.getSubscription(scope.tenantId, guestId, 'patching');
  if (!subscription) {
    throw new ConflictError(
      'SERVICE_NOT_ENABLED',
      `patching is not enabled for guest ${guestId}: enable it with PUT /v1/guests/${guestId}/services/patching`,
    );
  }
  const now = deps.clock.now();
  const job: Job = {
    tenantId: scope.tenantId,
    id: newId('job', now),
    kind: 'patch-scan',
    service: 'patching',
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
      makeEvent('Patch Scan Requested', { ...scope, guestId, jobId: job.id, trigger: { kind: 'api' } }),
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
      `patch scan job ${job.id} could not be dispatched and was marked failed`,
      { cause },
    );
  }
  return job;
}
