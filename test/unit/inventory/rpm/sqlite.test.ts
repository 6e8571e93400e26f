import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { RpmdbFormatError } from '../../../../shared/inventory/rpm/errors.ts';
import { headerString, parseRpmHeader, RpmTag } from '../../../../shared/inventory/rpm/header.ts';
import { readSqlitePackages } from '../../../../shared/inventory/rpm/sqlite.ts';
import { fixture, guestOf, treeOf } from './helpers.ts';

const names = (blobs: { blob: Uint8Array }[]) =>
  blobs.map((b) => headerString(parseRpmHeader(b.blob), RpmTag.NAME)).sort();

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('readSqlitePackages', () => {
  it('reads every blob of a cleanly closed rpmdb.sqlite', async () => {
    const guest = guestOf(treeOf({ '/var/lib/rpm/rpmdb.sqlite': fixture('sqlite/rpmdb.sqlite') }));
    const { blobs, notes } = await readSqlitePackages(guest, '/var/lib/rpm/rpmdb.sqlite');
    expect(notes).toEqual([]);
    expect(names(blobs)).toEqual(['alpha', 'beta', 'beta-libs', 'big', 'gamma', 'gpg-pubkey']);
  });

  it('applies the WAL: a package present only in the WAL is reported', async () => {
    const db = fixture('wal/rpmdb.sqlite');
    const wal = fixture('wal/rpmdb.sqlite-wal');
    const without = await readSqlitePackages(
      guestOf(treeOf({ '/var/lib/rpm/rpmdb.sqlite': db })),
      '/var/lib/rpm/rpmdb.sqlite',
    );
    expect(names(without.blobs)).not.toContain('delta');
    const withWal = await readSqlitePackages(
      guestOf(treeOf({ '/var/lib/rpm/rpmdb.sqlite': db, '/var/lib/rpm/rpmdb.sqlite-wal': wal })),
      '/var/lib/rpm/rpmdb.sqlite',
    );
    expect(names(withWal.blobs)).toEqual([
      'alpha',
      'beta',
      'beta-libs',
      'big',
      'delta',
      'gamma',
      'gpg-pubkey',
    ]);
    expect(withWal.notes).toEqual([
      `/var/lib/rpm/rpmdb.sqlite-wal: ${wal.length} bytes of write-ahead log applied`,
    ]);
  });

  it('works on private copies and removes them, even when the database is damaged', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ob-rpm-scratch-'));
    const good = guestOf(treeOf({ '/r/rpmdb.sqlite': fixture('sqlite/rpmdb.sqlite') }));
    await readSqlitePackages(good, '/r/rpmdb.sqlite', { tmpDir: scratch });
    expect(readdirSync(scratch)).toEqual([]);

    const junk = new Uint8Array(8192).fill(0x5a);
    const bad = guestOf(treeOf({ '/r/rpmdb.sqlite': junk }));
    await expect(readSqlitePackages(bad, '/r/rpmdb.sqlite', { tmpDir: scratch })).rejects.toBeInstanceOf(
      RpmdbFormatError,
    );
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('reports a database without a Packages table, or with a blob of the wrong type', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ob-rpm-scratch-'));
    const make = (sql: string) => {
      const file = join(scratch!, `db-${Math.random()}.sqlite`);
      const conn = new DatabaseSync(file);
      conn.exec(sql);
      conn.close();
      return new Uint8Array(readFileSync(file));
    };
    const other = make('CREATE TABLE Other (x)');
    await expect(
      readSqlitePackages(guestOf(treeOf({ '/r/rpmdb.sqlite': other })), '/r/rpmdb.sqlite'),
    ).rejects.toThrow(/sqlite: reading Packages: .*no such table/);
    const odd = make(
      "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB); INSERT INTO Packages VALUES (1, 'text'), (2, x'00')",
    );
    const { blobs, notes } = await readSqlitePackages(
      guestOf(treeOf({ '/r/rpmdb.sqlite': odd })),
      '/r/rpmdb.sqlite',
    );
    expect(blobs).toEqual([{ instance: 2, blob: new Uint8Array([0]) }]);
    expect(notes).toEqual(['/r/rpmdb.sqlite: package 1 has no blob; skipped']);
  });
});
