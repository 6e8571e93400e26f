/**
 * The per-guest file index: for each file of the guest's last scans, what it was (inode, size, mtime,
 * ctime), what it held (SHA-256) and what the engine said (clean or infected) and when. Incremental
 * planning merge-joins it with the walk, so it is kept sorted in walk order (`comparePaths`) and read
 * as a stream: a 100,000-file index never has to sit in memory.
 *
 * Stored as gzipped lines of JSON (one or more gzip members):
 *
 *   {"format":"outboard-av-file-index","version":1}
 *   [shared, "suffix", ino, size, mtime, ctime, "sha256", "c" | "i", "scannedAt"]   one per file
 *   {"end":true,"entries":N}
 *
 * Paths are front-coded — `shared` leading UTF-16 code units of the previous path, then `suffix` —
 * since sorted paths share long prefixes. The trailer makes truncation visible: an index without it,
 * out of order, or with a malformed line is refused with a `FileIndexFormatError` naming the line.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { FileIndexFormatError } from './errors.ts';
import { comparePaths } from './paths.ts';

export const FILE_INDEX_FORMAT = 'outboard-av-file-index';
export const FILE_INDEX_VERSION = 1;
export const FILE_INDEX_CONTENT_TYPE = 'application/x-ndjson+gzip';
/** Longest decompressed line accepted (a path of 64 Ki UTF-16 units, escaped, fits). */
const MAX_LINE_CHARS = 1024 * 1024;

export interface FileIndexEntry {
  path: string;
  ino: number;
  size: number;
  mtime: number;
  ctime: number;
  /** Lower-case hex SHA-256 of the content the engine scanned. */
  sha256: string;
  verdict: 'clean' | 'infected';
  /** When this content was scanned (ISO 8601); carried over unchanged by incremental scans. */
  scannedAt: string;
}

/** Entries in walk order, from a decoded index or anything else. */
export type FileIndexReader = AsyncIterable<FileIndexEntry> | Iterable<FileIndexEntry>;

const SHA256 = /^[0-9a-f]{64}$/;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isTime = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Why an entry cannot be stored, or undefined. */
function entryProblem(e: FileIndexEntry): string | undefined {
  if (typeof e.path !== 'string' || !e.path.startsWith('/')) return 'path is not absolute';
  if (!isCount(e.ino)) return `ino ${e.ino} is not a non-negative integer`;
  if (!isCount(e.size)) return `size ${e.size} is not a non-negative integer`;
  if (!isTime(e.mtime) || !isTime(e.ctime)) return 'mtime and ctime must be finite numbers';
  if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256)) return 'sha256 is not 64 lower-case hex digits';
  if (e.verdict !== 'clean' && e.verdict !== 'infected')
    return `verdict ${String(e.verdict)} is not clean or infected`;
  if (typeof e.scannedAt !== 'string' || e.scannedAt.length === 0 || e.scannedAt.length > 64)
    return 'scannedAt is not a timestamp';
  return undefined;
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never split a surrogate pair: the suffix must stand alone as valid JSON text.
  if (i > 0 && i < b.length && (b.charCodeAt(i - 1) & 0xfc00) === 0xd800) i--;
  return i;
}

/**
 * Writes an index entry by entry, synchronously, keeping only compressed bytes: lines are batched and
 * each batch is gzipped as its own member (a gzip file may hold several; readers join them).
 */
export class FileIndexWriter {
  private readonly members: Uint8Array[] = [];
  private batch: string;
  private previous = '';
  private count = 0;
  private finished = false;

  constructor() {
    this.batch = `${JSON.stringify({ format: FILE_INDEX_FORMAT, version: FILE_INDEX_VERSION })}\n`;
  }

  /** Entries written so far. */
  get entries(): number {
    return this.count;
  }

  /** Adds the next entry; entries must come in walk order, each path once. */
  add(e: FileIndexEntry): void {
    if (this.finished) throw new FileIndexFormatError('entry added after the index was finished');
    const problem = entryProblem(e);
    if (problem)
      throw new FileIndexFormatError(`entry ${this.count + 1} (${JSON.stringify(e.path)}): ${problem}`);
    if (this.count > 0 && comparePaths(this.previous, e.path) >= 0) {
      throw new FileIndexFormatError(
        `entry ${this.count + 1}: ${JSON.stringify(e.path)} does not follow ${JSON.stringify(this.previous)} in walk order`,
      );
    }
    const shared = sharedPrefix(this.previous, e.path);
    this.batch += `${JSON.stringify([
      shared,
      e.path.slice(shared),
      e.ino,
      e.size,
      e.mtime,
      e.ctime,
      e.sha256,
      e.verdict === 'clean' ? 'c' : 'i',
      e.scannedAt,
    ])}\n`;
    this.previous = e.path;
    this.count++;
    if (this.batch.length >= BATCH_CHARS) this.compress();
  }

  /** The whole gzipped index; the writer takes no more entries. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.batch += `${JSON.stringify({ end: true, entries: this.count })}\n`;
      this.compress();
      this.finished = true;
    }
    return Buffer.concat(this.members);
  }

  private compress(): void {
    this.members.push(gzipSync(this.batch, { level: 6 }));
    this.batch = '';
  }
}

/** Lines batched per gzip member. */
const BATCH_CHARS = 256 * 1024;

/** The gzipped index of `entries` (in walk order, each path once). */
export async function encodeFileIndex(entries: FileIndexReader): Promise<Uint8Array> {
  const writer = new FileIndexWriter();
  for await (const e of entries) writer.add(e);
  return writer.finish();
}

function parseEntry(line: string, lineNo: number, previous: string): FileIndexEntry {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    throw new FileIndexFormatError('is not JSON', lineNo);
  }
  if (!Array.isArray(row) || row.length !== 9)
    throw new FileIndexFormatError('is not an entry of 9 fields', lineNo);
  const [shared, suffix, ino, size, mtime, ctime, sha256, verdict, scannedAt] = row;
  if (!isCount(shared) || shared > previous.length || typeof suffix !== 'string') {
    throw new FileIndexFormatError('has a bad path prefix or suffix', lineNo);
  }
  const entry = {
    path: previous.slice(0, shared) + suffix,
    ino,
    size,
    mtime,
    ctime,
    sha256,
    verdict: verdict === 'c' ? 'clean' : verdict === 'i' ? 'infected' : verdict,
    scannedAt,
  } as FileIndexEntry;
  const problem = entryProblem(entry);
  if (problem) throw new FileIndexFormatError(problem, lineNo);
  if (previous !== '' && comparePaths(previous, entry.path) >= 0) {
    throw new FileIndexFormatError(`${JSON.stringify(entry.path)} is out of walk order`, lineNo);
  }
  return entry;
}

/** Reads a stored index as a stream of entries, checking it as it goes (see the format above). */
export async function* decodeFileIndex(
  input: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<FileIndexEntry> {
  const gunzip = createGunzip();
  gunzip.setEncoding('utf8');
  const feeding = pipeline(Readable.from(input instanceof Uint8Array ? [input] : input), gunzip);
  feeding.catch(() => {});
  let lineNo = 0;
  let pending = '';
  let previous = '';
  let count = 0;
  let ended = false;
  const take = (line: string): FileIndexEntry | undefined => {
    lineNo++;
    if (ended) throw new FileIndexFormatError('follows the end marker', lineNo);
    if (lineNo === 1) {
      let header: { format?: unknown; version?: unknown } | undefined;
      try {
        header = JSON.parse(line);
      } catch {}
      if (header?.format !== FILE_INDEX_FORMAT)
        throw new FileIndexFormatError(`is not an ${FILE_INDEX_FORMAT} header`, 1);
      if (header.version !== FILE_INDEX_VERSION)
        throw new FileIndexFormatError(`version ${String(header.version)} is not ${FILE_INDEX_VERSION}`, 1);
      return undefined;
    }
    if (line.startsWith('{')) {
      let trailer: { end?: unknown; entries?: unknown } | undefined;
      try {
        trailer = JSON.parse(line);
      } catch {}
      if (trailer?.end !== true)
        throw new FileIndexFormatError('is neither an entry nor the end marker', lineNo);
      if (trailer.entries !== count)
        throw new FileIndexFormatError(
          `the end marker counts ${String(trailer.entries)} entries, not ${count}`,
          lineNo,
        );
      ended = true;
      return undefined;
    }
    const entry = parseEntry(line, lineNo, previous);
    previous = entry.path;
    count++;
    return entry;
  };
  try {
    for await (const chunk of gunzip) {
      pending += chunk as string;
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        const entry = take(pending.slice(start, nl));
        start = nl + 1;
        if (entry) yield entry;
      }
      pending = pending.slice(start);
      if (pending.length > MAX_LINE_CHARS)
        throw new FileIndexFormatError(`is longer than ${MAX_LINE_CHARS} characters`, lineNo + 1);
    }
    await feeding;
  } catch (error) {
    if (error instanceof FileIndexFormatError) throw error;
    throw new FileIndexFormatError(`cannot be decompressed: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  } finally {
    gunzip.destroy();
  }
  if (pending !== '') throw new FileIndexFormatError('the last line has no newline (truncated)', lineNo + 1);
  if (lineNo === 0) throw new FileIndexFormatError('is empty');
  if (!ended)
    throw new FileIndexFormatError(`ends without its end marker after ${count} entries (truncated)`);
}
