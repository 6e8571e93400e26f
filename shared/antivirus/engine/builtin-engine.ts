/**
 * The built-in engine: ClamAV `.hdb`/`.hsb`/`.ndb`/`.ign2` databases matched in-process, one pass per
 * file. Files stream through without being held whole, unless an `expandArchive` hook is set (archives
 * need their bytes; the file is then held up to `maxFileSize`). Fail closed: a file that is too large,
 * cannot be read, or breaks an archive limit is `not-scanned`, never clean.
 */
import { createHash } from 'node:crypto';
import { type LoadOptions, loadDatabase, type SignatureDatabase } from '../signatures/database.ts';
import { CompiledDatabase } from './scan.ts';
import type {
  Detection,
  EngineDescription,
  ExpandArchive,
  FileVerdict,
  NotScannedReason,
  ScanEngine,
  ScanMeta,
} from './types.ts';

export const BUILTIN_ENGINE_VERSION = '1.0.0';

/** Thrown by an `expandArchive` hook to stop a file being scanned; it becomes `not-scanned`. */
export class ArchiveLimitError extends Error {
  override name = 'ArchiveLimitError';
  readonly reason: Extract<NotScannedReason, 'archive-limit' | 'zip-bomb' | 'encrypted'>;
  constructor(reason: ArchiveLimitError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface BuiltinEngineOptions {
  /** Largest file scanned, in bytes (ClamAV's MaxFileSize default: 100 MiB). */
  maxFileSize?: number;
  /** Opens archives; unset means archives are scanned as plain bytes only. */
  expandArchive?: ExpandArchive;
  /** Reported as the signature version; default a digest of the loaded signature sources. */
  signatureVersion?: string;
}

export class BuiltinEngine implements ScanEngine {
  readonly name = 'builtin';
  readonly database: SignatureDatabase;
  private readonly compiled: CompiledDatabase;
  private readonly maxFileSize: number;
  private readonly expandArchive: ExpandArchive | undefined;
  private readonly signatureVersion: string;

  constructor(database: SignatureDatabase, options: BuiltinEngineOptions = {}) {
    this.database = database;
    this.compiled = new CompiledDatabase(database);
    this.maxFileSize = options.maxFileSize ?? 100 * 1024 * 1024;
    this.expandArchive = options.expandArchive;
    this.signatureVersion = options.signatureVersion ?? databaseDigest(database);
  }

  /** Loads database paths (directories like `clamscan -d`, or files) and builds the engine. */
  static async load(paths: readonly string[], options: BuiltinEngineOptions & LoadOptions = {}) {
    return new BuiltinEngine(await loadDatabase(paths, options), options);
  }

  async describe(): Promise<EngineDescription> {
    return {
      engine: 'outboard-builtin',
      engineVersion: BUILTIN_ENGINE_VERSION,
      signatures: this.database.hashes.length + this.database.bodies.length,
      signatureVersion: this.signatureVersion,
    };
  }

  /** Scans bytes in memory (no archive expansion); the first detection is the one clamscan reports. */
  scanBuffer(bytes: Uint8Array): Detection[] {
    return this.compiled.scanBuffer(bytes);
  }

  /** A streaming scan: `update(chunk)` as bytes arrive, then `finish()` for the detections. */
  createScan(size?: number) {
    return this.compiled.createScan(size === undefined ? {} : { size });
  }

  async scanStream(input: AsyncIterable<Uint8Array>, meta: ScanMeta): Promise<FileVerdict> {
    return this.scanAt(input, meta, 0);
  }

  private async scanAt(
    input: AsyncIterable<Uint8Array>,
    meta: ScanMeta,
    depth: number,
  ): Promise<FileVerdict> {
    if (meta.size > this.maxFileSize) return tooLarge(meta.size, this.maxFileSize);
    const scan = this.compiled.createScan({ size: meta.size });
    const keep: Uint8Array[] | undefined = this.expandArchive ? [] : undefined;
    let read = 0;
    try {
      for await (const chunk of input) {
        read += chunk.length;
        if (read > this.maxFileSize) return tooLarge(read, this.maxFileSize);
        scan.update(chunk);
        keep?.push(chunk);
      }
    } catch (error) {
      return {
        status: 'not-scanned',
        reason: 'unreadable',
        detail: `${meta.path}: ${(error as Error).message}`,
      };
    }
    const detections = scan.finish();
    if (read !== meta.size && detections.length === 0)
      // The hashers were chosen for the stated size, and a file that changes while read is not trusted:
      // what matched is reported, but no clean verdict is given.
      return {
        status: 'not-scanned',
        reason: 'unreadable',
        detail: `${meta.path}: read ${read} bytes, expected ${meta.size} (changed while being read?)`,
      };
    if (this.expandArchive && keep && detections.length === 0) {
      const bytes = Buffer.concat(keep);
      try {
        const members = this.expandArchive(bytes, meta, depth);
        if (members) {
          for await (const member of members) {
            const verdict = await this.scanAt(
              one(member.data),
              { path: member.path, size: member.data.length },
              depth + 1,
            );
            if (verdict.status === 'infected') {
              return {
                status: 'infected',
                signature: verdict.signature,
                detections: verdict.detections ?? [],
              };
            }
            if (verdict.status === 'not-scanned') return verdict;
          }
        }
      } catch (error) {
        if (error instanceof ArchiveLimitError)
          return { status: 'not-scanned', reason: error.reason, detail: `${meta.path}: ${error.message}` };
        return {
          status: 'not-scanned',
          reason: 'engine-error',
          detail: `${meta.path}: ${(error as Error).message}`,
        };
      }
    }
    const first = detections[0];
    if (!first) return { status: 'clean' };
    return { status: 'infected', signature: first.signature, detections };
  }

  async close(): Promise<void> {}
}

async function* one(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

function tooLarge(size: number, limit: number): FileVerdict {
  return {
    status: 'not-scanned',
    reason: 'too-large',
    detail: `${size} bytes exceeds the ${limit}-byte limit; not scanned`,
  };
}

function databaseDigest(db: SignatureDatabase): string {
  const h = createHash('sha256');
  for (const s of db.hashes) h.update(`${s.name}:${s.type}:${s.hash}:${s.size ?? '*'}\n`);
  for (const s of db.bodies) h.update(`${s.name}:${s.target}:${JSON.stringify(s.offset)}:${s.hex}\n`);
  for (const s of db.ignores) h.update(`ign:${s.name}:${s.lineMd5 ?? ''}\n`);
  return `sha256:${h.digest('hex').slice(0, 16)}`;
}
