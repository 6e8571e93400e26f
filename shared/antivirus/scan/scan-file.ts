/**
 * One file through an engine: its verdict, as the scanner records it, and its SHA-256 and MD5 from the
 * same pass over its bytes.
 *
 * With the built-in engine, a file that is an archive (zip, gzip, tar — told by its magic bytes) is
 * scanned as bytes and then opened with `expandArchive`, every member (and every archive nested in one)
 * scanned too, all on one `ScanBudget` per top-level file. clamd opens archives itself, so with it the
 * file is streamed as it is.
 *
 * Verdicts fail closed:
 * - a detection anywhere — the file's own bytes or any member — makes the file infected, named by the
 *   engine (`Eicar-Test-Signature.UNOFFICIAL`) and reported under the top-level file's path, whatever
 *   else happened; members are still scanned after one that could not be, so a detection further on
 *   is not lost;
 * - otherwise anything not scanned — the file itself (too large, unreadable, engine error) or a member
 *   or the rest of an archive (zip-bomb, archive-limit, encrypted, too-large, unreadable) — makes the
 *   file `not-scanned` with the first such reason; an archive too large to open, or too broken to, is
 *   `not-scanned` as well: its members were not seen;
 * - a file that read to another length than its size is `not-scanned` (`unreadable`), never clean.
 * Only a file whose every byte went through carries hashes.
 */

import type { FileVerdictRecord } from '../../contracts/antivirus.ts';
import { detectArchive } from '../archives/detect.ts';
import { ArchiveFormatError } from '../archives/errors.ts';
import { expandArchive } from '../archives/expand.ts';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS, ScanBudget } from '../archives/limits.ts';
import type { FileVerdict, ScanEngine } from '../engine/types.ts';
import { HashingReader } from './hashing-reader.ts';

export interface ScanFileMeta {
  /** The path reported (the guest path); never opened by the engine. */
  path: string;
  /** The size the caller knows; a file that reads to another length is not counted clean. */
  size: number;
  /** Copied into the record so the file index can vouch for the file next time. */
  ino?: number;
  mtime?: number;
  ctime?: number;
}

export interface ScannedFile {
  record: FileVerdictRecord;
  /** Lower-case hex, when every byte was read (also in `record.sha256`). */
  sha256?: string;
  md5?: string;
  /** What happened, in words: why it was not scanned, or which member of an archive matched. */
  detail?: string;
  /** For a detection inside an archive: the member's path (`/srv/a.zip/eicar.com`). */
  member?: string;
}

/** Whether `scanFile` opens archives for this engine (the built-in one) or leaves them to it (clamd). */
export function expandsArchives(engine: Pick<ScanEngine, 'name'>): boolean {
  return engine.name === 'builtin';
}

type Outcome =
  | { status: 'clean' }
  | { status: 'infected'; signature: string; member?: string }
  | { status: 'not-scanned'; reason: string; detail: string };

export async function scanFile(
  engine: ScanEngine,
  input: AsyncIterable<Uint8Array>,
  meta: ScanFileMeta,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ScannedFile> {
  const archives = expandsArchives(engine);
  const reader = new HashingReader(
    input,
    archives ? { upTo: limits.maxFileSize, when: (prefix) => mayBeArchive(prefix) } : undefined,
  );
  let outcome: Outcome;
  try {
    let verdict: FileVerdict;
    try {
      verdict = await engine.scanStream(reader.chunks(), { path: meta.path, size: meta.size });
    } catch (error) {
      verdict = {
        status: 'not-scanned',
        reason: 'engine-error',
        detail: `${meta.path}: ${messageOf(error)}`,
      };
    }
    outcome = fromVerdict(verdict);
    if (outcome.status !== 'not-scanned') {
      try {
        await reader.drain();
      } catch (error) {
        if (outcome.status === 'clean')
          outcome = notScanned('unreadable', `${meta.path}: ${messageOf(error)}; not counted as clean`);
      }
      if (outcome.status === 'clean' && reader.bytes !== meta.size) {
        outcome = notScanned(
          'unreadable',
          `${meta.path}: read ${reader.bytes} bytes where its size is ${meta.size}; not counted as clean`,
        );
      }
    }
    if (outcome.status === 'clean' && archives) outcome = await scanMembers(engine, reader, meta, limits);
  } finally {
    await reader.close();
  }
  return result(meta, outcome, reader.bytes === meta.size ? reader.digests() : undefined);
}

/** A zip or gzip magic, or a tar header (files under 512 bytes are no tar): worth keeping the bytes for. */
function mayBeArchive(prefix: Uint8Array): boolean {
  return detectArchive(prefix) !== undefined;
}

async function scanMembers(
  engine: ScanEngine,
  reader: HashingReader,
  meta: ScanFileMeta,
  limits: ArchiveLimits,
): Promise<Outcome> {
  const format = detectArchive(reader.prefix());
  if (format === undefined) return { status: 'clean' };
  const bytes = reader.keptBytes();
  if (!bytes) {
    return notScanned(
      'archive-limit',
      `${meta.path}: a ${format} archive of ${meta.size} bytes, over MaxFileSize ${limits.maxFileSize}; its members were not extracted`,
    );
  }
  let firstSkip: { reason: string; detail: string } | undefined;
  try {
    for await (const item of expandArchive(
      bytes,
      { path: meta.path },
      limits,
      new ScanBudget(bytes.length),
    )) {
      if (item.kind === 'not-scanned') {
        firstSkip ??= { reason: item.reason, detail: item.detail };
        continue;
      }
      let verdict: FileVerdict;
      try {
        verdict = await engine.scanStream(one(item.data), { path: item.path, size: item.data.length });
      } catch (error) {
        verdict = {
          status: 'not-scanned',
          reason: 'engine-error',
          detail: `${item.path}: ${messageOf(error)}`,
        };
      }
      if (verdict.status === 'infected')
        return { status: 'infected', signature: verdict.signature, member: item.path };
      if (verdict.status === 'not-scanned') firstSkip ??= { reason: verdict.reason, detail: verdict.detail };
    }
  } catch (error) {
    const why =
      error instanceof ArchiveFormatError ? error.message : `archive expansion failed: ${messageOf(error)}`;
    return notScanned('unreadable', `${meta.path}: ${why}; its members were not all scanned`);
  }
  return firstSkip ? notScanned(firstSkip.reason, firstSkip.detail) : { status: 'clean' };
}

function fromVerdict(verdict: FileVerdict): Outcome {
  if (verdict.status === 'infected') return { status: 'infected', signature: verdict.signature };
  if (verdict.status === 'not-scanned') return notScanned(verdict.reason, verdict.detail);
  return { status: 'clean' };
}

function notScanned(reason: string, detail: string): Outcome {
  return { status: 'not-scanned', reason, detail };
}

function result(
  meta: ScanFileMeta,
  outcome: Outcome,
  digests: { sha256: string; md5: string } | undefined,
): ScannedFile {
  const record: FileVerdictRecord = { path: meta.path, size: meta.size, status: outcome.status };
  if (outcome.status === 'infected') record.signature = outcome.signature;
  if (outcome.status === 'not-scanned') record.reason = outcome.reason;
  if (digests) record.sha256 = digests.sha256;
  if (meta.ino !== undefined) record.ino = meta.ino;
  if (meta.mtime !== undefined) record.mtime = meta.mtime;
  if (meta.ctime !== undefined) record.ctime = meta.ctime;
  const out: ScannedFile = { record };
  if (digests) {
    out.sha256 = digests.sha256;
    out.md5 = digests.md5;
  }
  if (outcome.status === 'not-scanned') out.detail = outcome.detail;
  if (outcome.status === 'infected' && outcome.member !== undefined) {
    out.member = outcome.member;
    out.detail = `${outcome.signature} in archive member ${outcome.member}`;
  }
  return out;
}

async function* one(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
