/**
 * Archive expansion for the scanners: zip, gzip (single and multi-member), tar and tar.gz, opened to a
 * bounded depth, file count and size, with zip bombs reported as such.
 */
export { detectArchive } from './detect.ts';
export { ArchiveFormatError } from './errors.ts';
export { expandArchive } from './expand.ts';
export type { ArchiveLimits } from './limits.ts';
export { archiveLimits, DEFAULT_ARCHIVE_LIMITS, RATIO_FLOOR_BYTES, ScanBudget } from './limits.ts';
export type {
  ArchiveEntry,
  ArchiveFormat,
  ArchiveItem,
  ArchiveMeta,
  ArchiveSkip,
  ArchiveSkipReason,
} from './types.ts';
