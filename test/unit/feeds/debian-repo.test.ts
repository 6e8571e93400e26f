import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readDebianMirror } from '../../../shared/feeds/debian-repo/mirror.ts';
import { classifySuite, parsePackages } from '../../../shared/feeds/debian-repo/packages.ts';
import {
  parseRelease,
  releaseKey,
  SIGNATURE_NOTE,
  stripClearsign,
} from '../../../shared/feeds/debian-repo/release.ts';
import { FeedFormatError } from '../../../shared/feeds/types.ts';

const MIRROR = 'test/fixtures/feeds/debian-mirror';
const enc = new TextEncoder();
async function* bytesOf(...parts: string[]) {
  for (const p of parts) yield enc.encode(p);
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('Release / InRelease', () => {
  it('parses the real bookworm-security InRelease (clearsigned), noting the signature is not verified', async () => {
    const text = await readFile(`${MIRROR}/dists/bookworm-security/InRelease`, 'utf8');
    const r = await parseRelease(text, { location: 'InRelease' });
    expect(r.clearsigned).toBe(true);
    expect(r.notes).toContain(SIGNATURE_NOTE);
    expect(r).toMatchObject({
      origin: 'Debian',
      label: 'Debian-Security',
      suite: 'oldstable-security',
      codename: 'bookworm-security',
      version: '12',
      acquireByHash: true,
      date: '2026-11-25T02:22:30.000Z',
      validUntil: '2026-12-02T02:22:30.000Z',
    });
    expect(r.source.date).toBe(r.date);
    expect(r.components).toContain('updates/main');
    expect(r.architectures).toEqual(['amd64', 'arm64', 'armhf', 'i386', 'ppc64el']);
    expect(r.sha256.find((f) => f.path === 'main/binary-amd64/Packages.xz')).toEqual({
      path: 'main/binary-amd64/Packages.xz',
      size: 379936,
      sha256: 'a59b44d3150ec5621306ce98e42bcb14f95451fe82ca7e6b83d1da7454a1ea3d',
    });
    expect(releaseKey(r)).toBe('Debian:12');
  });

  it('parses a plain Release (the armour-stripped bookworm one)', async () => {
    const r = await parseRelease(await readFile(`${MIRROR}/dists/bookworm/Release`, 'utf8'), {
      location: 'Release',
    });
    expect(r.clearsigned).toBe(false);
    expect(r).toMatchObject({ codename: 'bookworm', version: '12.15', suite: 'oldstable' });
    expect(r.validUntil).toBeUndefined();
    expect(r.sha256).toHaveLength(4);
  });

  it('undoes dash-escaping and rejects broken armour', () => {
    const signed = (
      body: string,
      tail = '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n',
    ) => `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${body}\n${tail}`;
    expect(stripClearsign(signed('Suite: x\n- -dash'), 'l').body).toBe('Suite: x\n-dash');
    expect(() => stripClearsign(signed('Suite: x'), 'l')).not.toThrow();
    expect(() => stripClearsign(signed('Suite: x', ''), 'l')).toThrow(/signature block missing/);
    expect(() => stripClearsign(signed('Suite: x', '-----BEGIN PGP SIGNATURE-----\nAAAA\n'), 'l')).toThrow(
      /not closed/,
    );
    expect(() => stripClearsign(signed('-bad'), 'l')).toThrow(/unescaped dash/);
    expect(() => stripClearsign('-----BEGIN PGP MESSAGE-----\nxx\n', 'l')).toThrow(
      /unsupported OpenPGP block/,
    );
    expect(() => stripClearsign('-----BEGIN PGP SIGNED MESSAGE-----\nnot a header\n\nx', 'l')).toThrow(
      /armour header/,
    );
  });

  it('rejects what is not a Release', async () => {
    const bad = (t: string) => parseRelease(t, { location: 'x' });
    await expect(bad('')).rejects.toThrow(FeedFormatError);
    await expect(bad('Origin: Debian\n')).rejects.toThrow(/neither Suite nor Codename/);
    await expect(bad('Suite: a\n\nSuite: b\n')).rejects.toThrow(/more than one stanza/);
    await expect(bad('Suite: a\nDate: yesterday-ish\n')).rejects.toThrow(/unreadable Date/);
    await expect(bad('Suite: a\nSHA256:\n nothex 12 main/x\n')).rejects.toThrow(/bad SHA256 entry/);
    await expect(bad('<html>not found</html>\n')).rejects.toThrow(/not a field line/);
  });

  it('names releases the OSV way', () => {
    expect(releaseKey({ origin: 'Debian', version: '12-updates', codename: 'bookworm-updates' })).toBe(
      'Debian:12',
    );
    expect(releaseKey({ origin: 'Ubuntu', version: '22.04', codename: 'jammy' })).toBe('Ubuntu:22.04:LTS');
    expect(releaseKey({ origin: 'Ubuntu', version: '23.10', codename: 'mantic' })).toBe('Ubuntu:23.10');
    expect(releaseKey({ origin: 'Kali', codename: 'kali-rolling' })).toBe('kali');
  });
});

describe('Packages', () => {
  it('classifies suites by pocket', () => {
    expect(classifySuite('bookworm')).toBe('release');
    expect(classifySuite('bookworm-security')).toBe('security');
    expect(classifySuite('bookworm-updates')).toBe('updates');
    expect(classifySuite('jammy-security')).toBe('security');
    expect(classifySuite('jammy-updates')).toBe('updates');
    expect(classifySuite('jammy-backports')).toBe('backports');
    expect(classifySuite('bookworm-proposed-updates')).toBe('proposed');
    expect(classifySuite('stretch/updates')).toBe('security');
  });

  it('keeps Source with its version, else the binary version, across chunk boundaries', async () => {
    const text =
      'Package: libssl3\nSource: openssl (3.0.15-1~deb12u1)\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\nDescription: x\n more\n .\n\n' +
      'Package: bash\nSource: bash\nVersion: 5.2.15-2+b7\nArchitecture: amd64\n\nPackage: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n';
    const chunks = text.match(/[\s\S]{1,7}/g)!;
    const got = await collect(
      parsePackages(bytesOf(...chunks), 'P', { suite: 'jammy-security', component: 'main' }),
    );
    expect(got).toEqual([
      {
        name: 'libssl3',
        version: '3.0.15-1~deb12u1',
        arch: 'amd64',
        source: { name: 'openssl', version: '3.0.15-1~deb12u1' },
        suite: 'jammy-security',
        component: 'main',
        classification: 'security',
      },
      {
        name: 'bash',
        version: '5.2.15-2+b7',
        arch: 'amd64',
        source: { name: 'bash', version: '5.2.15-2+b7' },
        suite: 'jammy-security',
        component: 'main',
        classification: 'security',
      },
      {
        name: 'tzdata',
        version: '2024a-0+deb12u1',
        arch: 'all',
        source: { name: 'tzdata', version: '2024a-0+deb12u1' },
        suite: 'jammy-security',
        component: 'main',
        classification: 'security',
      },
    ]);
  });

  it.each([
    ['a non-field line', 'Package: a\nthis is not a field\n', /not a field line/],
    ['a stanza without Version', 'Package: a\nArchitecture: all\n', /lacks Package, Version/],
    ['a leading continuation', ' continued\n', /continuation line/],
    ['a duplicated field', 'Package: a\nPackage: b\nVersion: 1\nArchitecture: all\n', /given twice/],
    ['a bad version', 'Package: a\nVersion: 1 2\nArchitecture: all\n', /bad version/],
    ['a bad Source', 'Package: a\nSource: b (1) (2)\nVersion: 1\nArchitecture: all\n', /bad Source/],
    ['a bad name', 'Package: A_B\nVersion: 1\nArchitecture: all\n', /bad package name/],
  ])('rejects %s', async (_, text, message) => {
    await expect(collect(parsePackages(bytesOf(text), 'P', { suite: 's' }))).rejects.toThrow(message);
  });

  it('rejects bytes that are not UTF-8', async () => {
    async function* bad() {
      yield new Uint8Array([0x50, 0x61, 0xff, 0xfe, 0x0a]);
    }
    await expect(collect(parsePackages(bad(), 'P', { suite: 's' }))).rejects.toThrow(/not valid UTF-8/);
  });

  it('parses incrementally: 20,000 generated stanzas stream through without being joined', async () => {
    async function* gen() {
      for (let i = 0; i < 20_000; i++)
        yield enc.encode(
          `Package: p${i}\nVersion: 1.${i}-1\nArchitecture: amd64\nDescription: ${'x'.repeat(200)}\n\n`,
        );
    }
    let n = 0;
    let last = '';
    for await (const p of parsePackages(gen(), 'gen', { suite: 'bookworm' })) {
      n++;
      last = p.version;
    }
    expect(n).toBe(20_000);
    expect(last).toBe('1.19999-1');
  });
});

describe('mirror folder', () => {
  it('reads three suites (Release, InRelease) with .xz, .gz and plain Packages, each with its pocket', async () => {
    const feed = await readDebianMirror(MIRROR);
    expect(feed.release).toBe('Debian:12');
    expect(feed.releases.map((r) => r.codename)).toEqual([
      'bookworm',
      'bookworm-security',
      'bookworm-updates',
    ]);
    expect(feed.source.date).toBe('2026-11-25T02:22:30.000Z');
    expect(feed.source.validUntil).toBe('2026-12-02T02:22:30.000Z');
    const openssl = feed.packages
      .filter((p) => p.name === 'openssl')
      .map((p) => [p.suite, p.version, p.classification]);
    expect(openssl).toEqual([
      ['bookworm', '3.0.20-1~deb12u2', 'release'],
      ['bookworm-security', '3.0.22-1~deb12u2', 'security'],
      ['bookworm-updates', '3.0.17-1~deb12u2', 'updates'],
    ]);
    const libc = feed.packages.find((p) => p.name === 'libc6' && p.suite === 'bookworm-security');
    expect(libc?.source).toEqual({ name: 'glibc', version: '2.36-9+deb12u7' });
    const zlib = feed.packages.find((p) => p.name === 'zlib1g');
    expect(zlib?.version).toBe('1:1.2.13.dfsg-1');
    expect(feed.notes).toContain(SIGNATURE_NOTE);
    expect(feed.notes.some((n) => /Packages\.xz: SHA256\/size differ/.test(n))).toBe(true);
  });

  it('filters architectures and rejects a folder without dists/', async () => {
    const feed = await readDebianMirror(MIRROR, { architectures: ['arm64'] });
    expect(feed.packages).toHaveLength(0);
    await expect(readDebianMirror('test/fixtures/feeds/osv')).rejects.toThrow(/no dists/);
    await expect(readDebianMirror(MIRROR, { suites: ['sid'] })).rejects.toThrow(
      /neither InRelease nor Release/,
    );
  });
});
