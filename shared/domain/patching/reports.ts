/**
 * The four documents a patch scan writes: the ScanResult itself, a CycloneDX 1.6 SBOM of the inventory,
 * a CycloneDX 1.6 VEX and a SARIF 2.1.0 of the findings. Serial numbers are derived from the job, so a
 * repeated delivery writes the same documents (apart from what the scan itself read differently).
 */
import { createHash } from 'node:crypto';
import { toCycloneDx } from '../../inventory/format.ts';
import { toCycloneDxVex, toSarif } from '../../patching/format.ts';
import type { ScanResult } from '../../patching/types.ts';

/** A name-based (version 5 layout) UUID from a string. */
export function uuidFrom(name: string): string {
  const b = createHash('sha1').update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function scanReports(
  result: ScanResult,
  options: { jobId: string; timestamp: string },
): { report: string; sbom: string; vex: string; sarif: string } {
  const { jobId, timestamp } = options;
  return {
    report: JSON.stringify(result),
    sbom: JSON.stringify(
      toCycloneDx(result.inventory, { serialNumber: uuidFrom(`${jobId}/sbom`), timestamp }),
      null,
      2,
    ),
    vex: JSON.stringify(
      toCycloneDxVex(result, { serialNumber: uuidFrom(`${jobId}/vex`), timestamp }),
      null,
      2,
    ),
    sarif: JSON.stringify(toSarif(result), null, 2),
  };
}
