import { describe, expect, it } from 'vitest';
import { collectRpm, packageFromHeader, parseSourceRpm } from '../../../../shared/inventory/rpm/index.ts';
import {
  asOracle,
  buildHeader,
  expectedList,
  fixture,
  guestOf,
  packageHeader,
  sqliteBlobs,
  treeOf,
  writeNdb,
} from './helpers.ts';

const sqlite = () => fixture('sqlite/rpmdb.sqlite');
const ndbOf = (blobs: { instance: number; blob: Uint8Array }[]) => writeNdb(blobs);

describe('collectRpm', () => {
  it('lists what rpm lists for each backend (oracle: rpm -qa recorded by scripts/fixtures/rpm.sh)', async () => {
    const cases: [string, Record<string, Uint8Array>, string, string][] = [
      ['sqlite', { '/var/lib/rpm/rpmdb.sqlite': sqlite() }, 'rpmdb-sqlite', '/var/lib/rpm/rpmdb.sqlite'],
      [
        'wal',
        {
          '/var/lib/rpm/rpmdb.sqlite': fixture('wal/rpmdb.sqlite'),
          '/var/lib/rpm/rpmdb.sqlite-wal': fixture('wal/rpmdb.sqlite-wal'),
        },
        'rpmdb-sqlite',
        '/var/lib/rpm/rpmdb.sqlite',
      ],
      ['bdb', { '/var/lib/rpm/Packages': fixture('bdb/Packages') }, 'rpmdb-bdb', '/var/lib/rpm/Packages'],
      [
        'bdb512',
        { '/var/lib/rpm/Packages': fixture('bdb512/Packages') },
        'rpmdb-bdb',
        '/var/lib/rpm/Packages',
      ],
    ];
    for (const [dir, files, collector, file] of cases) {
      const { packages } = await collectRpm(guestOf(treeOf(files)));
      expect(asOracle(packages), dir).toEqual(expectedList(dir));
      for (const p of packages) expect(p.evidence).toEqual({ file, collector });
    }
    // ndb: the same blobs in a Packages.db (no rpm here can write ndb; the list is rpm's for those blobs).
    const { packages } = await collectRpm(
      guestOf(treeOf({ '/usr/lib/sysimage/rpm/Packages.db': ndbOf(sqliteBlobs(sqlite())) })),
    );
    expect(asOracle(packages)).toEqual(expectedList('sqlite'));
    expect(packages[0]!.evidence).toEqual({
      file: '/usr/lib/sysimage/rpm/Packages.db',
      collector: 'rpmdb-ndb',
    });
  });

  it('writes versions, arches and sources as documented, without gpg-pubkey', async () => {
    const { packages, notes } = await collectRpm(guestOf(treeOf({ '/var/lib/rpm/rpmdb.sqlite': sqlite() })));
    expect(notes).toEqual([]);
    const by = Object.fromEntries(packages.map((p) => [p.name, p]));
    expect(Object.keys(by)).toEqual(['alpha', 'beta', 'beta-libs', 'big', 'gamma']);
    expect(by.alpha).toMatchObject({
      format: 'rpm',
      version: '1.0-1',
      arch: 'noarch',
      source: { name: 'alpha', version: '1.0-1' },
    });
    expect(by.beta).toMatchObject({ version: '2:3.4.5-7.el9', arch: 'x86_64' });
    expect(by['beta-libs']!.source).toEqual({ name: 'beta', version: '2:3.4.5-7.el9' });
    // An explicit Epoch: 0 is written like no epoch (rpm compares them equal).
    expect(by.gamma).toMatchObject({
      version: '1.2~rc1-0.1',
      source: { name: 'gamma', version: '1.2~rc1-0.1' },
    });
    expect(by.big).toMatchObject({ arch: 'aarch64', version: '20240101-3.fc40' });
  });

  it('reads a database reached through both directories once (symlinked /var/lib/rpm)', async () => {
    const guest = guestOf(
      treeOf({
        '/usr/lib/sysimage/rpm/rpmdb.sqlite': sqlite(),
        '/var/lib/rpm': { symlink: '../../usr/lib/sysimage/rpm' },
      }),
    );
    const { packages, notes } = await collectRpm(guest);
    expect(notes).toEqual([]);
    expect(packages).toHaveLength(5);
    expect(packages[0]!.evidence.file).toBe('/usr/lib/sysimage/rpm/rpmdb.sqlite');
  });

  it('prefers sqlite, then ndb, then bdb, and notes the others', async () => {
    const blobs = sqliteBlobs(sqlite());
    const onlyAlpha = blobs.filter((b) => b.blob.length < 3000).slice(0, 1);
    const guest = guestOf(
      treeOf({
        '/var/lib/rpm/Packages': fixture('bdb/Packages'),
        '/usr/lib/sysimage/rpm/Packages.db': ndbOf(onlyAlpha),
        '/usr/lib/sysimage/rpm/rpmdb.sqlite': sqlite(),
      }),
    );
    const { packages, notes } = await collectRpm(guest);
    expect(packages).toHaveLength(5);
    expect(packages[0]!.evidence.collector).toBe('rpmdb-sqlite');
    expect(notes).toEqual([
      '/usr/lib/sysimage/rpm/Packages.db (ndb) not read: packages come from /usr/lib/sysimage/rpm/rpmdb.sqlite',
      '/var/lib/rpm/Packages (bdb) not read: packages come from /usr/lib/sysimage/rpm/rpmdb.sqlite',
    ]);

    const ndbOverBdb = await collectRpm(
      guestOf(
        treeOf({
          '/var/lib/rpm/Packages': fixture('bdb/Packages'),
          '/var/lib/rpm/Packages.db': ndbOf(onlyAlpha),
        }),
      ),
    );
    expect(ndbOverBdb.packages).toHaveLength(1);
    expect(ndbOverBdb.packages[0]!.evidence.collector).toBe('rpmdb-ndb');
  });

  it('falls back to the next database when the preferred one cannot be read', async () => {
    const guest = guestOf(
      treeOf({
        '/var/lib/rpm/rpmdb.sqlite': new Uint8Array(4096).fill(7),
        '/var/lib/rpm/Packages': fixture('bdb/Packages'),
      }),
    );
    const { packages, notes } = await collectRpm(guest);
    expect(asOracle(packages)).toEqual(expectedList('bdb'));
    expect(notes[0]).toMatch(
      /^\/var\/lib\/rpm\/rpmdb\.sqlite \(sqlite\) could not be read: sqlite: cannot open|reading Packages/,
    );
    expect(notes[1]).toBe(
      '/var/lib/rpm/rpmdb.sqlite (sqlite) unreadable: packages come from /var/lib/rpm/Packages',
    );
  });

  it('skips damaged headers with a note and keeps the rest', async () => {
    const blobs = sqliteBlobs(sqlite());
    const broken = blobs[0]!.blob.slice();
    new DataView(broken.buffer).setUint32(0, 0x10000);
    const { packages, notes } = await collectRpm(
      guestOf(
        treeOf({ '/var/lib/rpm/Packages.db': ndbOf([{ instance: 1, blob: broken }, ...blobs.slice(1)]) }),
      ),
    );
    expect(packages).toHaveLength(4);
    expect(notes).toEqual([
      '/var/lib/rpm/Packages.db package 1: rpm header: index count 65536 out of range (offset 0); skipped',
    ]);
  });

  it('finds nothing, quietly, on a guest without an rpm database', async () => {
    expect(await collectRpm(guestOf(treeOf({ '/var/lib/dpkg/status': new Uint8Array(1) })))).toEqual({
      packages: [],
      notes: [],
    });
  });
});

describe('packageFromHeader', () => {
  const evidence = { file: '/x', collector: 'rpmdb-sqlite' };

  it('handles missing SOURCERPM, missing arch, odd SOURCERPM and missing fields', () => {
    const notes: string[] = [];
    expect(
      packageFromHeader(packageHeader({ name: 'k', version: '1', release: '2', epoch: 0 }), evidence, notes),
    ).toEqual({
      format: 'rpm',
      name: 'k',
      version: '1-2',
      source: { name: 'k', version: '1-2' },
      evidence,
    });
    const odd = packageFromHeader(
      packageHeader({ name: 'k', version: '1', release: '2', epoch: 5, sourceRpm: 'weird.rpm' }),
      evidence,
      notes,
    );
    expect(odd?.source).toEqual({ name: 'k', version: '5:1-2' });
    expect(notes).toEqual(['/x: SOURCERPM "weird.rpm" not understood']);
    expect(
      packageFromHeader(buildHeader([{ tag: 1000, type: 6, value: 'n' }]), evidence, notes, 9),
    ).toBeUndefined();
    expect(notes[1]).toBe('/x package 9: header without NAME, VERSION or RELEASE; skipped');
  });

  it('parses SOURCERPM names with dashes and nosrc', () => {
    expect(parseSourceRpm('python3-dnf-plugins-core-4.3.0-13.el9.src.rpm')).toEqual({
      name: 'python3-dnf-plugins-core',
      versionRelease: '4.3.0-13.el9',
    });
    expect(parseSourceRpm('kernel-5.14.0-427.13.1.el9_4.nosrc.rpm')?.name).toBe('kernel');
    expect(parseSourceRpm('noversion.src.rpm')).toBeUndefined();
  });
});
