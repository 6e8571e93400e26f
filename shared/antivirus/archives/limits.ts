/**
 * How far archives are opened, with clamd's defaults, and the budget one top-level file spends across
 * every archive nested in it. A file that would expand past the budget, or expands far more than any
 * single layer of compression can, is given up rather than inflated to the end.
 */
import type { ArchiveSkip } from './types.ts';

const MiB = 1024 * 1024;

export interface ArchiveLimits {
  /**
   * clamd's MaxRecursion: files nested this many archives deep are not extracted. With the default 16,
   * the members of 15 nested archives are the deepest read, as clamd 1.4.6 does with MaxRecursion 16.
   */
  readonly maxRecursion: number;
  /** clamd's MaxFiles: members extracted from one top-level file, all levels together. Default 10,000. */
  readonly maxFiles: number;
  /** clamd's MaxScanSize: bytes extracted from one top-level file, all levels together. Default 400 MiB. */
  readonly maxScanSize: number;
  /** clamd's MaxFileSize: a member larger than this is not extracted. Default 100 MiB. */
  readonly maxFileSize: number;
  /**
   * Zip bomb: the files that come out of a top-level file (members that are not opened further, and the
   * sizes of those skipped as too large) may total at most this many times its size. Deflate cannot
   * exceed about 1032:1, so only nesting or overlapping members go past the default of 1100.
   */
  readonly maxRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxRecursion: 16,
  maxFiles: 10_000,
  maxScanSize: 400 * MiB,
  maxFileSize: 100 * MiB,
  maxRatio: 1100,
};

/** The ratio test starts once this much has come out, so tiny files are not called bombs. */
export const RATIO_FLOOR_BYTES = MiB;

/** Merges overrides into the defaults, refusing values that are not whole numbers ≥ 1. */
export function archiveLimits(overrides: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`archive limit ${key} must be a whole number ≥ 1, got ${String(value)}`);
    }
  }
  return limits;
}

/**
 * What one top-level file has spent so far, shared by every archive nested in it. `stopped` is set once
 * the whole file is given up (a limit reached or a bomb found): no archive of it extracts anything more.
 */
export class ScanBudget {
  readonly rootSize: number;
  /** Members met (extracted or skipped), at every level. */
  files = 0;
  /** Bytes extracted, at every level (archives inside archives count too, as in clamd). */
  bytes = 0;
  /** Bytes of the files that came out at the end, plus the sizes of members skipped as too large. */
  leafBytes = 0;
  stopped: ArchiveSkip | undefined;

  constructor(rootSize: number) {
    this.rootSize = rootSize;
  }

  /** How much the next member may inflate to: the smaller of MaxFileSize and what MaxScanSize leaves. */
  cap(limits: ArchiveLimits): number {
    return Math.max(0, Math.min(limits.maxFileSize, limits.maxScanSize - this.bytes));
  }

  /** Whether what came out so far is more than `maxRatio` times the top-level file. */
  overRatio(limits: ArchiveLimits): boolean {
    return (
      this.leafBytes >= RATIO_FLOOR_BYTES && this.leafBytes > limits.maxRatio * Math.max(1, this.rootSize)
    );
  }
}
