/**
 * Opening an archive and the archives inside it, depth first, within the limits: every member comes out
 * as an entry (archives too, before their own members, so their bytes can be matched as well), and what
 * is not extracted comes out as a not-scanned item with its reason. Nothing is inflated past a limit.
 */
import { memberPath } from './bytes.ts';
import { detectArchive } from './detect.ts';
import { ArchiveFormatError } from './errors.ts';
import { readGzip } from './gzip.ts';
import type { ArchiveLimits } from './limits.ts';
import { DEFAULT_ARCHIVE_LIMITS, RATIO_FLOOR_BYTES, ScanBudget } from './limits.ts';
import type { MemberReader, ReadableMember } from './members.ts';
import { readTar } from './tar.ts';
import type { ArchiveFormat, ArchiveItem, ArchiveMeta, ArchiveSkip, ArchiveSkipReason } from './types.ts';
import { readZip } from './zip.ts';

const READERS: Record<ArchiveFormat, MemberReader> = { zip: readZip, gzip: readGzip, tar: readTar };

/**
 * The members of `data` (a zip, gzip or tar, told by its magic bytes) and of the archives nested in them.
 * `budget` is what the top-level file has spent; pass the same one when expanding several archives of
 * one file. The iteration ends after a not-scanned item for the whole file (a limit reached, a bomb).
 * Throws ArchiveFormatError when `data` is not an archive or its own structure is broken; a broken
 * archive nested inside is reported as an `unreadable` item instead, and the rest is still read.
 */
export async function* expandArchive(
  data: Uint8Array,
  meta: ArchiveMeta,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
  budget: ScanBudget = new ScanBudget(data.length),
): AsyncGenerator<ArchiveItem, void, undefined> {
  const format = detectArchive(data);
  if (format === undefined) {
    throw new ArchiveFormatError(
      'archive',
      meta.path,
      'not a zip, gzip or tar archive (no magic bytes match)',
    );
  }
  if (budget.stopped) return;
  yield* expandLevel({ data, format, path: meta.path, depth: meta.depth ?? 0, top: true }, limits, budget);
}

interface Level {
  data: Uint8Array;
  format: ArchiveFormat;
  path: string;
  /** How deep `data` itself is nested. */
  depth: number;
  /** The archive the caller asked for: its structural errors are thrown, not reported. */
  top: boolean;
}

async function* expandLevel(
  level: Level,
  limits: ArchiveLimits,
  budget: ScanBudget,
): AsyncGenerator<ArchiveItem, void, undefined> {
  if (level.depth + 1 >= limits.maxRecursion) {
    const detail = `archive nested ${level.depth} levels deep was not opened: its members would be ${level.depth + 1} deep, MaxRecursion is ${limits.maxRecursion}`;
    yield skip(level.path, 'archive-limit', detail);
    return;
  }
  try {
    for await (const member of READERS[level.format](level.data, level.path)) {
      if (budget.stopped) return;
      const path = member.name === undefined ? level.path : memberPath(level.path, member.name);
      if (member.name !== undefined) {
        if (budget.files >= limits.maxFiles) {
          const detail = `more than ${limits.maxFiles} files (MaxFiles): ${path} and the members after it were not extracted`;
          yield stop(budget, skip(level.path, 'archive-limit', detail));
          return;
        }
        budget.files++;
      }
      if (member.kind === 'skip') {
        const item = skip(path, member.reason, member.detail);
        yield member.reason === 'zip-bomb' ? stop(budget, item) : item;
        if (member.final || budget.stopped) return;
        continue;
      }
      const data = yield* extract(member, path, limits, budget);
      if (data === undefined) {
        if (budget.stopped) return;
        continue;
      }
      const inner = detectArchive(data);
      const opens = inner !== undefined && level.depth + 2 < limits.maxRecursion;
      if (!opens) budget.leafBytes += data.length;
      yield { kind: 'entry', path, data, depth: level.depth + 1, container: level.format };
      if (budget.overRatio(limits)) {
        yield stop(budget, skip(level.path, 'zip-bomb', ratioDetail(budget, limits)));
        return;
      }
      if (inner !== undefined) {
        yield* expandLevel({ data, format: inner, path, depth: level.depth + 1, top: false }, limits, budget);
        if (budget.stopped) return;
      }
    }
  } catch (err) {
    if (level.top || !(err instanceof ArchiveFormatError)) throw err;
    yield skip(level.path, 'unreadable', `${err.message}; its members were not all extracted`);
  }
}

/**
 * A member's bytes, or undefined when it was not extracted (the item saying why already yielded).
 * Sizes are checked before inflating where the archive declares them, and inflation stops at the cap.
 */
async function* extract(
  member: ReadableMember,
  path: string,
  limits: ArchiveLimits,
  budget: ScanBudget,
): AsyncGenerator<ArchiveItem, Uint8Array | undefined, undefined> {
  const cap = budget.cap(limits);
  const declared = member.declaredSize;
  if (declared !== undefined && declared > cap) {
    yield refuseSize(path, declared, member.storedSize, true, limits, budget);
    return undefined;
  }
  const read = await member.read(declared ?? cap);
  if (read.kind === 'corrupt') {
    yield skip(path, 'unreadable', read.detail);
    return undefined;
  }
  if (read.kind === 'overflow') {
    if (declared !== undefined) {
      const detail = `member declares ${declared} bytes but inflates past that (stopped after ${read.produced}): a member that lies about its size is a zip bomb`;
      yield stop(budget, skip(path, 'zip-bomb', detail));
      return undefined;
    }
    yield refuseSize(path, read.produced, read.consumed, false, limits, budget);
    return undefined;
  }
  budget.bytes += read.data.length;
  return read.data;
}

/**
 * A member too large for the cap: over MaxFileSize it is skipped as too large (or, expanding far more
 * than deflate can, is a bomb); otherwise the file's MaxScanSize is spent and the file is given up.
 */
function refuseSize(
  path: string,
  size: number,
  stored: number,
  exact: boolean,
  limits: ArchiveLimits,
  budget: ScanBudget,
): ArchiveSkip {
  const amount = exact ? `${size} bytes` : `more than ${size - 1} bytes`;
  if (size > limits.maxFileSize) {
    budget.leafBytes += size;
    const ratio = size / Math.max(1, stored);
    if (size >= RATIO_FLOOR_BYTES && ratio > limits.maxRatio) {
      const detail = `member expands to ${amount} from ${stored} (${Math.round(ratio)}:1, more than deflate can reach): a zip bomb`;
      return stop(budget, skip(path, 'zip-bomb', detail));
    }
    if (budget.overRatio(limits)) return stop(budget, skip(path, 'zip-bomb', ratioDetail(budget, limits)));
    return skip(
      path,
      'too-large',
      `member is ${amount}, over MaxFileSize ${limits.maxFileSize}; not extracted`,
    );
  }
  const detail = `member of ${amount} would take the bytes extracted past MaxScanSize ${limits.maxScanSize} (${budget.bytes} so far); it and the members after it were not extracted`;
  return stop(budget, skip(path, 'archive-limit', detail));
}

function ratioDetail(budget: ScanBudget, limits: ArchiveLimits): string {
  const ratio = Math.round(budget.leafBytes / Math.max(1, budget.rootSize));
  return (
    `${budget.rootSize} bytes expand to at least ${budget.leafBytes} (${ratio}:1, over the ${limits.maxRatio}:1 ` +
    'no single layer of compression reaches): a zip bomb; extraction stopped'
  );
}

function skip(path: string, reason: ArchiveSkipReason, detail: string): ArchiveSkip {
  return { kind: 'not-scanned', path, reason, detail };
}

/** Records `item` as the end of the whole file's extraction and returns it. */
function stop(budget: ScanBudget, item: ArchiveSkip): ArchiveSkip {
  budget.stopped = item;
  return item;
}
