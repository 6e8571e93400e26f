import type { Job } from '../../contracts/job.ts';
import type { Deps } from '../../deps.ts';
import type { RequestScope } from '../guests/guests.ts';
import { requestServiceJob } from '../request-job.ts';

/** An on-demand anti-virus scan: a queued job, then `AV Scan Requested` on the bus. */
export function requestAvScan(
  deps: Pick<Deps, 'registry' | 'bus' | 'clock'>,
  scope: RequestScope,
  guestId: string,
): Promise<Job> {
  return requestServiceJob(deps, scope, guestId, {
    service: 'antivirus',
    kind: 'av-scan',
    detailType: 'AV Scan Requested',
    label: 'anti-virus scan',
  });
}
