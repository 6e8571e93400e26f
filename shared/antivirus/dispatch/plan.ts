/**
 * Scan planning: a walk of the snapshot in, scan tasks out, one at a time — only the task being filled
 * is held, so a 100,000-file guest never sits in memory — with a running account of every entry not
 * scheduled and why.
 *
 * Each non-directory entry is decided in this order:
 *   1. excluded by path prefix (`excluded-path`) or glob (`excluded-glob`); with a prunable source a
 *      directory whose whole subtree is excluded is not entered and counts once, as a directory;
 *   2. not a regular file — symlink, device, fifo, socket (`not-regular`);
 *   3. over `maxFileBytes` (`too-large`), or an entry the walk could not read (`unreadable`), or a path
 *      so long that no task can carry it (`path-too-long`): these three are *not scanned* (fail closed);
 *   4. incremental scans only: unchanged since its last clean scan (`unchanged`, see below);
 *   5. otherwise scheduled into the current task (tasks.ts bounds them).
 *
 * Unchanged means: the previous index holds a `clean` record for the same path, with a content hash,
 * and the same inode number, size, mtime *and ctime*. The content hash is not recomputed while planning
 * by default: hashing means reading every byte from the snapshot, which is the cost of the scan itself,
 * and would make incremental scans pointless. What catches a rewrite that put the old mtime back
 * (`touch -d`, `utimes`) is ctime — the kernel sets it on every content or metadata change and no
 * system call can set it back — which costs nothing to compare. The recorded hash is what makes a record
 * trustworthy at all (a file is recorded only once the engine read all of it) and it is re-checked where
 * cheap: `rehash` re-hashes unchanged-looking files up to `rehash.maxBytes` (small files are one block
 * fetch) and scans them on any difference. What neither catches is raw writes to the block device that
 * also forge ctime; run full scans now and then (`incremental: false`), which also let new signatures see
 * old files.
 *
 * The previous index is merge-joined with the walk, both in `comparePaths` order. A walk out of that
 * order, or an index that breaks while read, only loses matches: files are scanned, never skipped
 * wrongly, and the summary says so in `notes`.
 */
import {
  type ScanMode,
  type ScanPlanSummary,
  type ScanTask,
  SKIP_REASONS,
  type SkippedFile,
  type SkipReason,
  type SkipStats,
} from '../../contracts/antivirus.ts';
import { Cursor } from './cursor.ts';
import { compileExclusions, type ExclusionRules } from './exclusions.ts';
import type { FileIndexEntry, FileIndexReader } from './file-index.ts';
import { comparePaths } from './paths.ts';
import {
  DEFAULT_MAX_TASK_BYTES,
  DEFAULT_MAX_TASK_ENCODED_BYTES,
  DEFAULT_MAX_TASK_FILES,
  TaskCutter,
  type TaskEnvelope,
} from './tasks.ts';
import { isPrunable, type ScanSource, type ScanWalkEntry, type WalkNode } from './walk.ts';

export interface PlanPolicy {
  exclusions: ExclusionRules & { maxFileBytes: number };
  incremental: boolean;
}

export interface PlanOptions {
  /** The antivirus policy (or just its scan settings). */
  policy: PlanPolicy;
  /** The fields every task carries. */
  task: TaskEnvelope;
  /** The guest's file index from its previous scans; incremental scans need it (else the scan is full). */
  previousIndex?: FileIndexReader;
  /** Bytes of file content per task (default 256 MiB); a larger single file is a task of its own. */
  maxTaskBytes?: number;
  /** Files per task (default 2,000). */
  maxTaskFiles?: number;
  /** Encoded task size (default 248 KiB: SQS's 256 KiB less room for attributes). */
  maxTaskEncodedBytes?: number;
  /** Paths kept per skip reason in the summary (default 20). */
  sampleSize?: number;
  /** Each file skipped as unchanged, with the record that vouches for it, in walk order: the next index carries these over. */
  onUnchanged?: (record: FileIndexEntry) => void;
  /** Every skipped entry (all reasons), in walk order. */
  onSkipped?: (skipped: SkippedFile) => void;
  /** Re-hash unchanged-looking files up to `maxBytes` and scan them if the content differs. */
  rehash?: { maxBytes: number; sha256(path: string): Promise<string> };
}

export interface ScanPlan {
  /** The tasks, in walk order; returns the final summary when done. */
  tasks: AsyncGenerator<ScanTask, ScanPlanSummary>;
  /** The summary so far (`complete` once the walk has ended). */
  summary(): ScanPlanSummary;
}

const SHA256 = /^[0-9a-f]{64}$/;
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function emptyStats(): Record<SkipReason, SkipStats> {
  const out = {} as Record<SkipReason, SkipStats>;
  for (const r of SKIP_REASONS) out[r] = { entries: 0, directories: 0, bytes: 0, sample: [] };
  return out;
}

function isUnchanged(previous: FileIndexEntry, node: WalkNode): boolean {
  return (
    previous.verdict === 'clean' &&
    SHA256.test(previous.sha256) &&
    previous.ino === node.ino &&
    previous.size === node.size &&
    previous.mtime === node.mtime &&
    previous.ctime === node.ctime
  );
}

export function planScan(source: ScanSource, options: PlanOptions): ScanPlan {
  const { policy } = options;
  const exclusions = compileExclusions(policy.exclusions);
  const maxFileBytes = policy.exclusions.maxFileBytes;
  const sampleSize = options.sampleSize ?? 20;
  const cutter = new TaskCutter(options.task, {
    maxTaskBytes: options.maxTaskBytes ?? DEFAULT_MAX_TASK_BYTES,
    maxTaskFiles: options.maxTaskFiles ?? DEFAULT_MAX_TASK_FILES,
    maxTaskEncodedBytes: options.maxTaskEncodedBytes ?? DEFAULT_MAX_TASK_ENCODED_BYTES,
  });
  const mode: ScanMode = policy.incremental && options.previousIndex !== undefined ? 'incremental' : 'full';

  const state = {
    complete: false,
    entries: 0,
    regularFiles: 0,
    scheduledFiles: 0,
    scheduledBytes: 0,
    skipped: emptyStats(),
    outOfOrder: 0,
    rehashMismatches: 0,
    rehashFailures: 0,
    indexProblem: undefined as string | undefined,
  };

  const skip = (path: string, reason: SkipReason, size: number | undefined, directory = false) => {
    const s = state.skipped[reason];
    s.entries++;
    if (directory) s.directories++;
    if (size !== undefined) s.bytes += size;
    if (s.sample.length < sampleSize) s.sample.push(path);
    options.onSkipped?.(size === undefined ? { path, reason } : { path, reason, size });
  };

  const summary = (): ScanPlanSummary => {
    const skipped = {} as Record<SkipReason, SkipStats>;
    for (const r of SKIP_REASONS) skipped[r] = { ...state.skipped[r], sample: [...state.skipped[r].sample] };
    const notes: string[] = [];
    if (state.indexProblem) notes.push(state.indexProblem);
    if (state.outOfOrder > 0)
      notes.push(
        `${state.outOfOrder} files came out of walk order; the previous index could not vouch for them, so they were scheduled`,
      );
    if (state.rehashMismatches > 0)
      notes.push(
        `${state.rehashMismatches} files looked unchanged but their content hash differs; they were scheduled`,
      );
    if (state.rehashFailures > 0)
      notes.push(`${state.rehashFailures} files could not be re-hashed while planning; they were scheduled`);
    return {
      mode,
      complete: state.complete,
      entries: state.entries,
      regularFiles: state.regularFiles,
      tasks: cutter.tasksClosed,
      scheduledFiles: state.scheduledFiles,
      scheduledBytes: state.scheduledBytes,
      skipped,
      notes,
    };
  };

  const prune = (dir: string): boolean => {
    const reason = exclusions.prune(dir);
    if (reason) skip(dir, reason, undefined, true);
    return reason !== undefined;
  };

  const index = mode === 'incremental' ? new Cursor(options.previousIndex!) : undefined;
  let indexUsable = index !== undefined;

  /** The previous record for `path`, if the index (read forward only) has one. */
  const previousRecord = async (path: string): Promise<FileIndexEntry | undefined> => {
    if (!index || !indexUsable) return undefined;
    try {
      let record = await index.peek();
      while (record !== undefined && comparePaths(record.path, path) < 0) {
        await index.advance();
        record = await index.peek();
      }
      return record?.path === path ? record : undefined;
    } catch (error) {
      indexUsable = false;
      state.indexProblem = `the previous file index failed while read (${messageOf(error)}); files after ${JSON.stringify(path)} were scheduled without it`;
      return undefined;
    }
  };

  const contentStillMatches = async (record: FileIndexEntry, path: string): Promise<boolean> => {
    const rehash = options.rehash;
    if (!rehash || record.size > rehash.maxBytes) return true;
    try {
      if ((await rehash.sha256(path)) === record.sha256) return true;
      state.rehashMismatches++;
    } catch {
      state.rehashFailures++;
    }
    return false;
  };

  async function* run(): AsyncGenerator<ScanTask, ScanPlanSummary> {
    const entries: AsyncIterable<ScanWalkEntry> | Iterable<ScanWalkEntry> = isPrunable(source)
      ? source.walk(prune)
      : source;
    let lastFile: string | undefined;
    try {
      for await (const entry of entries) {
        state.entries++;
        const { path } = entry;
        if (entry.node === undefined) {
          // The walk could not read it: a directory (whose contents go unscanned) or an inode.
          const excluded = exclusions.excluded(path);
          if (excluded) skip(path, excluded, undefined, entry.type === 'dir');
          else if (entry.type !== undefined && entry.type !== 'file' && entry.type !== 'dir')
            skip(path, 'not-regular', undefined);
          else skip(path, 'unreadable', undefined, entry.type === 'dir');
          continue;
        }
        const node = entry.node;
        if (node.type === 'dir') continue;
        const excluded = exclusions.excluded(path);
        if (excluded) {
          skip(path, excluded, node.type === 'file' ? node.size : undefined);
          continue;
        }
        if (node.type !== 'file') {
          skip(path, 'not-regular', undefined);
          continue;
        }
        state.regularFiles++;
        if (
          !isCount(node.ino) ||
          !isCount(node.size) ||
          !Number.isFinite(node.mtime) ||
          !Number.isFinite(node.ctime)
        ) {
          skip(path, 'unreadable', isCount(node.size) ? node.size : undefined);
          continue;
        }
        if (node.size > maxFileBytes) {
          skip(path, 'too-large', node.size);
          continue;
        }
        if (lastFile !== undefined && comparePaths(lastFile, path) >= 0) state.outOfOrder++;
        else {
          const record = await previousRecord(path);
          if (record && isUnchanged(record, node) && (await contentStillMatches(record, path))) {
            skip(path, 'unchanged', node.size);
            options.onUnchanged?.(record);
            lastFile = path;
            continue;
          }
        }
        lastFile = path;
        const file = { path, ino: node.ino, size: node.size, mtime: node.mtime, ctime: node.ctime };
        const recordBytes = cutter.recordBytes(file);
        if (!cutter.fits(recordBytes)) {
          skip(path, 'path-too-long', node.size);
          continue;
        }
        const closed = cutter.add(file, recordBytes);
        state.scheduledFiles++;
        state.scheduledBytes += node.size;
        if (closed) yield closed;
      }
      const last = cutter.flush();
      if (last) yield last;
      state.complete = true;
      return summary();
    } finally {
      await index?.close();
    }
  }

  return { tasks: run(), summary };
}
