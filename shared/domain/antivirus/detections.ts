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

export async function listDetections(
  objects: Pick<ObjectStore, 'list' | 'get'>,
  tenantId: string,
  guestId: string,
  page: PageRequest,
): Promise<PageOf<AvDetection>> {
  const listed = await objects.list(detectionsPrefix(tenantId, guestId), page);
  const items: AvDetection[] = [];
  for (const info of listed.items) {
    const object = await objects.get(info.key);
    if (!object) continue;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(object.body).toString('utf8'));
    } catch {
      throw new Error(`detection object ${info.key} is not JSON`);
    }
    const parsed = AvDetection.safeParse(json);
    if (!parsed.success) throw new Error(`detection object ${info.key} does not match its schema`);
    items.push(parsed.data);
  }
  return listed.nextCursor === undefined ? { items } : { items, nextCursor: listed.nextCursor };
}
