/**
 * Opening the local SQLite database (Node's built-in `node:sqlite`), a tiny migration runner and a
 * transaction helper. Every local adapter that keeps state in SQLite (registry, queue, …) goes through here.
 *
 * Durability: the database runs in WAL mode with `synchronous=NORMAL`. A committed transaction survives the
 * process dying at any point (exception, `kill -9`, out-of-memory kill): it is in the WAL file, which the OS
 * holds. An OS crash or power loss may lose the last transactions committed before it (WAL is synced at
 * checkpoints, not at every commit) but never corrupts the database. That is the right trade for a local
 * install; use `synchronous=FULL` (the `synchronous` option) where an OS crash must not lose a commit.
 *
 * Concurrency: each thread (worker_threads) and process opens its own connection with `openDatabase`;
 * a connection must not be shared between threads. Writers are serialised by SQLite; a writer waits up to
 * `busy_timeout` (5 s) for the lock before failing with SQLITE_BUSY. Readers never block in WAL mode.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** `NORMAL` (default): durable against process crashes; `FULL`: also against OS crashes, slower. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Page size of a database this call creates (SQLite's default is 4096); an existing one keeps its own. */
  pageSize?: number;
}

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Opens (creating it and its folder if needed) the database at `path` with WAL, `synchronous=NORMAL`,
 * `busy_timeout=5000` and foreign keys on. `':memory:'` gives a private in-memory database (no WAL).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  const inMemory = path === ':memory:' || path === '';
  let db: DatabaseSync;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true });
  } catch (error) {
    throw new DatabaseOpenError(`could not open SQLite database "${path}": ${errorMessage(error)}`, {
      cause: error,
    });
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec('PRAGMA foreign_keys = ON');
    // Only takes effect before the file's first write (switching to WAL is one), so it comes first.
    if (options.pageSize !== undefined) db.exec(`PRAGMA page_size = ${Number(options.pageSize)}`);
    if (!inMemory) {
      // Switching to WAL needs an exclusive lock for a moment; it is persistent, so only the first
      // connection to a new file really switches. Several threads opening a new file at once may see
      // SQLITE_BUSY here before the busy handler applies, hence the retry.
      const mode = retryBusy(() => db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode);
      if (mode !== 'wal') {
        throw new DatabaseOpenError(
          `SQLite database "${path}" could not be switched to WAL mode (journal_mode is "${String(mode)}"); not opened`,
        );
      }
    }
    db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`);
  } catch (error) {
    db.close();
    if (error instanceof DatabaseOpenError) throw error;
    throw new DatabaseOpenError(`could not configure SQLite database "${path}": ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return db;
}

const savepointDepth = new WeakMap<DatabaseSync, number>();

/**
 * Runs `fn` in a transaction: `BEGIN IMMEDIATE` (takes the write lock up front, so a read-then-write never
 * fails half way with SQLITE_BUSY), `COMMIT` when `fn` returns, `ROLLBACK` when it throws (the error is
 * rethrown). Nested calls use SAVEPOINTs: an inner failure rolls back only the inner part, unless the
 * error propagates out of the outer `fn` too.
 *
 * `fn` must be synchronous: node:sqlite is synchronous, and awaiting inside a transaction would let other
 * code run statements on the same connection in the middle of it. A `fn` that returns a promise is rolled
 * back and rejected with a TypeError.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return inSavepoint(db, fn);
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = fn();
    rejectPromise(result);
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  try {
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return result;
}

function inSavepoint<T>(db: DatabaseSync, fn: () => T): T {
  const depth = (savepointDepth.get(db) ?? 0) + 1;
  const name = `outboard_sp_${depth}`;
  savepointDepth.set(db, depth);
  try {
    db.exec(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = fn();
      rejectPromise(result);
    } catch (error) {
      if (db.isTransaction) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
      }
      throw error;
    }
    db.exec(`RELEASE ${name}`);
    return result;
  } finally {
    savepointDepth.set(db, depth - 1);
  }
}

function rejectPromise(value: unknown): void {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  ) {
    throw new TypeError(
      'transaction(): the callback returned a promise; it must be synchronous. The transaction was rolled back',
    );
  }
}

/**
 * Applies the migrations of one component (`name`, e.g. `'registry'`) that this database has not seen yet.
 * `statements[i]` is version `i + 1` and may hold several SQL statements. Each version runs in its own
 * transaction together with its row in `schema_migrations (name, version, applied_at)`, so a crash leaves
 * the schema at a whole version. Safe to call from several connections at once: the check is repeated
 * inside the write transaction. Never edit or reorder a released version; append a new one.
 *
 * Returns the versions applied by this call. Throws MigrationError if the database is at a newer version
 * than `statements` knows (code older than the database) or if a statement fails.
 */
export function migrate(db: DatabaseSync, name: string, statements: readonly string[]): number[] {
  if (name.length === 0) throw new MigrationError('migrate(): empty migration name; nothing was applied');
  retryBusy(() =>
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name TEXT NOT NULL,
         version INTEGER NOT NULL,
         applied_at TEXT NOT NULL,
         PRIMARY KEY (name, version)
       ) STRICT`,
    ),
  );
  const latest = db.prepare('SELECT max(version) AS v FROM schema_migrations WHERE name = ?');
  const insert = db.prepare('INSERT INTO schema_migrations (name, version, applied_at) VALUES (?, ?, ?)');
  const current = (): number => Number(latest.get(name)?.v ?? 0);

  const known = current();
  if (known > statements.length) {
    throw new MigrationError(
      `database schema "${name}" is at version ${known} but this code knows only ${statements.length} versions; ` +
        'refusing to use a database written by newer code',
    );
  }
  const applied: number[] = [];
  for (let version = known + 1; version <= statements.length; version++) {
    const sql = statements[version - 1] as string;
    transaction(db, () => {
      if (current() >= version) return; // another connection applied it meanwhile
      try {
        db.exec(sql);
      } catch (error) {
        throw new MigrationError(
          `migration "${name}" version ${version} failed and was rolled back: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      insert.run(name, version, new Date().toISOString());
      applied.push(version);
    });
  }
  return applied;
}

/** Is this a SQLITE_BUSY / SQLITE_LOCKED error from node:sqlite? */
export function isBusyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { errcode?: unknown; message?: unknown };
  if (typeof e.errcode === 'number') return (e.errcode & 0xff) === 5 || (e.errcode & 0xff) === 6;
  return typeof e.message === 'string' && /database is (locked|busy)/i.test(e.message);
}

/** Retries `fn` while SQLite answers BUSY, for up to BUSY_TIMEOUT_MS (used where the busy handler is not called). */
function retryBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      if (!isBusyError(error) || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
