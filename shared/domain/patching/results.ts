/**
 * What the portal API serves of a guest's patch scans: the newest scan's findings (optionally only some
 * severities) and inventory, a page at a time. A cursor names the scan it was cut from, so paging goes on
 * through that scan even if a newer one completes meanwhile.
 */
import { z } from 'zod';
import { JobId } from '../../contracts/common.ts';
import { LatestPatchScan } from '../../contracts/patching.ts';
import type { Deps } from '../../deps.ts';
import { NotFoundError } from '../../errors.ts';
import type { Finding, ScanResult } from '../../patching/types.ts';
import { getGuest } from '../guests/guests.ts';
import { latestScanKey, reportKeys } from './keys.ts';

/** Thrown for a cursor this API did not hand out. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const Cursor = z.strictObject({ j: JobId, o: z.number().int().positive() });

function encodeCursor(jobId: string, offset: number): string {
  return Buffer.from(JSON.stringify({ j: jobId, o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): { jobId: string; offset: number } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  const parsed = Cursor.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('cursor is not one this API returned');
  return { jobId: parsed.data.j, offset: parsed.data.o };
}

interface LoadedScan {
  jobId: string;
  finishedAt: string;
  result: ScanResult;
}

async function readJson(deps: Pick<Deps, 'objects'>, key: string): Promise<unknown> {
  const object = await deps.objects.get(key);
  if (!object) return undefined;
  return JSON.parse(new TextDecoder().decode(object.body));
}

/** The newest scan, or (with a cursor) the scan the cursor was cut from. */
async function loadScan(
  deps: Pick<Deps, 'objects' | 'registry'>,
  tenantId: string,
  guestId: string,
  cursor: string | undefined,
): Promise<{ scan: LoadedScan; offset: number }> {
  await getGuest(deps, tenantId, guestId);
  const noScan = () =>
    new NotFoundError(
      'NO_PATCH_SCAN',
      `guest ${guestId} has no completed patch scan yet: request one with POST /v1/guests/${guestId}/patch-scans`,
    );
  let jobId: string;
  let offset = 0;
  let finishedAt: string | undefined;
  if (cursor) {
    ({ jobId, offset } = decodeCursor(cursor));
  } else {
    const latest = LatestPatchScan.safeParse(await readJson(deps, latestScanKey(tenantId, guestId)));
    if (!latest.success) throw noScan();
    jobId = latest.data.jobId;
    finishedAt = latest.data.finishedAt;
  }
  const report = (await readJson(deps, reportKeys(tenantId, guestId, jobId).report)) as
    | ScanResult
    | undefined;
  if (!report) {
    if (cursor) throw new InvalidCursorError(`the scan this cursor belongs to (${jobId}) no longer exists`);
    throw noScan();
  }
  if (!finishedAt) {
    const job = await deps.registry.getJob(tenantId, jobId);
    finishedAt = job?.finishedAt ?? new Date(0).toISOString();
  }
  return { scan: { jobId, finishedAt, result: report }, offset };
}

function pageOf<T>(items: T[], offset: number, limit: number, jobId: string) {
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return { items: page, ...(next < items.length ? { nextCursor: encodeCursor(jobId, next) } : {}) };
}

function scanRef(scan: LoadedScan) {
  return {
    jobId: scan.jobId,
    finishedAt: scan.finishedAt,
    assessable: scan.result.assessable,
    reasons: scan.result.reasons,
  };
}

export async function latestFindings(
  deps: Pick<Deps, 'objects' | 'registry'>,
  tenantId: string,
  guestId: string,
  query: { limit: number; cursor?: string; severity?: Finding['severity'][] },
) {
  const { scan, offset } = await loadScan(deps, tenantId, guestId, query.cursor);
  const wanted = query.severity?.length ? new Set<string>(query.severity) : undefined;
  const findings = wanted ? scan.result.findings.filter((f) => wanted.has(f.severity)) : scan.result.findings;
  return {
    scan: scanRef(scan),
    counts: scan.result.counts,
    ...pageOf(findings, offset, query.limit, scan.jobId),
  };
}

export async function latestInventory(
  deps: Pick<Deps, 'objects' | 'registry'>,
  tenantId: string,
  guestId: string,
  query: { limit: number; cursor?: string },
) {
  const { scan, offset } = await loadScan(deps, tenantId, guestId, query.cursor);
  const inventory = scan.result.inventory;
  return {
    scan: scanRef(scan),
    ...(inventory.os ? { os: inventory.os } : {}),
    kernels: inventory.kernels,
    notes: inventory.notes,
    ...pageOf(inventory.packages, offset, query.limit, scan.jobId),
  };
}
