export { DispatchInputError, FileIndexFormatError, GlobSyntaxError } from './errors.ts';
export {
  compileExclusions,
  type ExclusionReason,
  type ExclusionRules,
  type Exclusions,
} from './exclusions.ts';
export {
  decodeFileIndex,
  encodeFileIndex,
  FILE_INDEX_CONTENT_TYPE,
  FILE_INDEX_FORMAT,
  FILE_INDEX_VERSION,
  type FileIndexEntry,
  type FileIndexReader,
  FileIndexWriter,
} from './file-index.ts';
export { compileGlob, GLOB_LIMITS, type Glob, globProblem } from './glob.ts';
export {
  buildFileIndex,
  type MergeOptions,
  mergeFileIndex,
  type VerdictSource,
  verdictsInWalkOrder,
} from './merge-index.ts';
export { comparePaths, guestPathProblem } from './paths.ts';
export { type PlanOptions, type PlanPolicy, planScan, type ScanPlan } from './plan.ts';
export { NO_VERDICT, summarizeScan, TASK_FAILED } from './summary.ts';
export {
  DEFAULT_MAX_TASK_BYTES,
  DEFAULT_MAX_TASK_ENCODED_BYTES,
  DEFAULT_MAX_TASK_FILES,
  decodeScanTask,
  encodeScanTask,
  SQS_MESSAGE_MAX_BYTES,
  type TaskEnvelope,
  type TaskLimits,
} from './tasks.ts';
export {
  type GuestWalkOptions,
  guestScanSource,
  type PrunableSource,
  type ScanSource,
  type ScanWalkEntry,
  type WalkableGuest,
  type WalkNode,
} from './walk.ts';
