/**
 * A guest's restore points as the portal lists them: newest first, and without those an anti-virus scan
 * marked infected unless the caller asks for them (`includeInfected`) — an infected restore point is
 * never offered for restore without an explicit override.
 *
 * Hiding happens after the registry's paging, so to keep pages full the listing reads on until it has
 * `limit` restore points or the registry has no more; after `maxReads` reads it returns a short page with
 * a cursor (a guest with many infected restore points in a row still pages, never loops for long).
 */
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import type { RestorePoint } from '../../contracts/job.ts';
import type { Registry } from '../../ports.ts';

export interface RestorePointListing extends PageRequest {
  includeInfected: boolean;
  /** Registry reads per call at most (default 10). */
  maxReads?: number;
}

export async function listRestorePoints(
  deps: { registry: Pick<Registry, 'listRestorePoints'> },
  tenantId: string,
  guestId: string,
  listing: RestorePointListing,
): Promise<PageOf<RestorePoint>> {
  const page: PageRequest = { limit: listing.limit, ...(listing.cursor ? { cursor: listing.cursor } : {}) };
  if (listing.includeInfected) return deps.registry.listRestorePoints(tenantId, guestId, page);
  const items: RestorePoint[] = [];
  let cursor = listing.cursor;
  const maxReads = listing.maxReads ?? 10;
  for (let reads = 0; reads < maxReads; reads++) {
    // Ask only for what is missing: every item read is then either returned or hidden, so the
    // registry's cursor after this read is exactly where the next page starts.
    const want = listing.limit - items.length;
    const read = await deps.registry.listRestorePoints(
      tenantId,
      guestId,
      cursor === undefined ? { limit: want } : { limit: want, cursor },
    );
    items.push(...read.items.filter((rp) => rp.infected === undefined));
    cursor = read.nextCursor;
    if (cursor === undefined || items.length >= listing.limit) break;
  }
  return cursor === undefined ? { items } : { items, nextCursor: cursor };
}
