/**
 * Anti-virus contracts: the scan settings of the antivirus policy, the scan task sent to the scan
 * queue, the per-file verdicts and per-task results scanners report, and the plan and scan summaries.
 *
 * `AntivirusPolicyFields` are zod fields for `AntivirusPolicy` (service.ts) to spread in; every field
 * is defaulted, so `{}` stays a valid policy.
 */
import { z } from 'zod';
import { globProblem } from '../antivirus/dispatch/glob.ts';
import { guestPathProblem } from '../antivirus/dispatch/paths.ts';
import { ErrorInfo, GuestId, IsoDateTime, JobId, TenantId } from './common.ts';

const MiB = 1024 * 1024;
export const DEFAULT_MAX_FILE_BYTES = 100 * MiB;
/** Longest guest path a record may carry (paths built by a walk may exceed PATH_MAX). */
export const MAX_GUEST_PATH_LENGTH = 65_536;
/** Most files one task may list, whatever the planner's options say. */
export const MAX_TASK_FILES_LIMIT = 10_000;

const problemCheck =
  (check: (value: string) => string | undefined, what: string) => (value: string, ctx: z.RefinementCtx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${JSON.stringify(value)} ${problem}` });
  };

/** An absolute, normalized guest path: `/`, `/etc/passwd`. */
export const GuestFilePath = z
  .string()
  .min(1)
  .max(MAX_GUEST_PATH_LENGTH)
  .superRefine(problemCheck(guestPathProblem, 'guest path'));

/** An excluded directory or file, normalized (`/var/cache`, not `/var/cache/`); `/` itself is refused. */
const ExclusionPath = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((p, ctx) => {
    const problem =
      p === '/' ? 'would exclude everything (disable the service instead)' : guestPathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `exclusion path ${JSON.stringify(p)} ${problem}` });
  });

const ExclusionGlob = z.string().min(1).max(1024).superRefine(problemCheck(globProblem, 'exclusion glob'));

export const AntivirusExclusions = z.strictObject({
  /** Absolute guest paths; each excludes itself and everything below it (the walk does not enter them). */
  paths: z.array(ExclusionPath).max(1000).default([]),
  /** Globs matched against absolute guest paths, e.g. `**` + `/*.iso`; see shared/antivirus/dispatch/glob.ts. */
  globs: z.array(ExclusionGlob).max(1000).default([]),
  /**
   * Larger files (apparent size, so sparse files count in full) are not scanned and are reported as
   * not scanned (`too-large`): fail closed, never counted as clean.
   */
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .max(2 ** 40)
    .default(DEFAULT_MAX_FILE_BYTES),
});
export type AntivirusExclusions = z.infer<typeof AntivirusExclusions>;

export const AV_ENGINES = ['builtin', 'clamd'] as const;
export const AvEngineKind = z.enum(AV_ENGINES);
export type AvEngineKind = z.infer<typeof AvEngineKind>;

/** Fields for `AntivirusPolicy`; `z.strictObject({ ...scheduled(…), ...AntivirusPolicyFields })`. */
export const AntivirusPolicyFields = {
  exclusions: AntivirusExclusions.prefault({}),
  /** Skip files unchanged since the guest's last clean scan of them (inode, size, mtime, ctime). */
  incremental: z.boolean().default(true),
  onDetection: z
    .strictObject({
      /** Mark the scanned restore point infected: never offered for restore without an explicit override. */
      markRestorePoint: z.boolean().default(true),
      /** Isolate the instance (connectors that can). Detections themselves are never deleted. */
      isolateInstance: z.boolean().default(false),
    })
    .prefault({}),
  engine: AvEngineKind.default('builtin'),
  /** Scan each new restore point when its backup completes. */
  scanAfterBackup: z.boolean().default(true),
};

/** The scan settings alone (what dispatch reads); the policy adds its schedule. */
export const AntivirusScanSettings = z.strictObject(AntivirusPolicyFields);
export type AntivirusScanSettings = z.infer<typeof AntivirusScanSettings>;

// ---------------------------------------------------------------- skipped files

export const SKIP_REASONS = [
  'excluded-path',
  'excluded-glob',
  'unchanged',
  'not-regular',
  'too-large',
  'unreadable',
  'path-too-long',
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

/**
 * Reasons that leave a file the policy wanted scanned unscanned: they count as not scanned in the
 * summary (fail closed). The others are the policy working as asked.
 */
export const NOT_SCANNED_SKIP_REASONS = [
  'too-large',
  'unreadable',
  'path-too-long',
] as const satisfies readonly SkipReason[];

export const SkippedFile = z.strictObject({
  path: GuestFilePath,
  reason: SkipReason,
  size: z.number().int().nonnegative().optional(),
});
export type SkippedFile = z.infer<typeof SkippedFile>;

// ---------------------------------------------------------------- tasks

const Seconds = z.number().finite();

/** One file of a task, as the walk saw it; the scanner copies ino/mtime/ctime into its verdict. */
export const ScanTaskFile = z.strictObject({
  path: GuestFilePath,
  ino: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  /** Seconds since the epoch, with fractions where the filesystem keeps them. */
  mtime: Seconds,
  ctime: Seconds,
});
export type ScanTaskFile = z.infer<typeof ScanTaskFile>;

/** The opaque reference to the snapshot (connector, snapshot id, disks…) that dispatch fills. */
export const SnapshotRef = z.record(z.string(), z.unknown());

/** One message of the scan queue; encoded by `encodeScanTask`, which keeps it under the SQS size. */
export const ScanTask = z
  .strictObject({
    jobId: JobId,
    tenantId: TenantId,
    guestId: GuestId,
    snapshotRef: SnapshotRef,
    taskIndex: z.number().int().nonnegative(),
    taskCount: z.number().int().positive().optional(),
    files: z.array(ScanTaskFile).min(1).max(MAX_TASK_FILES_LIMIT),
  })
  .refine((t) => t.taskCount === undefined || t.taskIndex < t.taskCount, {
    message: 'taskIndex must be below taskCount',
    path: ['taskIndex'],
  });
export type ScanTask = z.infer<typeof ScanTask>;

// ---------------------------------------------------------------- verdicts and results

export const FILE_VERDICT_STATUSES = ['clean', 'infected', 'not-scanned'] as const;
export const FileVerdictStatus = z.enum(FILE_VERDICT_STATUSES);

/**
 * What the engine said about one file. `not-scanned` always carries a reason (too-large, unreadable,
 * engine-error, archive limits…): fail closed. `ino`, `mtime`, `ctime` are copied from the task so the
 * file index can vouch for the file next time; without them (or without `sha256`) it never will.
 */
export const FileVerdictRecord = z
  .strictObject({
    path: GuestFilePath,
    size: z.number().int().nonnegative(),
    status: FileVerdictStatus,
    signature: z.string().min(1).max(512).optional(),
    reason: z.string().min(1).max(1000).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256')
      .optional(),
    ino: z.number().int().nonnegative().optional(),
    mtime: Seconds.optional(),
    ctime: Seconds.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'infected' && !v.signature)
      ctx.addIssue({
        code: 'custom',
        message: 'an infected verdict names its signature',
        path: ['signature'],
      });
    if (v.status !== 'infected' && v.signature)
      ctx.addIssue({
        code: 'custom',
        message: `a ${v.status} verdict has no signature`,
        path: ['signature'],
      });
    if (v.status === 'not-scanned' && !v.reason)
      ctx.addIssue({ code: 'custom', message: 'a not-scanned verdict says why', path: ['reason'] });
  });
export type FileVerdictRecord = z.infer<typeof FileVerdictRecord>;

/**
 * One task's report. A failed task may carry the verdicts it reached before failing; its other planned
 * files count as not scanned (`task-failed`).
 */
export const ScanTaskResult = z
  .strictObject({
    jobId: JobId,
    taskIndex: z.number().int().nonnegative(),
    plannedFiles: z.number().int().positive(),
    plannedBytes: z.number().int().nonnegative(),
    status: z.enum(['completed', 'failed']),
    error: ErrorInfo.optional(),
    /** Engine and version, e.g. `builtin 1`, `ClamAV 1.4.3`. */
    engine: z.string().min(1).max(200).optional(),
    signatureVersion: z.string().min(1).max(200).optional(),
    verdicts: z.array(FileVerdictRecord),
    startedAt: IsoDateTime.optional(),
    finishedAt: IsoDateTime.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.status === 'failed' && !r.error)
      ctx.addIssue({ code: 'custom', message: 'a failed task says why', path: ['error'] });
    if (r.verdicts.length > r.plannedFiles)
      ctx.addIssue({
        code: 'custom',
        message: `${r.verdicts.length} verdicts for ${r.plannedFiles} planned files`,
        path: ['verdicts'],
      });
  });
export type ScanTaskResult = z.infer<typeof ScanTaskResult>;

// ---------------------------------------------------------------- summaries

export const ScanMode = z.enum(['full', 'incremental']);
export type ScanMode = z.infer<typeof ScanMode>;

const Count = z.number().int().nonnegative();

export const SkipStats = z.strictObject({
  /** Entries skipped for this reason (files and other non-directories, plus `directories`). */
  entries: Count,
  /** Of those, whole directories the walk did not enter (their contents are not counted). */
  directories: Count,
  /** Sum of the known sizes. */
  bytes: Count,
  /** The first few paths, in walk order. */
  sample: z.array(z.string()),
});
export type SkipStats = z.infer<typeof SkipStats>;

/** What planning did; `complete` is false while the walk is still going. */
export const ScanPlanSummary = z.strictObject({
  mode: ScanMode,
  complete: z.boolean(),
  /** Every entry the walk produced, directories included. */
  entries: Count,
  /** Regular files among them. */
  regularFiles: Count,
  tasks: Count,
  scheduledFiles: Count,
  scheduledBytes: Count,
  skipped: z.record(SkipReason, SkipStats),
  notes: z.array(z.string()),
});
export type ScanPlanSummary = z.infer<typeof ScanPlanSummary>;

/** Modelled on AWS Backup's malware-scan statuses (GuardDuty Malware Protection for AWS Backup). */
export const ScanStatus = z.enum(['COMPLETED', 'COMPLETED_WITH_ISSUES', 'FAILED']);
export type ScanStatus = z.infer<typeof ScanStatus>;
export const ScanResult = z.enum(['NO_THREATS_FOUND', 'THREATS_FOUND']);
export type ScanResult = z.infer<typeof ScanResult>;

export const ScanSummary = z.strictObject({
  mode: ScanMode,
  status: ScanStatus,
  result: ScanResult,
  /** Distinct engines and signature versions the tasks reported, joined by ", " (absent: no task ran). */
  engine: z.string().optional(),
  signatureVersion: z.string().optional(),
  /** Files the engine gave a verdict on (clean or infected), and their bytes. */
  files: Count,
  bytes: Count,
  /** Infected files. */
  detections: Count,
  /** Files the policy wanted scanned that were not, by reason (plan and engine reasons, `task-failed`). */
  notScanned: z.strictObject({ total: Count, byReason: z.record(z.string(), Count) }),
  /** Entries skipped as the policy asks (excluded, unchanged, not regular), by reason. */
  skipped: z.strictObject({ total: Count, byReason: z.record(z.string(), Count) }),
  tasks: z.strictObject({ total: Count, completed: Count, failed: Count }),
  /** Why the status is not COMPLETED, and anything else worth a statusMessage. */
  notes: z.array(z.string()),
});
export type ScanSummary = z.infer<typeof ScanSummary>;
