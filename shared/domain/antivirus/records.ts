/**
 * The objects an anti-virus job keeps between its functions (see keys.ts for where), as zod schemas:
 * each is parsed when read back, so a damaged object is an error that names its key, not bad data.
 */
import { z } from 'zod';
import {
  AntivirusScanSettings,
  ScanPlanSummary,
  ScanSummary,
  ScanTaskResult,
} from '../../contracts/antivirus.ts';
import {
  GuestId,
  IsoDateTime,
  JobId,
  type PageOf,
  type PageRequest,
  RestorePointId,
  SnapshotId,
  TenantId,
} from '../../contracts/common.ts';
import type { ObjectStore } from '../../ports.ts';

/** The snapshot a job scans; tasks carry it as their `snapshotRef`. */
export const AvScanSource = z.strictObject({
  connector: z.string().min(1),
  snapshotId: SnapshotId,
  diskCount: z.number().int().positive(),
  /** The restore point whose snapshot this is (scans after a backup). */
  restorePointId: RestorePointId.optional(),
  /** A snapshot taken for this scan alone, deleted when the job finishes. */
  scanOnly: z.boolean(),
});
export type AvScanSource = z.infer<typeof AvScanSource>;

/** Names a dispatch attempt: `<receive count>-<8 hex of the message id>`. */
export const AttemptId = z.string().regex(/^[0-9]{1,4}-[0-9a-f]{8}$/, 'a dispatch attempt id');

/** A task's `snapshotRef`: the snapshot, and the dispatch attempt that cut the task. */
export const AvTaskRef = z.strictObject({ ...AvScanSource.shape, attempt: AttemptId });
export type AvTaskRef = z.infer<typeof AvTaskRef>;

/** dispatch.json: what the first dispatch attempt decided; redeliveries reuse it rather than decide again. */
export const AvDispatchRecord = z.strictObject({
  tenantId: TenantId,
  guestId: GuestId,
  jobId: JobId,
  correlationId: z.string().min(1),
  source: AvScanSource,
  settings: AntivirusScanSettings,
  /** The guest's file index was copied to base-index (an incremental scan can skip unchanged files). */
  baseIndex: z.boolean(),
  startedAt: IsoDateTime,
});
export type AvDispatchRecord = z.infer<typeof AvDispatchRecord>;

/** plan.json: every task is sent; the job is complete once results for 0..taskCount-1 exist. */
export const AvPlanManifest = z.strictObject({
  jobId: JobId,
  /** The dispatch attempt whose tasks count. */
  attempt: AttemptId,
  taskCount: z.number().int().nonnegative(),
  plan: ScanPlanSummary,
  /** Index records carried over for files skipped as unchanged (in carried/<attempt>.ndjson.gz). */
  carriedOver: z.number().int().nonnegative(),
  plannedAt: IsoDateTime,
});
export type AvPlanManifest = z.infer<typeof AvPlanManifest>;

/** What the scanner saw of an infected file beyond its verdict. */
export const InfectedFileExtra = z.strictObject({
  path: z.string().min(1),
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  member: z.string().min(1).optional(),
});
export type InfectedFileExtra = z.infer<typeof InfectedFileExtra>;

/** tasks/<index>.json: the task's result, and the extras of its infected files. */
export const StoredTaskResult = z.strictObject({
  result: ScanTaskResult,
  infected: z.array(InfectedFileExtra).default([]),
});
export type StoredTaskResult = z.infer<typeof StoredTaskResult>;

/** One infected file as fan-in found it. */
export const FoundFile = z.strictObject({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().optional(),
  md5: z.string().optional(),
  member: z.string().optional(),
  signature: z.string().min(1),
  engine: z.string().min(1),
  signatureVersion: z.string().optional(),
});
export type FoundFile = z.infer<typeof FoundFile>;

/** final.json: the one finalization of the job; whoever wrote it first finishes the job. */
export const AvFinalClaim = z.strictObject({
  jobId: JobId,
  /** Who claimed: `<function>:<message id>` (a redelivery of that message carries on; nobody else does). */
  claimer: z.string().min(1),
  claimedAt: IsoDateTime,
  summary: ScanSummary,
  detections: z.array(FoundFile),
});
export type AvFinalClaim = z.infer<typeof AvFinalClaim>;

/** Reads and parses a JSON object; undefined when there is none. */
export async function readRecord<S extends z.ZodType>(
  objects: Pick<ObjectStore, 'get'>,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  const object = await objects.get(key);
  if (!object) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(object.body).toString('utf8'));
  } catch (error) {
    throw new Error(`anti-virus record ${key} is not JSON; it was not used`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`anti-virus record ${key} does not match its schema (${issues}); it was not used`);
  }
  return parsed.data;
}

/** A page of the JSON records under `prefix`, in key order, each parsed as `readRecord` does. */
export async function listRecords<S extends z.ZodType>(
  objects: Pick<ObjectStore, 'list' | 'get'>,
  prefix: string,
  schema: S,
  page: PageRequest,
): Promise<PageOf<z.output<S>>> {
  const listed = await objects.list(prefix, page);
  const items: z.output<S>[] = [];
  for (const info of listed.items) {
    const record = await readRecord(objects, info.key, schema);
    if (record !== undefined) items.push(record);
  }
  return listed.nextCursor === undefined ? { items } : { items, nextCursor: listed.nextCursor };
}

export function writeRecord(
  objects: Pick<ObjectStore, 'put'>,
  key: string,
  value: unknown,
  options: { ifNoneMatch?: '*' } = {},
): Promise<{ etag: string }> {
  return objects.put(key, JSON.stringify(value), { contentType: 'application/json', ...options });
}

/** Whether an object store error is a conditional create that found the key taken (either adapter). */
export function isPreconditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'PreconditionFailedError';
}
