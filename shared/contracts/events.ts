import { z } from 'zod';
import { ScanSummary } from './antivirus.ts';
import { ErrorInfo, GuestId, IsoDateTime, JobId, RestorePointId, SnapshotId, TenantId } from './common.ts';
import { Guest } from './guest.ts';
import { JobTrigger, SnapshotDisk } from './job.ts';
import { AlertFields } from './monitoring.ts';
import { PatchScanSummary } from './patching.ts';
import { Service, servicePolicyVariants } from './service.ts';
import { BucketName, ObjectKey } from './watched-buckets.ts';

/** Every event Outboard puts on the bus carries this source. */
export const EVENT_SOURCE = 'outboard';

/** Fields every detail carries: its schema version, the tenant it belongs to, and the chain it is part of. */
const envelope = <V extends number>(version: V) => ({
  schemaVersion: z.literal(version),
  tenantId: TenantId,
  correlationId: z.string().min(1).max(128),
});

const definitions = {
  'Guest Registered': {
    version: 1,
    description: 'A guest was registered through the portal API.',
    detail: z.strictObject({ ...envelope(1), guest: Guest }),
  },
  'Guest Deleted': {
    version: 1,
    description: 'A guest was deleted; its services were disabled first.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      disabledServices: z.array(Service),
    }),
  },
  'Service Enabled': {
    version: 1,
    description: 'A service was switched on for a guest, or its policy changed.',
    detail: z.discriminatedUnion(
      'service',
      servicePolicyVariants({ ...envelope(1), guestId: GuestId, change: z.enum(['created', 'updated']) }),
    ),
  },
  'Service Disabled': {
    version: 1,
    description: 'A service was switched off for a guest.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      service: Service,
      reason: z.enum(['requested', 'guest-deleted']),
    }),
  },
  'Backup Requested': {
    version: 1,
    description:
      'A backup of a guest was asked for, by the portal (with a job id) or by the backup policy schedule (job id derived from the scheduled time).',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId.optional(),
      trigger: JobTrigger,
    }),
  },
  'Backup Completed': {
    version: 1,
    description: 'A backup finished: the snapshot exists and a restore point records it.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      restorePointId: RestorePointId,
      connector: z.string(),
      snapshotId: SnapshotId,
      disks: z.array(SnapshotDisk),
      startedAt: IsoDateTime,
      finishedAt: IsoDateTime,
    }),
  },
  'Backup Failed': {
    version: 1,
    description: 'A backup could not be taken; the reason says why and nothing was left half-made.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      error: ErrorInfo,
      finishedAt: IsoDateTime,
    }),
  },
  'Patch Scan Requested': {
    version: 1,
    description:
      'A patch scan of a guest was asked for, by the portal (with a job id) or by the patching policy schedule (job id derived from the scheduled time).',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId.optional(),
      trigger: JobTrigger,
    }),
  },
  'Patch Scan Completed': {
    version: 1,
    description:
      'A patch scan finished and its reports are in the object store. A guest whose OS no feed covers completes with assessable=false (never reported as clean).',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      snapshotId: SnapshotId,
      /** True when an existing restore point was read; false when a scan-only snapshot was taken (and deleted). */
      reusedRestorePoint: z.boolean(),
      restorePointId: RestorePointId.optional(),
      ...PatchScanSummary.shape,
      startedAt: IsoDateTime,
      finishedAt: IsoDateTime,
    }),
  },
  'Patch Scan Failed': {
    version: 1,
    description: 'A patch scan could not be made; the reason says why. A scan-only snapshot was deleted.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      error: ErrorInfo,
      finishedAt: IsoDateTime,
    }),
  },
  'Monitor Alert Raised': {
    version: 1,
    description:
      'A detection rule fired for a guest: a matching event, a threshold crossed within its window, or a guest gone silent. One alert per rule, guest and group per suppression period, however many events match.',
    detail: z.strictObject({ ...envelope(1), ...AlertFields }),
  },
  'AV Scan Requested': {
    version: 1,
    description:
      "An anti-virus scan of a guest was asked for: by the portal (with a job id), by the antivirus policy's schedule (job id derived from the scheduled time). A completed backup of a guest with scanAfterBackup also starts one (the Backup Completed event itself is the trigger).",
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId.optional(),
      trigger: JobTrigger,
    }),
  },
  'AV Scan Completed': {
    version: 1,
    description:
      'An anti-virus scan ended. status COMPLETED, COMPLETED_WITH_ISSUES (some files not scanned, with the reasons) or FAILED; result NO_THREATS_FOUND or THREATS_FOUND (a FAILED scan is never reported clean).',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      snapshotId: SnapshotId.optional(),
      restorePointId: RestorePointId.optional(),
      summary: ScanSummary,
      error: ErrorInfo.optional(),
      startedAt: IsoDateTime,
      finishedAt: IsoDateTime,
    }),
  },
  'Malware Detected': {
    version: 1,
    description:
      'A file in a guest snapshot matched a signature. Detections are recorded and never deleted; the policy decides whether the restore point is marked infected.',
    detail: z.strictObject({
      ...envelope(1),
      guestId: GuestId,
      jobId: JobId,
      snapshotId: SnapshotId,
      restorePointId: RestorePointId.optional(),
      path: z.string().min(1).max(65_536),
      size: z.number().int().nonnegative(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      signature: z.string().min(1).max(512),
      engine: z.string().min(1).max(200),
      detectedAt: IsoDateTime,
    }),
  },
  'Object Scan Completed': {
    version: 1,
    description:
      'An object created in a watched bucket was scanned: clean, infected (with the signature) or not-scanned with the reason (fail closed: an object that could not be scanned is never reported clean).',
    detail: z.strictObject({
      ...envelope(1),
      bucket: BucketName,
      key: ObjectKey,
      size: z.number().int().nonnegative(),
      etag: z.string().min(1).max(200).optional(),
      status: z.enum(['clean', 'infected', 'not-scanned']),
      signature: z.string().min(1).max(512).optional(),
      reason: z.string().min(1).max(1000).optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      engine: z.string().min(1).max(200),
      scannedAt: IsoDateTime,
    }),
  },
} as const;

export type DetailType = keyof typeof definitions;
export const DETAIL_TYPES = Object.keys(definitions) as DetailType[];
export const DetailTypeSchema = z.enum(DETAIL_TYPES as [DetailType, ...DetailType[]]);

export const EventCatalogue: {
  readonly [K in DetailType]: {
    readonly version: number;
    readonly description: string;
    readonly detail: (typeof definitions)[K]['detail'];
  };
} = definitions;

export type EventDetail<K extends DetailType> = z.infer<(typeof definitions)[K]['detail']>;
/** What a caller supplies: the envelope fields other than tenant and correlation are filled in. */
export type EventDetailInput<K extends DetailType> = Omit<EventDetail<K>, 'schemaVersion'>;

export interface OutboardEvent<K extends DetailType = DetailType> {
  detailType: K;
  detail: EventDetail<K>;
  /** ARNs or ids the event is about (EventBridge `resources`). */
  resources?: string[];
}

export function makeEvent<K extends DetailType>(
  detailType: K,
  detail: EventDetailInput<K>,
): OutboardEvent<K> {
  const full = { schemaVersion: definitions[detailType].version, ...detail };
  return { detailType, detail: definitions[detailType].detail.parse(full) as EventDetail<K> };
}

export function parseEventDetail<K extends DetailType>(
  detailType: K,
  detail: unknown,
): { success: true; data: EventDetail<K> } | { success: false; error: z.ZodError } {
  const result = definitions[detailType].detail.safeParse(detail);
  return result.success
    ? { success: true, data: result.data as EventDetail<K> }
    : { success: false, error: result.error };
}

/** The EventBridge envelope as delivered to rule targets. */
export const EventBridgeEnvelope = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelope>;
