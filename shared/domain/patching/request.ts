import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import type { RequestScope } from '../guests/guests.ts';
import { requestServiceJob } from '../request-job.ts';

/** An on-demand patch scan: a queued job, then `Patch Scan Requested` on the bus. */
export function requestPatchScan(
  deps: Pick<Deps, 'registry' | 'bus' | 'clock'>,
  scope: RequestScope,
  guestId: string,
): Promise<Job> {
  return requestServiceJob(deps, scope, guestId, {
    service: 'patching',
    kind: 'patch-scan',
    detailType: 'Patch Scan Requested',
    label: 'patch scan',
  });
}
