/**
 * The rpm collector checked by rpm itself: for the same database, collectRpm (through an in-memory guest)
 * lists exactly what `rpm --dbpath DIR -qa` lists (gpg-pubkey left out). The databases are built fresh by
 * scripts/fixtures/rpm.sh (rpmbuild, rpm -i --justdb, libdb via perl DB_File) and the committed fixtures are
 * re-checked too. Backends: sqlite (rpm 4.18's default), sqlite with a package only in the WAL, Berkeley DB
 * (listed by rpm's bdb_ro) at page sizes 4096 and 512. ndb: this rpm cannot write or read it (available
 * backends: sqlite bdb_ro), so the ndb check writes the sqlite blobs into a Packages.db with the tests' own
 * writer and compares with rpm's listing of the sqlite database those blobs came from.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRpm } from '../../shared/inventory/rpm/index.ts';
import { requireTools, run } from '../support/system-tools.ts';
import {
  asOracle,
  FIXTURES,
  fixture,
  guestOf,
  sqliteBlobs,
  treeOf,
  writeNdb,
} from '../unit/inventory/rpm/helpers.ts';

const QF = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';
const FILES: Record<string, string[]> = {
  sqlite: ['rpmdb.sqlite'],
  wal: ['rpmdb.sqlite', 'rpmdb.sqlite-wal'],
  bdb: ['Packages'],
  bdb512: ['Packages'],
};
const BACKEND: Record<string, string> = { sqlite: 'sqlite', wal: 'sqlite', bdb: 'bdb_ro', bdb512: 'bdb_ro' };

let work: string;

/** What rpm lists for the database files (it reads a copy: it may checkpoint the WAL or add files). */
function rpmList(files: Record<string, Uint8Array>, backend: string): string[] {
  const dir = mkdtempSync(join(work, 'rpmdb-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const r = run('rpm', ['--dbpath', dir, '--define', `_db_backend ${backend}`, '-qa', '--qf', QF]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('gpg-pubkey\t'))
    .sort();
}

async function collectFrom(dbdir: string, files: Record<string, Uint8Array>) {
  const tree = Object.fromEntries(Object.entries(files).map(([n, b]) => [`${dbdir}/${n}`, b]));
  return collectRpm(guestOf(treeOf(tree)));
}

function check(rootOf: () => string) {
  for (const [name, files] of Object.entries(FILES)) {
    it(`${name}: collectRpm equals rpm -qa`, async () => {
      const bytes = Object.fromEntries(files.map((f) => [f, fixture(`${name}/${f}`, rootOf())]));
      const expected = rpmList(bytes, BACKEND[name]!);
      expect(expected.length).toBeGreaterThanOrEqual(5);
      if (name === 'wal') expect(expected).toContain('delta\t1:5-2\tnoarch');
      const { packages, notes } = await collectFrom('/var/lib/rpm', bytes);
      expect(asOracle(packages)).toEqual(expected);
      expect(notes.filter((n) => !n.includes('write-ahead log applied'))).toEqual([]);
    });
  }
  it('ndb (own writer, same blobs): collectRpm equals rpm -qa of the source sqlite database', async () => {
    const db = fixture('sqlite/rpmdb.sqlite', rootOf());
    const expected = rpmList({ 'rpmdb.sqlite': db }, 'sqlite');
    const { packages } = await collectFrom('/usr/lib/sysimage/rpm', {
      'Packages.db': writeNdb(sqliteBlobs(db)),
    });
    expect(asOracle(packages)).toEqual(expected);
  });
}

describe('rpm inventory checked by rpm', () => {
  beforeAll(() => {
    requireTools('rpm', 'rpmbuild', 'gpg', 'perl', 'gzip');
    const backends = run('rpm', ['--showrc']).stdout;
    expect(backends).toMatch(/available backends\s*:.*\bsqlite\b.*\bbdb_ro\b/);
    work = mkdtempSync(join(tmpdir(), 'ob-sys-rpm-'));
    const fresh = join(work, 'fresh');
    mkdirSync(fresh);
    const r = run('bash', [join(import.meta.dirname, '../../scripts/fixtures/rpm.sh'), fresh]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(fresh).sort()).toEqual(['bdb', 'bdb512', 'sqlite', 'wal']);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('freshly built databases', () => {
    check(() => join(work, 'fresh'));
  });
  describe('committed fixtures', () => {
    check(() => FIXTURES);
  });
});
