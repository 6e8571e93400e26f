import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import type { RequestScope } from '../guests/guests.ts';
import { requestServiceJob } from '../request-job.ts';

/** An on-demand backup: a queued job, then `Backup Requested` on the bus. */
export function requestBackup(
  deps: Pick<Deps, 'registry' | 'bus' | 'clock'>,
  scope: RequestScope,
  guestId: string,
): Promise<Job> {
  return requestServiceJob(deps, scope, guestId, {
    service: 'backup',
    kind: 'backup',
    detailType: 'Backup Requested',
    label: 'backup',
  });
}
