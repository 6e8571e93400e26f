import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFeed } from '../../../shared/feeds/import.ts';
import type { AdvisoryFeed, ApkIndexFeed, DebRepoFeed, RpmRepoFeed } from '../../../shared/feeds/types.ts';

const ROOT = 'test/fixtures/feeds';
let server: Server;
let base: string;
let tmp: string;
const requests: string[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'feeds-import-'));
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = normalize(join(ROOT, path));
    if (
      !file.startsWith(normalize(ROOT)) ||
      !(await stat(file).then(
        (s) => s.isFile(),
        () => false,
      ))
    ) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'last-modified': 'Tue, 02 Jul 2024 10:00:00 GMT' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

describe('importFeed on paths', () => {
  it.each([
    [`${ROOT}/debian-mirror`, 'deb-repo'],
    [`${ROOT}/rpm-repo`, 'rpm-repo'],
    [`${ROOT}/rpm-repo/repodata/repomd.xml`, 'rpm-repo'],
    [`${ROOT}/alpine/v3.20/main/x86_64/APKINDEX.tar.gz`, 'apk-index'],
    [`${ROOT}/alpine/v3.20/main.json`, 'alpine-secdb'],
    [`${ROOT}/osv/all.zip`, 'osv'],
    [`${ROOT}/osv/records`, 'osv'],
    [`${ROOT}/osv/records/DSA-5514-1.json`, 'osv'],
    [`${ROOT}/bookworm-updates-Packages.gz`, 'deb-repo'],
    [`${ROOT}/debian-mirror/dists/bookworm/main/binary-amd64/Packages.xz`, 'deb-repo'],
  ])('%s → %s', async (path, kind) => {
    const feeds = await importFeed(path);
    expect(feeds.map((f) => f.kind)).toEqual([kind]);
  });

  it('takes the suite of a bare Packages file from its mirror path, the release from options', async () => {
    const [feed] = (await importFeed(
      `${ROOT}/debian-mirror/dists/bookworm-security/main/binary-amd64/Packages`,
      {
        release: 'Debian:12',
      },
    )) as DebRepoFeed[];
    expect(feed!.release).toBe('Debian:12');
    expect(
      feed!.packages.every(
        (p) => p.suite === 'bookworm-security' && p.classification === 'security' && p.component === 'main',
      ),
    ).toBe(true);
    expect(feed!.source.mtime).toBeDefined();
  });

  it('sniffs content when the name says nothing', async () => {
    await writeFile(join(tmp, 'index-file'), gzipSync('Package: a\nVersion: 1\nArchitecture: all\n'));
    const [feed] = (await importFeed(join(tmp, 'index-file'), {
      suite: 'jammy-updates',
      release: 'Ubuntu:22.04:LTS',
    })) as DebRepoFeed[];
    expect(feed!.packages).toEqual([
      {
        name: 'a',
        version: '1',
        arch: 'all',
        source: { name: 'a', version: '1' },
        suite: 'jammy-updates',
        classification: 'updates',
      },
    ]);
  });

  it.each([
    ['a missing path', async () => join(tmp, 'nope'), /no such file or folder/],
    ['a Release alone', async () => `${ROOT}/debian-mirror/dists/bookworm/Release`, /lists no packages/],
    [
      'an unknown file',
      async () => {
        await writeFile(join(tmp, 'x.bin'), new Uint8Array([0, 1, 2, 3]));
        return join(tmp, 'x.bin');
      },
      /not a feed this importer knows/,
    ],
    [
      'JSON of another kind',
      async () => {
        await writeFile(join(tmp, 'o.json'), '{"hello": 1}');
        return join(tmp, 'o.json');
      },
      /neither an Alpine secdb nor an OSV record/,
    ],
    [
      'an empty folder',
      async () => {
        const d = join(tmp, 'empty');
        await (await import('node:fs/promises')).mkdir(d);
        return d;
      },
      /no dists\/, repodata/,
    ],
    [
      'an lz4 file (as apt keeps its lists)',
      async () => {
        await writeFile(join(tmp, 'lists'), new Uint8Array([4, 0x22, 0x4d, 0x18, 0, 0]));
        return join(tmp, 'lists');
      },
      /lz4 is not supported/,
    ],
  ])('rejects %s', async (_, make, message) => {
    await expect(importFeed(await make())).rejects.toThrow(message);
  });
});

describe('importFeed on URLs (local server)', () => {
  it('fetches a bare Packages.gz with Last-Modified as freshness', async () => {
    const [feed] = (await importFeed(`${base}/bookworm-updates-Packages.gz`, {
      release: 'Debian:12',
      suite: 'bookworm-updates',
    })) as DebRepoFeed[];
    expect(feed!.packages.map((p) => p.name)).toContain('openssl');
    expect(feed!.source.mtime).toBe('2024-07-02T10:00:00.000Z');
  });

  it('reads a Debian mirror by URL when the suites are named', async () => {
    const [feed] = (await importFeed(`${base}/debian-mirror/`, {
      suites: ['bookworm-security'],
    })) as DebRepoFeed[];
    expect(feed!.release).toBe('Debian:12');
    expect(feed!.packages.find((p) => p.name === 'openssl')?.version).toBe('3.0.22-1~deb12u2');
    expect(requests).toContain('/debian-mirror/dists/bookworm-security/InRelease');
  });

  it('reads an RPM repository, an APKINDEX and an OSV zip by URL', async () => {
    const [rpm] = (await importFeed(`${base}/rpm-repo/`)) as RpmRepoFeed[];
    expect(rpm!.advisories.length).toBe(6);
    const [apk] = (await importFeed(`${base}/alpine/v3.20/main/x86_64/APKINDEX.tar.gz`)) as ApkIndexFeed[];
    expect(apk!.release).toBe('Alpine:v3.20');
    const [osv] = (await importFeed(`${base}/osv/all.zip`, { ecosystems: ['Debian:12'] })) as AdvisoryFeed[];
    expect(osv!.advisories.map((a) => a.id).sort()).toEqual([
      'DSA-5514-1',
      'FIXTURE-CVSS4-1',
      'FIXTURE-WITHDRAWN-1',
    ]);
  });

  it('rejects a 404 and a mirror URL without suites', async () => {
    await expect(importFeed(`${base}/missing/Packages.gz`)).rejects.toThrow(/GET answered 404/);
    await expect(importFeed(`${base}/debian-mirror/dists/`)).rejects.toThrow(/GET answered 404/);
  });
});
