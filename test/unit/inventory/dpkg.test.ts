import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseControl } from '../../../shared/inventory/control.ts';
import { collectDpkg, isDpkgVersion } from '../../../shared/inventory/dpkg.ts';
import { FIXTURES, memFiles, treeEntries } from './mem-files.ts';

const STATUS = readFileSync(join(FIXTURES, 'debian12/status'));
const enc = (s: string) => new TextEncoder().encode(s);
const dbAt = (dir: string, at = '/var/lib/dpkg') => treeEntries(join(FIXTURES, dir), at);

/** dpkg-query's own listing of the fixture (scripts/fixtures/inventory.sh): status, package, version, arch, source, source version. */
const ORACLE = readFileSync(join(FIXTURES, 'debian12/dpkg-query.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split('\t') as [string, string, string, string, string, string]);

describe('dpkg status (real Debian 12 database)', () => {
  it('lists exactly what dpkg-query lists as installed, with the source dpkg-query names', async () => {
    const r = (await collectDpkg(memFiles(dbAt('debian12'))))!;
    const want = ORACLE.filter(([s]) => ['installed', 'triggers-pending', 'triggers-awaited'].includes(s))
      .map(
        ([, name, version, arch, src, srcVersion]) => `${name}\t${version}\t${arch}\t${src}\t${srcVersion}`,
      )
      .sort();
    const got = r.packages
      .map((p) => `${p.name}\t${p.version}\t${p.arch}\t${p.source.name}\t${p.source.version}`)
      .sort();
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(700);
  });

  it('applies updates/ records in order on top of status (and ignores tmp.i)', async () => {
    const r = (await collectDpkg(memFiles(dbAt('debian12'))))!;
    const by = (n: string) => r.packages.find((p) => p.name === n);
    expect(by('libssl3')).toMatchObject({
      version: '3.0.19-1~deb12u3',
      evidence: { file: '/var/lib/dpkg/updates/0000', collector: 'dpkg-updates' },
    });
    expect(by('hello')?.version).toBe('2.10-3');
    expect(by('zstd')).toBeUndefined();
    expect(by('gdb')).toBeUndefined();
    expect(by('bash')?.evidence).toEqual({ file: '/var/lib/dpkg/status', collector: 'dpkg-status' });
    const notes = r.notes.join('\n');
    expect(notes).toMatch(/updates holds 4 record\(s\)/);
    expect(notes).toMatch(/zstd:amd64 1\.5\.4\+dfsg2-6 \(half-installed\)/);
    expect(notes).toMatch(/1 removed dpkg package\(s\) left only configuration files/);
  });

  it('without updates/: exactly the status file', async () => {
    const r = (await collectDpkg(memFiles({ '/var/lib/dpkg/status': STATUS })))!;
    expect(r.packages).toHaveLength(STATUS.toString().match(/^Status: install ok installed$/gm)!.length);
    expect(r.notes).toEqual([]);
  });

  it('source: Source with a version (binNMU), Source without, no Source', async () => {
    const r = (await collectDpkg(memFiles(dbAt('debian12'))))!;
    const by = (n: string) => r.packages.find((p) => p.name === n)!;
    expect(by('bash')).toMatchObject({
      version: '5.2.15-2+b8',
      source: { name: 'bash', version: '5.2.15-2' },
    });
    expect(by('libssl3').source).toEqual({ name: 'openssl', version: '3.0.19-1~deb12u3' });
    expect(by('adduser').source).toEqual({ name: 'adduser', version: by('adduser').version });
  });

  it('a binNMU without a Source version: the source version is the binary version less +bN', async () => {
    const r = (await collectDpkg(
      memFiles({
        '/var/lib/dpkg/status':
          'Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:2.4-3+b2\n',
      }),
    ))!;
    expect(r.packages[0]!.source).toEqual({ name: 'libfoo1', version: '1:2.4-3' });
  });

  it('counts hold and triggers-pending as installed, like dpkg; multi-arch instances separately', async () => {
    const status = [
      'Package: a\nStatus: hold ok installed\nArchitecture: amd64\nVersion: 1.0-1\n',
      'Package: b\nStatus: install ok triggers-pending\nArchitecture: all\nVersion: 2\n',
      'Package: c\nStatus: purge ok not-installed\nArchitecture: amd64\n',
      'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\nSource: glibc\n',
      'Package: libc6\nStatus: install ok installed\nArchitecture: i386\nVersion: 2.36-9\nSource: glibc\n',
      'Package: d\nStatus: install ok unpacked\nArchitecture: amd64\nVersion: 3\n',
    ].join('\n');
    const r = (await collectDpkg(memFiles({ '/var/lib/dpkg/status': status })))!;
    expect(r.packages.map((p) => `${p.name}:${p.arch}`)).toEqual([
      'a:amd64',
      'b:all',
      'libc6:amd64',
      'libc6:i386',
    ]);
    expect(r.notes.join()).toMatch(/d:amd64 3 \(unpacked\)/);
  });
});

describe('dpkg status.d (distroless)', () => {
  it('one stanza per file, no Status field, .md5sums siblings skipped', async () => {
    const r = (await collectDpkg(memFiles(treeEntries(join(FIXTURES, 'distroless'), '/var/lib/dpkg'))))!;
    expect(r.notes).toEqual([]);
    expect(r.packages.map((p) => p.name)).toEqual([
      'base-files',
      'bash',
      'libc6',
      'libssl3',
      'netbase',
      'tzdata',
    ]);
    const oracle = new Map(ORACLE.map(([, n, v, a, s, sv]) => [n, { v, a, s, sv }]));
    for (const p of r.packages) {
      expect(p.evidence).toEqual({ file: `/var/lib/dpkg/status.d/${p.name}`, collector: 'dpkg-status.d' });
      // Same stanzas as the real status file (libssl3 there is the updated one).
      if (p.name !== 'libssl3') {
        const o = oracle.get(p.name)!;
        expect([p.version, p.arch, p.source.name, p.source.version]).toEqual([o.v, o.a, o.s, o.sv]);
      }
    }
  });

  it('no dpkg database at all: undefined', async () => {
    expect(await collectDpkg(memFiles({ '/etc/os-release': 'ID=alpine\n' }))).toBeUndefined();
  });
});

describe('damaged dpkg databases are noted, never silently shorter', () => {
  const good = 'Package: good\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n';

  it('a stanza without Package', async () => {
    const r = (await collectDpkg(
      memFiles({
        '/var/lib/dpkg/status': `${good}\nStatus: install ok installed\nVersion: 2.0\n\n${good.replace('good', 'also-good')}`,
      }),
    ))!;
    expect(r.packages.map((p) => p.name)).toEqual(['also-good', 'good']);
    expect(r.notes.join()).toMatch(
      /status: 1 stanza\(s\) could not be read, so the package inventory is incomplete: line 6: stanza without a Package field/,
    );
  });

  it('a continuation line with no field before it, and a blank continuation line', async () => {
    const c = parseControl(
      enc(` leading continuation\nPackage: x\n\nPackage: y\nDescription: d\n \t\nVersion: 1\n\n${good}`),
    );
    expect(c.errors).toEqual([
      { line: 1, problem: 'continuation line with no field before it' },
      { line: 6, problem: 'blank line in the value of field "description"' },
    ]);
    expect(c.stanzas.map((s) => s.fields.get('package'))).toEqual(['good']);
    const r = (await collectDpkg(memFiles({ '/var/lib/dpkg/status': ` x\n${good}` })))!;
    expect(r.packages).toEqual([]);
    expect(r.notes.join()).toMatch(/inventory is incomplete: line 1: continuation line/);
  });

  it('lines that are not fields, duplicate fields, hyphenated names', () => {
    const c = parseControl(enc('Package: a\nno colon here\n\nPackage: b\nPackage: c\n\n-Package: d\n'));
    expect(c.errors.map((e) => e.problem)).toEqual([
      '"no colon here" is not a "Field: value" line',
      'field "Package" given twice',
      'field name "-Package" starts with a hyphen',
    ]);
  });

  it('binary junk: rejected as a whole, with a note', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
    const r = (await collectDpkg(memFiles({ '/var/lib/dpkg/status': junk })))!;
    expect(r.packages).toEqual([]);
    expect(r.notes.join()).toMatch(/NUL bytes.*package inventory is incomplete/);
    const text = (await collectDpkg(
      memFiles({ '/var/lib/dpkg/status': '\u00ff\u00fe garbage \u0001\n%%%\n' }),
    ))!;
    expect(text.packages).toEqual([]);
    expect(text.notes.join()).toMatch(/incomplete/);
  });

  it('invalid field values: status words, version, name, architecture, source', async () => {
    const bad = [
      'Package: a\nStatus: install ok sideways\nVersion: 1\n',
      'Package: b\nStatus: install ok installed\nVersion: 1 .0\n',
      'Package: B_\nStatus: install ok installed\nVersion: 1\n',
      'Package: c\nStatus: install ok installed\nVersion: 1\nArchitecture: AMD64!\n',
      'Package: d\nStatus: install ok installed\nVersion: 1\nSource: e (not a version)\n',
      'Package: f\nVersion: 1\n',
      'Package: g\nStatus: install ok installed\n',
    ].join('\n');
    const r = (await collectDpkg(memFiles({ '/var/lib/dpkg/status': `${bad}\n${good}` })))!;
    expect(r.packages.map((p) => p.name)).toEqual(['good']);
    expect(r.notes[0]).toMatch(/7 stanza\(s\) could not be read/);
  });

  it('an unreadable updates record is noted too', async () => {
    const r = (await collectDpkg(
      memFiles({ '/var/lib/dpkg/status': good, '/var/lib/dpkg/updates/0001': 'Package good\n' }),
    ))!;
    expect(r.packages.map((p) => p.name)).toEqual(['good']);
    expect(r.notes.join('\n')).toMatch(/updates\/0001: 1 stanza\(s\) could not be read/);
  });
});

describe('isDpkgVersion', () => {
  it('accepts dpkg versions and refuses the rest', () => {
    for (const v of [
      '1.0',
      '1:2.4.47-2+b1',
      '3.0.19-1~deb12u2',
      '1.2.13.dfsg-1',
      '2:8.2.3995-1ubuntu2.15',
      '0.9~rc1',
      '1:1.0-1-1',
    ])
      expect(isDpkgVersion(v), v).toBe(true);
    for (const v of ['', 'a1.0', '1.0-', '1.0 1', 'x:1.0', '1:', '1.0-1_2', ':1.0'])
      expect(isDpkgVersion(v), v).toBe(false);
  });
});
