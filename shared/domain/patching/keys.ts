/**
 * Where patch scanning keeps its objects.
 *
 * Feeds are global: distributions publish the same repositories and advisories to everyone, so one
 * feed index serves every tenant and lives outside the tenant prefixes:
 *   feeds/index.json.gz    the feed index every scan reads (shared/feeds/index-store.ts); the name is
 *                          historical: it now holds the binary format (shared/feeds/index-binary.ts),
 *                          and an index saved in the old gzipped-JSON format still loads
 *   feeds/sources.json     what was imported into it: each location, when, and each feed's freshness
 *
 * Scan results are per tenant and guest:
 *   tenants/<tenant>/guests/<guest>/patch-scans/<job>/report.json         the ScanResult
 *   tenants/<tenant>/guests/<guest>/patch-scans/<job>/sbom.cdx.json       CycloneDX 1.6 inventory
 *   tenants/<tenant>/guests/<guest>/patch-scans/<job>/findings.vex.cdx.json  CycloneDX 1.6 VEX
 *   tenants/<tenant>/guests/<guest>/patch-scans/<job>/findings.sarif.json    SARIF 2.1.0
 *   tenants/<tenant>/guests/<guest>/patch-scans/latest.json               the newest completed scan
 */
import type { PatchScanReportKeys } from '../../contracts/patching.ts';

export const FEED_INDEX_KEY = 'feeds/index.json.gz';
export const FEED_SOURCES_KEY = 'feeds/sources.json';

export function patchScansPrefix(tenantId: string, guestId: string): string {
  return `tenants/${tenantId}/guests/${guestId}/patch-scans/`;
}

export function latestScanKey(tenantId: string, guestId: string): string {
  return `${patchScansPrefix(tenantId, guestId)}latest.json`;
}

export function reportKeys(tenantId: string, guestId: string, jobId: string): PatchScanReportKeys {
  const dir = `${patchScansPrefix(tenantId, guestId)}${jobId}/`;
  return {
    report: `${dir}report.json`,
    sbom: `${dir}sbom.cdx.json`,
    vex: `${dir}findings.vex.cdx.json`,
    sarif: `${dir}findings.sarif.json`,
  };
}
