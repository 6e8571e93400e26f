import { z } from 'zod';
import { validateScheduleExpression } from '../schedule/expression.ts';
import { AntivirusPolicyFields } from './antivirus.ts';

export const SERVICES = ['patching', 'monitoring', 'backup', 'antivirus'] as const;
export const Service = z.enum(SERVICES);
export type Service = z.infer<typeof Service>;

export const ScheduleExpression = z.string().superRefine((value, ctx) => {
  const problem = validateScheduleExpression(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

const scheduled = (defaultSchedule: string) => ({
  schedule: ScheduleExpression.default(defaultSchedule),
  timezone: TimeZone.default('UTC'),
});

/** Every field has a default, so `{}` is a valid policy for each service. */
export const BackupPolicy = z.strictObject({
  ...scheduled('cron(0 2 * * ? *)'),
  /** Tags copied onto every snapshot this policy takes. */
  snapshotTags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
});
export const PatchingPolicy = z.strictObject({
  ...scheduled('cron(0 3 ? * SUN *)'),
  /**
   * A scan reads the guest's newest restore point if it is at most this many hours old, else it takes a
   * scan-only snapshot (deleted after the scan). 0: always take a fresh snapshot.
   */
  maxRestorePointAgeHours: z.number().int().min(0).max(8760).default(24),
});
export type PatchingPolicy = z.infer<typeof PatchingPolicy>;
/** Archive retention classes: each is one lifecycle rule on the archive bucket (objects are tagged with it). */
export const RETENTION_DAYS = [7, 30, 90, 180, 365, 730, 2555] as const;
const Sha256Fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'a SHA-256 fingerprint as AA:BB:… (any case)');
export const MonitoringPolicy = z.strictObject({
  ...scheduled('rate(5 minutes)'),
  /** Days the archived events of this guest are kept (one of the archive's retention classes). */
  retentionDays: z
    .number()
    .int()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), `one of ${RETENTION_DAYS.join(', ')}`)
    .default(90),
  /**
   * TLS client certificates (SHA-256 fingerprints) that identify this guest on the syslog TLS listener.
   * Its registered addresses and hostnames identify it too.
   */
  certificateFingerprints: z.array(Sha256Fingerprint).max(16).default([]),
  /** Raise "guest silent" after this many minutes without events; 0 turns the check off. */
  silentAfterMinutes: z.number().int().min(0).max(10_080).default(30),
  /** Built-in or tenant rule ids not evaluated for this guest. */
  disabledRules: z.array(z.string().min(1).max(128)).max(500).default([]),
});
export type MonitoringPolicy = z.infer<typeof MonitoringPolicy>;
export const AntivirusPolicy = z.strictObject({
  ...scheduled('cron(0 4 ? * SAT *)'),
  ...AntivirusPolicyFields,
});
export type AntivirusPolicy = z.infer<typeof AntivirusPolicy>;

export const PolicySchemas = {
  backup: BackupPolicy,
  patching: PatchingPolicy,
  monitoring: MonitoringPolicy,
  antivirus: AntivirusPolicy,
} as const satisfies Record<Service, z.ZodType>;

export type BackupPolicy = z.infer<typeof BackupPolicy>;
export type Policy = z.infer<(typeof PolicySchemas)[Service]>;

/**
 * Any service's policy, as input. Records never use this union: they pair each policy with its service
 * (see `servicePolicyFields`), because a strict union would read a patching policy as a backup one.
 */
export const Policy = z.union([BackupPolicy, PatchingPolicy, MonitoringPolicy, AntivirusPolicy]);

/** `{ service, policy }` variants, one per service, for discriminated unions keyed on `service`. */
export function servicePolicyVariants<T extends z.core.$ZodLooseShape>(shape: T) {
  return [
    z.strictObject({ ...shape, service: z.literal('backup'), policy: BackupPolicy }),
    z.strictObject({ ...shape, service: z.literal('patching'), policy: PatchingPolicy }),
    z.strictObject({ ...shape, service: z.literal('monitoring'), policy: MonitoringPolicy }),
    z.strictObject({ ...shape, service: z.literal('antivirus'), policy: AntivirusPolicy }),
  ] as const;
}

export function parsePolicy(service: Service, body: unknown) {
  return PolicySchemas[service].safeParse(body);
}
