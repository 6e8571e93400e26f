/**
 * Watched buckets: the shapes of the object-created trigger of anti-virus scanning.
 *
 * - `S3ObjectCreatedEvent`: S3's "Object Created" event as EventBridge delivers it (source `aws.s3`), which
 *   the local runtime also emits for files dropped under `<home>/buckets/<bucket>/`. Strict on what the scan
 *   needs (bucket name, key, size), tolerant of the fields S3 adds (`request-id`, `requester`, …);
 * - `WatchedBucketBody` / `WatchedBucket`: a tenant's registration of a bucket (`PUT /v1/watched-buckets/{bucket}`);
 * - `ObjectScanRecord`: the verdict stored for one version of one object.
 */
import { z } from 'zod';
import { AvEngineKind, FileVerdictStatus } from './antivirus.ts';
import { IsoDateTime, TenantId } from './common.ts';

/** The source S3 events carry on EventBridge. */
export const S3_EVENT_SOURCE = 'aws.s3';
/** The detail-type of a new object (PutObject, CopyObject, CompleteMultipartUpload, POST). */
export const OBJECT_CREATED = 'Object Created';

/**
 * A bucket name as S3 allows it for new buckets: 3-63 characters of a-z, 0-9, `.` and `-`, starting and
 * ending with a letter or digit, no `..`. Also what the local runtime accepts as a folder under `buckets/`.
 */
export const BucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'bucket name: 3-63 chars of a-z, 0-9, "." and "-", starting and ending with a letter or digit',
  )
  .refine((name) => !name.includes('..'), 'bucket name: no ".."');
export type BucketName = z.infer<typeof BucketName>;

/** An S3 object key: 1 to 1024 UTF-8 bytes, no NUL. */
export const ObjectKey = z
  .string()
  .min(1)
  .refine((key) => Buffer.byteLength(key, 'utf8') <= 1024, 'object key: at most 1024 UTF-8 bytes')
  .refine((key) => !key.includes('\u0000'), 'object key: no NUL');

/** The detail of S3's "Object Created" event; fields not listed are kept as they are (S3 adds more over time). */
export const S3ObjectCreatedDetail = z.looseObject({
  version: z.string().min(1).max(16),
  bucket: z.looseObject({ name: BucketName }),
  object: z.looseObject({
    key: ObjectKey,
    size: z.number().int().nonnegative(),
    etag: z.string().min(1).max(200).optional(),
    sequencer: z.string().min(1).max(200).optional(),
    'version-id': z.string().min(1).max(1024).optional(),
  }),
  reason: z.string().min(1).max(100).optional(),
});
export type S3ObjectCreatedDetail = z.infer<typeof S3ObjectCreatedDetail>;

/** The whole event as an EventBridge rule delivers it to a queue. */
export const S3ObjectCreatedEvent = z.looseObject({
  version: z.string(),
  id: z.string().min(1).max(256),
  'detail-type': z.literal(OBJECT_CREATED),
  source: z.literal(S3_EVENT_SOURCE),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: S3ObjectCreatedDetail,
});
export type S3ObjectCreatedEvent = z.infer<typeof S3ObjectCreatedEvent>;

/** A key prefix to watch: empty prefixes are not prefixes (an empty list watches every key). */
const WatchedPrefix = z
  .string()
  .min(1)
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 1024, 'prefix: at most 1024 UTF-8 bytes');

/** The body of `PUT /v1/watched-buckets/{bucket}`. */
export const WatchedBucketBody = z.strictObject({
  /** Keys under any of these are scanned; `[]` (the default) scans every key. */
  prefixes: z.array(WatchedPrefix).max(100).default([]),
  engine: AvEngineKind.default('builtin'),
});
export type WatchedBucketBody = z.infer<typeof WatchedBucketBody>;

/** A registration, stored at `av/watched-buckets/<bucket>.json`: one tenant owns a bucket. */
export const WatchedBucket = z.strictObject({
  tenantId: TenantId,
  bucket: BucketName,
  prefixes: z.array(WatchedPrefix).max(100),
  engine: AvEngineKind,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type WatchedBucket = z.infer<typeof WatchedBucket>;

/** The verdict on one version of one object (the fields of `Object Scan Completed`, and a detail). */
export const ObjectScanRecord = z
  .strictObject({
    tenantId: TenantId,
    bucket: BucketName,
    key: ObjectKey,
    size: z.number().int().nonnegative(),
    etag: z.string().min(1).max(200).optional(),
    status: FileVerdictStatus,
    signature: z.string().min(1).max(512).optional(),
    reason: z.string().min(1).max(1000).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    engine: z.string().min(1).max(200),
    signatureVersion: z.string().min(1).max(200).optional(),
    /** In words: why it was not scanned, or which archive member matched. */
    detail: z.string().min(1).max(4000).optional(),
    scannedAt: IsoDateTime,
  })
  .superRefine((v, ctx) => {
    if ((v.status === 'infected') !== (v.signature !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['signature'],
        message: 'an infected verdict names its signature, and only an infected one',
      });
    if (v.status === 'not-scanned' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a not-scanned verdict says why' });
  });
export type ObjectScanRecord = z.infer<typeof ObjectScanRecord>;
