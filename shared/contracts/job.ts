import { z } from 'zod';
import { ErrorInfo, GuestId, IsoDateTime, JobId, RestorePointId, SnapshotId, TenantId } from './common.ts';
import { Service } from './service.ts';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobKind = z.enum(['backup', 'patch-scan', 'av-scan']);
export type JobKind = z.infer<typeof JobKind>;

export const JobTrigger = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('api') }),
  z.strictObject({ kind: z.literal('schedule'), scheduledTime: IsoDateTime }),
  z.strictObject({ kind: z.literal('event'), detailType: z.string().min(1) }),
]);
export type JobTrigger = z.infer<typeof JobTrigger>;

export const Job = z.strictObject({
  tenantId: TenantId,
  id: JobId,
  kind: JobKind,
  service: Service,
  guestId: GuestId,
  status: JobStatus,
  trigger: JobTrigger,
  correlationId: z.string().min(1),
  attempts: z.number().int().nonnegative(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  startedAt: IsoDateTime.optional(),
  finishedAt: IsoDateTime.optional(),
  error: ErrorInfo.optional(),
  result: z.record(z.string(), z.unknown()).optional(),
});
export type Job = z.infer<typeof Job>;

export const SnapshotDisk = z.strictObject({
  index: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  source: z.string().min(1),
});
export type SnapshotDisk = z.infer<typeof SnapshotDisk>;

export const RestorePoint = z.strictObject({
  tenantId: TenantId,
  id: RestorePointId,
  guestId: GuestId,
  jobId: JobId,
  connector: z.string().min(1),
  snapshotId: SnapshotId,
  disks: z.array(SnapshotDisk).min(1),
  tags: z.record(z.string(), z.string()),
  createdAt: IsoDateTime,
  /**
   * Set when an anti-virus scan found malware in it: such a restore point is not offered for restore
   * (or listed by default) without an explicit override.
   */
  infected: z
    .strictObject({ jobId: JobId, detections: z.number().int().positive(), markedAt: IsoDateTime })
    .optional(),
});
export type RestorePoint = z.infer<typeof RestorePoint>;
