import { z } from 'zod';

/** Tenant ids are DNS-label-like so they can appear unescaped in object keys and schedule names. */
export const TenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant id: 1-63 chars of a-z, 0-9 and "-", not starting with "-"');
export type TenantId = z.infer<typeof TenantId>;

const prefixedId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{10,40}$`), `expected an id of the form ${prefix}_…`);

export const GuestId = prefixedId('gst');
export const JobId = prefixedId('job');
export const RestorePointId = prefixedId('rp');
export const SnapshotId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'snapshot id: 1-128 chars of A-Z a-z 0-9 _ . : -');

export const IsoDateTime = z.iso.datetime({ offset: true });

export const Tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')
  .default({});
export type Tags = z.infer<typeof Tags>;

export const ErrorInfo = z.strictObject({
  code: z.string().min(1),
  message: z.string().min(1),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().optional() });

export interface PageOf<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}
