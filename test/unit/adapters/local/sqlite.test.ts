import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isBusyError,
  MigrationError,
  migrate,
  openDatabase,
  transaction,
} from '../../../../shared/adapters/local/sqlite.ts';

describe('openDatabase', () => {
  let dir: string;
  let dbs: DatabaseSync[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outboard-sqlite-'));
    dbs = [];
  });
  afterEach(() => {
    for (const db of dbs) if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (path = join(dir, 'nested', 'folder', 'x.db')) => {
    const db = openDatabase(path);
    dbs.push(db);
    return db;
  };
  const pragma = (db: DatabaseSync, name: string) =>
    Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];

  it('creates the folder and configures WAL, synchronous=NORMAL, busy timeout and foreign keys', () => {
    const db = open();
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'synchronous')).toBe(1); // NORMAL
    expect(pragma(db, 'busy_timeout')).toBe(5000);
    expect(pragma(db, 'foreign_keys')).toBe(1);
  });

  it('gives a new database the page size asked for, and leaves an existing one as it is', () => {
    const path = join(dir, 'paged.db');
    const created = openDatabase(path, { pageSize: 16_384 });
    dbs.push(created);
    created.exec('CREATE TABLE t (x)');
    expect(pragma(created, 'page_size')).toBe(16_384);
    expect(pragma(created, 'journal_mode')).toBe('wal');
    created.close();
    const reopened = openDatabase(path, { pageSize: 4096 });
    dbs.push(reopened);
    expect(pragma(reopened, 'page_size')).toBe(16_384);
    const plain = open(join(dir, 'plain.db'));
    plain.exec('CREATE TABLE t (x)');
    expect(pragma(plain, 'page_size')).toBe(4096);
  });

  it('opens an in-memory database', () => {
    const db = open(':memory:');
    expect(pragma(db, 'foreign_keys')).toBe(1);
  });

  it('names the path when the database cannot be opened', () => {
    const db = open();
    db.close();
    // The parent "folder" is the database file itself.
    expect(() => open(join(dir, 'nested', 'folder', 'x.db', 'child.db'))).toThrow(
      /could not open SQLite database ".*x\.db\/child\.db"/,
    );
  });

  it('lets a second connection wait for the write lock instead of failing', () => {
    const a = open();
    const b = open();
    a.exec('CREATE TABLE t (x INTEGER)');
    transaction(a, () => a.exec('INSERT INTO t VALUES (1)'));
    transaction(b, () => b.exec('INSERT INTO t VALUES (2)'));
    expect(a.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });

  it('recognises SQLITE_BUSY', () => {
    const a = open();
    const b = open();
    a.exec('CREATE TABLE t (x INTEGER)');
    b.exec('PRAGMA busy_timeout = 0');
    a.exec('BEGIN IMMEDIATE');
    let caught: unknown;
    try {
      b.exec('BEGIN IMMEDIATE');
    } catch (error) {
      caught = error;
    }
    a.exec('ROLLBACK');
    expect(isBusyError(caught)).toBe(true);
    expect(isBusyError(new Error('other'))).toBe(false);
  });
});

describe('transaction', () => {
  let db: DatabaseSync;
  const count = () => Number(db.prepare('SELECT count(*) AS n FROM t').get()?.n);
  beforeEach(() => {
    db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
  });
  afterEach(() => db.close());

  it('commits and returns the callback result', () => {
    expect(transaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1);
    expect(count()).toBe(1);
    expect(db.isTransaction).toBe(false);
  });

  it('rolls back and rethrows when the callback throws', () => {
    const error = new Error('stop');
    expect(() =>
      transaction(db, () => {
        db.exec('INSERT INTO t VALUES (1)');
        throw error;
      }),
    ).toThrow(error);
    expect(count()).toBe(0);
    expect(db.isTransaction).toBe(false);
  });

  it('nests with savepoints: an inner failure caught by the outer callback undoes only the inner part', () => {
    transaction(db, () => {
      db.exec('INSERT INTO t VALUES (1)');
      expect(() =>
        transaction(db, () => {
          db.exec('INSERT INTO t VALUES (2)');
          transaction(db, () => db.exec('INSERT INTO t VALUES (3)'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
      transaction(db, () => db.exec('INSERT INTO t VALUES (4)'));
    });
    expect(db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 4 }]);
  });

  it('rolls back everything when an inner failure escapes the outer callback', () => {
    expect(() =>
      transaction(db, () => {
        db.exec('INSERT INTO t VALUES (1)');
        transaction(db, () => {
          db.exec('INSERT INTO t VALUES (2)');
          throw new Error('inner');
        });
      }),
    ).toThrow('inner');
    expect(count()).toBe(0);
    expect(db.isTransaction).toBe(false);
  });

  it('rejects an async callback and rolls it back', () => {
    expect(() =>
      transaction(db, async () => {
        db.exec('INSERT INTO t VALUES (1)');
      }),
    ).toThrow(/must be synchronous/);
    expect(count()).toBe(0);
  });
});

describe('migrate', () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  const v1 = 'CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);';
  const v2 = 'ALTER TABLE a ADD COLUMN z TEXT';

  it('applies each version once and records it', () => {
    expect(migrate(db, 'thing', [v1])).toEqual([1]);
    expect(migrate(db, 'thing', [v1])).toEqual([]);
    expect(migrate(db, 'thing', [v1, v2])).toEqual([2]);
    expect(migrate(db, 'other', ['CREATE TABLE c (x INTEGER)'])).toEqual([1]);
    expect(db.prepare('SELECT name, version FROM schema_migrations ORDER BY name, version').all()).toEqual([
      { name: 'other', version: 1 },
      { name: 'thing', version: 1 },
      { name: 'thing', version: 2 },
    ]);
    db.exec("INSERT INTO a (x, z) VALUES (1, 'ok')");
  });

  it('rolls a failing version back whole and names it', () => {
    migrate(db, 'thing', [v1]);
    expect(() =>
      migrate(db, 'thing', [v1, 'CREATE TABLE d (x INTEGER); CREATE TABLE a (x INTEGER);']),
    ).toThrow(MigrationError);
    expect(() => migrate(db, 'thing', [v1, 'CREATE TABLE a (x)'])).toThrow(/"thing" version 2 failed/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'd'").get()).toBeUndefined();
    expect(db.prepare("SELECT max(version) AS v FROM schema_migrations WHERE name = 'thing'").get()).toEqual({
      v: 1,
    });
  });

  it('refuses a database at a newer version than the code knows', () => {
    migrate(db, 'thing', [v1, v2]);
    expect(() => migrate(db, 'thing', [v1])).toThrow(/at version 2 but this code knows only 1/);
  });
});
