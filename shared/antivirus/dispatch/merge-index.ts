/**
 * The next file index of a guest, from the verdicts of this scan and the records planning carried
 * over for the files it skipped as unchanged (`planScan`'s `onUnchanged`, in walk order).
 *
 * A file is recorded only when the engine scanned it and its verdict can vouch for it next time: a
 * clean or infected verdict with `sha256`, `ino`, `mtime` and `ctime`. Not-scanned files, and files of
 * failed tasks, are left out — so the next incremental scan scans them — and so are files the walk no
 * longer saw (deleted, or now excluded): they were neither carried over nor scanned. Only `clean`
 * records let a later scan skip a file; `infected` ones are history.
 */
import type { FileVerdictRecord, ScanTaskResult } from '../../contracts/antivirus.ts';
import { Cursor } from './cursor.ts';
import { DispatchInputError } from './errors.ts';
import type { FileIndexEntry, FileIndexReader } from './file-index.ts';
import { comparePaths } from './paths.ts';

export type VerdictSource = AsyncIterable<FileVerdictRecord> | Iterable<FileVerdictRecord>;

/**
 * Every verdict of the scan in walk order: tasks by index (planning cut them in walk order), and each
 * task's verdicts sorted by path (a scanner may finish files out of order).
 */
export function* verdictsInWalkOrder(
  results: readonly Pick<ScanTaskResult, 'taskIndex' | 'verdicts'>[],
): Generator<FileVerdictRecord> {
  const ordered = [...results].sort((a, b) => a.taskIndex - b.taskIndex);
  for (const r of ordered) yield* [...r.verdicts].sort((a, b) => comparePaths(a.path, b.path));
}

/** The entry a group of verdicts for one path vouches for, if any. */
function entryFor(group: FileVerdictRecord[], scannedAt: string): FileIndexEntry | undefined {
  // The worst verdict wins: infected over not-scanned over clean.
  const infected = group.find((v) => v.status === 'infected');
  if (!infected && group.some((v) => v.status === 'not-scanned')) return undefined;
  const v = infected ?? group[group.length - 1]!;
  if (v.sha256 === undefined || v.ino === undefined || v.mtime === undefined || v.ctime === undefined) {
    return undefined;
  }
  return {
    path: v.path,
    ino: v.ino,
    size: v.size,
    mtime: v.mtime,
    ctime: v.ctime,
    sha256: v.sha256,
    verdict: infected ? 'infected' : 'clean',
    scannedAt,
  };
}

export interface MergeOptions {
  /** When this scan ran (ISO 8601), recorded on the entries it scanned. */
  scannedAt: string;
}

/** Merges carried-over records and this scan's verdicts (both in walk order) into the next index. */
export async function* mergeFileIndex(
  carriedOver: FileIndexReader,
  verdicts: VerdictSource,
  options: MergeOptions,
): AsyncGenerator<FileIndexEntry> {
  const carried = new Cursor(carriedOver);
  const scanned = new Cursor(verdicts);
  let lastCarried: string | undefined;
  let lastVerdict: string | undefined;
  try {
    for (;;) {
      const c = await carried.peek();
      const v = await scanned.peek();
      if (c === undefined && v === undefined) return;
      if (c !== undefined && lastCarried !== undefined && comparePaths(lastCarried, c.path) >= 0) {
        throw new DispatchInputError(
          `file index merge: carried-over record ${JSON.stringify(c.path)} does not follow ${JSON.stringify(lastCarried)} in walk order`,
        );
      }
      const order = c === undefined ? 1 : v === undefined ? -1 : comparePaths(c.path, v.path);
      if (order < 0) {
        lastCarried = c!.path;
        await carried.advance();
        yield c!;
        continue;
      }
      // The verdicts for this path (several only when a file was reported twice).
      const path = v!.path;
      if (lastVerdict !== undefined && comparePaths(lastVerdict, path) >= 0) {
        throw new DispatchInputError(
          `file index merge: verdict for ${JSON.stringify(path)} does not follow ${JSON.stringify(lastVerdict)} in walk order (pass verdictsInWalkOrder(results))`,
        );
      }
      const group: FileVerdictRecord[] = [];
      for (let next = v; next !== undefined && next.path === path; next = await scanned.peek()) {
        group.push(next);
        await scanned.advance();
      }
      lastVerdict = path;
      if (order === 0) {
        lastCarried = c!.path;
        await carried.advance();
      }
      const entry = entryFor(group, options.scannedAt);
      if (entry) yield entry;
    }
  } finally {
    await Promise.all([carried.close(), scanned.close()]);
  }
}

/** A first index, from the verdicts of a full scan. */
export function buildFileIndex(
  verdicts: VerdictSource,
  options: MergeOptions,
): AsyncGenerator<FileIndexEntry> {
  return mergeFileIndex([], verdicts, options);
}
