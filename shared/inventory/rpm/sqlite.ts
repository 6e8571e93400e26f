/**
 * rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora 33+, RHEL 9+), table
 * `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`. The guest's files are never opened in place: the
 * database and its `-wal` (where a snapshot of a running guest often holds the latest transactions) are
 * copied to a private temporary directory, where SQLite applies the WAL when it opens the copy read-only
 * (the `-shm` index is rebuilt there, never taken from the guest). The directory is removed afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { GuestFiles } from '../types.ts';
import { errorMessage, type RpmdbBlob, RpmdbFormatError, type RpmdbRead } from './errors.ts';

/** The largest rpmdb.sqlite (and -wal) read; real ones are tens of MiB. */
export const SQLITE_MAX_BYTES = 1024 * 1024 * 1024;

async function exists(files: GuestFiles, path: string): Promise<boolean> {
  try {
    return (await files.stat(path)).type === 'file';
  } catch {
    return false;
  }
}

/** Reads every header blob of the rpmdb.sqlite at `path` in the guest (and its WAL, if there is one). */
export async function readSqlitePackages(
  files: GuestFiles,
  path: string,
  options: { maxBytes?: number; tmpDir?: string } = {},
): Promise<RpmdbRead> {
  const maxBytes = options.maxBytes ?? SQLITE_MAX_BYTES;
  const notes: string[] = [];
  const db = await files.readFile(path, { maxBytes });
  const wal = (await exists(files, `${path}-wal`))
    ? await files.readFile(`${path}-wal`, { maxBytes })
    : undefined;
  if (wal && wal.length > 0) notes.push(`${path}-wal: ${wal.length} bytes of write-ahead log applied`);

  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'outboard-rpmdb-'));
  try {
    const copy = join(dir, 'rpmdb.sqlite');
    await writeFile(copy, db, { mode: 0o600 });
    if (wal) await writeFile(`${copy}-wal`, wal, { mode: 0o600 });
    let conn: DatabaseSync;
    try {
      conn = new DatabaseSync(copy, { readOnly: true });
    } catch (err) {
      throw new RpmdbFormatError('sqlite', `cannot open: ${errorMessage(err)}`, 0);
    }
    try {
      const blobs: RpmdbBlob[] = [];
      let rows: Iterable<Record<string, unknown>>;
      try {
        rows = conn.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate() as Iterable<
          Record<string, unknown>
        >;
        for (const row of rows) {
          const { hnum, blob } = row;
          if (typeof hnum !== 'number' && typeof hnum !== 'bigint') {
            notes.push(`${path}: row with hnum ${String(hnum)} skipped`);
            continue;
          }
          if (!(blob instanceof Uint8Array)) {
            notes.push(`${path}: package ${hnum} has no blob; skipped`);
            continue;
          }
          blobs.push({ instance: Number(hnum), blob });
        }
      } catch (err) {
        throw new RpmdbFormatError('sqlite', `reading Packages: ${errorMessage(err)}`, 0);
      }
      return { blobs, notes };
    } finally {
      conn.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
