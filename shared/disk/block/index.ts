export { LruCache } from '../lru.ts';
export { ConcatSource } from './concat-source.ts';
export { EbsSnapshotSource, type EbsSourceOptions, openEbsSnapshot } from './ebs-source.ts';
export { FileSource, type FileSourceOptions, openFileSource } from './file-source.ts';
export { MemorySource, ZeroSource } from './memory-source.ts';
export { isTransient, type RetryPolicy } from './retry.ts';
export { type SliceOptions, SliceSource } from './slice-source.ts';
