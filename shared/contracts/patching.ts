/**
 * Patch scan shapes that cross a boundary: the summary a completed scan reports (event and job result),
 * the `latest.json` pointer in the object store, and what the portal API serves of a scan (findings,
 * inventory). The scan itself is `ScanResult` (shared/patching/types.ts), stored as report.json.
 */
import { z } from 'zod';
import { GuestId, IsoDateTime, JobId, SnapshotId, TenantId } from './common.ts';

export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'None', 'Unknown'] as const;
export const FindingSeverity = z.enum(SEVERITIES);

/** Object keys of one scan's reports, all under `tenants/<tenant>/guests/<guest>/patch-scans/<job>/`. */
export const PatchScanReportKeys = z.strictObject({
  /** The ScanResult as JSON. */
  report: z.string().min(1),
  /** CycloneDX 1.6 SBOM of the inventory. */
  sbom: z.string().min(1),
  /** CycloneDX 1.6 VEX of the findings. */
  vex: z.string().min(1),
  /** SARIF 2.1.0 of the findings. */
  sarif: z.string().min(1),
});
export type PatchScanReportKeys = z.infer<typeof PatchScanReportKeys>;

/** How fresh the feeds the scan consulted were. */
export const FeedFreshness = z.strictObject({
  /** Feeds in the index the scan read. */
  count: z.number().int().nonnegative(),
  /** The oldest and newest date those feeds carry (their own date, else the file's mtime). */
  oldest: z.string().optional(),
  newest: z.string().optional(),
  /** Feeds whose Valid-Until had passed at scan time. */
  expired: z.number().int().nonnegative(),
  /** When the feed index was built (`outboard feeds import` or the feed-sync function). */
  indexBuiltAt: z.string().optional(),
});
export type FeedFreshness = z.infer<typeof FeedFreshness>;

/** What a completed scan reports: in `Patch Scan Completed`, in the job result and in latest.json. */
export const PatchScanSummary = z.strictObject({
  /** False when no feed covers the guest's OS, release or package format: not a clean bill of health. */
  assessable: z.boolean(),
  /** Why not assessable, or what limits the assessment. */
  reasons: z.array(z.string()),
  counts: z.strictObject({
    packages: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    bySeverity: z.record(z.string(), z.number().int().nonnegative()),
  }),
  feeds: FeedFreshness,
  reports: PatchScanReportKeys,
});
export type PatchScanSummary = z.infer<typeof PatchScanSummary>;

/** `tenants/<tenant>/guests/<guest>/patch-scans/latest.json`: the newest completed scan of a guest. */
export const LatestPatchScan = z.strictObject({
  tenantId: TenantId,
  guestId: GuestId,
  jobId: JobId,
  snapshotId: SnapshotId,
  reusedRestorePoint: z.boolean(),
  finishedAt: IsoDateTime,
  ...PatchScanSummary.shape,
});
export type LatestPatchScan = z.infer<typeof LatestPatchScan>;

// ---------------------------------------------------------------- API shapes

const Evidence = z.strictObject({ file: z.string(), collector: z.string() });

export const OsIdentitySchema = z.object({
  id: z.string(),
  versionId: z.string().optional(),
  versionCodename: z.string().optional(),
  prettyName: z.string().optional(),
  idLike: z.array(z.string()),
  ecosystem: z.string().optional(),
  evidence: Evidence,
});

export const InstalledPackageSchema = z.object({
  format: z.enum(['dpkg', 'rpm', 'apk']),
  name: z.string(),
  version: z.string(),
  arch: z.string().optional(),
  source: z.object({ name: z.string(), version: z.string().optional() }),
  evidence: Evidence,
});

export const InstalledKernelSchema = z.object({
  release: z.string(),
  package: z.string().optional(),
  bootDefault: z.boolean(),
  evidence: Evidence,
});

export const FindingSchema = z.object({
  package: z.string(),
  sourcePackage: z.string(),
  arch: z.string().optional(),
  installedVersion: z.string(),
  fixedVersion: z.string().optional(),
  status: z.enum(['fix-available', 'affected-no-fix']),
  classification: z.enum(['security', 'bugfix', 'enhancement', 'unknown']),
  severity: FindingSeverity,
  advisories: z.array(
    z.object({
      id: z.string(),
      aliases: z.array(z.string()),
      fixedVersion: z.string().optional(),
      severity: z.object({ cvss: z.array(z.record(z.string(), z.unknown())), text: z.string().optional() }),
      feed: z.string(),
      ecosystem: z.string(),
    }),
  ),
  update: z
    .object({ version: z.string(), suite: z.string(), classification: z.string(), feed: z.string() })
    .optional(),
  evidence: Evidence,
});

/** The scan a GET of findings or inventory was served from. */
const ScanRef = z.strictObject({
  jobId: JobId,
  finishedAt: IsoDateTime,
  assessable: z.boolean(),
  reasons: z.array(z.string()),
});

export const FindingsPage = z.strictObject({
  scan: ScanRef,
  counts: PatchScanSummary.shape.counts,
  items: z.array(FindingSchema),
  nextCursor: z.string().optional(),
});

export const InventoryPage = z.strictObject({
  scan: ScanRef,
  os: OsIdentitySchema.optional(),
  kernels: z.array(InstalledKernelSchema),
  notes: z.array(z.string()),
  /** Installed packages, in the order the collectors listed them. */
  items: z.array(InstalledPackageSchema),
  nextCursor: z.string().optional(),
});
