/**
 * Portal API v1: every route with its parameters, body and responses as zod schemas. The OpenAPI
 * document is generated from this table, and a test holds it equal to the topology's routes.
 */
import { z } from 'zod';
import { GuestId, IsoDateTime, JobId, Page, RestorePointId, SnapshotId, TenantId } from './common.ts';
import { Guest, RegisterGuestRequest, Subscription } from './guest.ts';
import { Job, RestorePoint } from './job.ts';
import { Alert, MonitorEvent } from './monitoring.ts';
import { type FindingSeverity, FindingsPage, InventoryPage, SEVERITIES } from './patching.ts';
import { Policy, Service } from './service.ts';
import { BucketName, ObjectScanRecord, WatchedBucket, WatchedBucketBody } from './watched-buckets.ts';

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  issues: z
    .array(
      z.object({ code: z.string(), path: z.array(z.union([z.string(), z.number()])), message: z.string() }),
    )
    .optional(),
});

export const Health = z.strictObject({ status: z.literal('ok'), estate: z.string(), time: z.string() });
export const Accepted = z.strictObject({ jobId: JobId, status: z.literal('queued') });
export const BackupRequestBody = z.strictObject({}).default({});
export const PatchScanRequestBody = z.strictObject({}).default({});
export const AvScanRequestBody = z.strictObject({}).default({});

/** `?includeInfected=true` lists restore points an anti-virus scan marked infected too (hidden by default). */
export const RestorePointsQuery = PageQuery.extend({
  includeInfected: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/**
 * One infected file, as recorded when its scan completed (the `Malware Detected` event's fields, plus
 * what the scanner saw besides). Detections are never deleted.
 */
export const AvDetection = z.strictObject({
  tenantId: TenantId,
  guestId: GuestId,
  jobId: JobId,
  snapshotId: SnapshotId,
  restorePointId: RestorePointId.optional(),
  /** The guest path of the file; for a detection inside an archive, the archive's path. */
  path: z.string().min(1).max(65_536),
  /** For a detection inside an archive: the member's path (`/srv/a.zip/docs/eicar.com`). */
  member: z.string().min(1).max(65_536).optional(),
  size: z.number().int().nonnegative(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  signature: z.string().min(1).max(512),
  engine: z.string().min(1).max(200),
  signatureVersion: z.string().min(1).max(200).optional(),
  detectedAt: IsoDateTime,
});
export type AvDetection = z.infer<typeof AvDetection>;

/** `?severity=Critical,High`: only findings of these severities (case-insensitive). */
export const FindingsQuery = PageQuery.extend({
  severity: z
    .string()
    .max(200)
    .transform((value, ctx) => {
      const out: z.infer<typeof FindingSeverity>[] = [];
      for (const part of value.split(',')) {
        const word = part.trim().toLowerCase();
        const found = SEVERITIES.find((s) => s.toLowerCase() === word);
        if (!found) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown severity "${part}": one of ${SEVERITIES.join(', ')}`,
          });
          return z.NEVER;
        }
        if (!out.includes(found)) out.push(found);
      }
      return out;
    })
    .optional(),
});

/** `POST /v1/ingest` answer: the batch is queued; the ingest function parses it. */
export const IngestAccepted = z.strictObject({
  status: z.literal('queued'),
  requestId: z.string(),
  bytes: z.number().int(),
});

/** Events by receive time: `from` (default 24 h before `to`) up to `to` (default now), ISO 8601. */
export const EventsQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    q: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().min(1).max(4096).optional(),
  })
  .refine((v) => !v.from || !v.to || Date.parse(v.from) < Date.parse(v.to), {
    message: '"from" must be before "to"',
    path: ['from'],
  });

const guestParams = z.strictObject({ guestId: GuestId });
const bucketParams = z.strictObject({ bucket: BucketName });
const serviceParams = z.strictObject({ guestId: GuestId, service: Service });

export interface RouteContract {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** status → schema (undefined: no body). */
  responses: Record<number, z.ZodType | undefined>;
  /** Served without authentication in every estate. */
  public?: boolean;
  /** Receipt straight into a queue (API Gateway's SQS integration; the runtime's server locally): no handler. */
  queued?: boolean;
}

export const API_ROUTES: RouteContract[] = [
  { method: 'GET', path: '/v1/health', summary: 'Liveness', responses: { 200: Health }, public: true },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This document',
    responses: { 200: z.record(z.string(), z.unknown()) },
    public: true,
  },
  {
    method: 'GET',
    path: '/v1/guests',
    summary: 'List guests',
    query: PageQuery,
    responses: { 200: Page(Guest) },
  },
  {
    method: 'POST',
    path: '/v1/guests',
    summary: 'Register a guest',
    body: RegisterGuestRequest,
    responses: { 201: Guest, 400: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}',
    summary: 'One guest',
    params: guestParams,
    responses: { 200: Guest, 404: Problem },
  },
  {
    method: 'DELETE',
    path: '/v1/guests/{guestId}',
    summary: 'Delete a guest, disabling its services first',
    params: guestParams,
    responses: { 204: undefined, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/services',
    summary: "The guest's enabled services and their policies",
    params: guestParams,
    responses: { 200: z.strictObject({ items: z.array(Subscription) }), 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/services/{service}',
    summary: 'One enabled service',
    params: serviceParams,
    responses: { 200: Subscription, 404: Problem },
  },
  {
    method: 'PUT',
    path: '/v1/guests/{guestId}/services/{service}',
    summary: 'Enable a service or replace its policy ({} takes every default)',
    params: serviceParams,
    body: Policy,
    responses: { 200: Subscription, 201: Subscription, 400: Problem, 404: Problem, 503: Problem },
  },
  {
    method: 'DELETE',
    path: '/v1/guests/{guestId}/services/{service}',
    summary: 'Disable a service',
    params: serviceParams,
    responses: { 204: undefined, 404: Problem },
  },
  {
    method: 'POST',
    path: '/v1/guests/{guestId}/backups',
    summary: 'Request a backup now',
    params: guestParams,
    body: BackupRequestBody,
    responses: { 202: Accepted, 404: Problem, 409: Problem, 503: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/restore-points',
    summary:
      "The guest's restore points, newest first; those an anti-virus scan marked infected only with includeInfected=true",
    params: guestParams,
    query: RestorePointsQuery,
    responses: { 200: Page(RestorePoint), 404: Problem },
  },
  {
    method: 'POST',
    path: '/v1/guests/{guestId}/patch-scans',
    summary: 'Request a patch scan now (reads a young restore point, else a scan-only snapshot)',
    params: guestParams,
    body: PatchScanRequestBody,
    responses: { 202: Accepted, 404: Problem, 409: Problem, 503: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/inventory',
    summary: "The guest's OS, kernels and installed packages from its newest patch scan",
    params: guestParams,
    query: PageQuery,
    responses: { 200: InventoryPage, 400: Problem, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/findings',
    summary: "The findings of the guest's newest patch scan, optionally only some severities",
    params: guestParams,
    query: FindingsQuery,
    responses: { 200: FindingsPage, 400: Problem, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/jobs/{jobId}',
    summary: 'One job and its status',
    params: z.strictObject({ jobId: JobId }),
    responses: { 200: Job, 404: Problem },
  },
  {
    method: 'POST',
    path: '/v1/ingest',
    summary:
      'Ingest a batch of raw records (syslog lines as text/plain, Windows Event XML as application/xml, JSON or OpenWEC JSON events as application/x-ndjson or application/json); 202 once durably queued',
    body: z.string(),
    queued: true,
    responses: { 202: IngestAccepted, 400: Problem, 413: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/events',
    summary: "A guest's archived events, in receipt order, by receive-time range and query",
    params: guestParams,
    query: EventsQuery,
    responses: { 200: Page(MonitorEvent), 400: Problem, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/events/unattributed',
    summary: 'Events from senders no guest with monitoring enabled is known by',
    query: EventsQuery,
    responses: { 200: Page(MonitorEvent), 400: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/alerts',
    summary: "A guest's monitoring alerts, newest first",
    params: guestParams,
    query: PageQuery,
    responses: { 200: Page(Alert), 400: Problem, 404: Problem },
  },
  {
    method: 'POST',
    path: '/v1/guests/{guestId}/av-scans',
    summary:
      'Request an anti-virus scan now (of a scan-only snapshot, deleted afterwards); its job shows the summary',
    params: guestParams,
    body: AvScanRequestBody,
    responses: { 202: Accepted, 404: Problem, 409: Problem, 503: Problem },
  },
  {
    method: 'GET',
    path: '/v1/guests/{guestId}/detections',
    summary: "Malware the guest's anti-virus scans found, newest first",
    params: guestParams,
    query: PageQuery,
    responses: { 200: Page(AvDetection), 400: Problem, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/watched-buckets',
    summary: "The tenant's watched buckets: new objects in them are scanned for malware",
    responses: { 200: Page(WatchedBucket) },
  },
  {
    method: 'PUT',
    path: '/v1/watched-buckets/{bucket}',
    summary:
      'Watch a bucket: each object created in it (under one of the prefixes, if any) is scanned and its verdict emitted as Object Scan Completed',
    params: bucketParams,
    body: WatchedBucketBody,
    responses: { 200: WatchedBucket, 201: WatchedBucket, 400: Problem, 409: Problem },
  },
  {
    method: 'DELETE',
    path: '/v1/watched-buckets/{bucket}',
    summary: 'Stop watching a bucket (verdicts already stored are kept)',
    params: bucketParams,
    responses: { 204: undefined, 404: Problem },
  },
  {
    method: 'GET',
    path: '/v1/watched-buckets/{bucket}/detections',
    summary:
      "Infected objects found in one of the tenant's buckets (watched now or before), newest first; verdicts are never deleted",
    params: bucketParams,
    query: PageQuery,
    responses: { 200: Page(ObjectScanRecord), 400: Problem },
  },
];

export function routeKey(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}
