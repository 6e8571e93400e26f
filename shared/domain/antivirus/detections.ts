/**
 * Detections as kept for the portal: one object per infected file under the guest's prefix, keyed by the
 * inverted time of the scan's fan-in and the job (keys.ts), so listing the prefix gives the newest first.
 * Saving is idempotent: a job's keys derive from its final claim, so a redelivery rewrites the same
 * objects. Nothing here deletes a detection.
 */
import { AvDetection } from '../../contracts/api.ts';
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import type { ObjectStore } from '../../ports.ts';
import { detectionKey, detectionsPrefix } from './keys.ts';
import { listRecords } from './records.ts';

export async function saveDetections(
  objects: Pick<ObjectStore, 'put'>,
  detections: AvDetection[],
): Promise<void> {
  for (const [n, d] of detections.entries()) {
    const record = AvDetection.parse(d);
    await objects.put(
      detectionKey(record.tenantId, record.guestId, record.jobId, record.detectedAt, n),
      JSON.stringify(record),
      {
        contentType: 'application/json',
      },
    );
  }
}

export function listDetections(
  objects: Pick<ObjectStore, 'list' | 'get'>,
  tenantId: string,
  guestId: string,
  page: PageRequest,
): Promise<PageOf<AvDetection>> {
  return listRecords(objects, detectionsPrefix(tenantId, guestId), AvDetection, page);
}
