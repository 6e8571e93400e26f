import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { importFeed } from '../../../shared/feeds/import.ts';
import { buildFeedIndex, type FeedIndex } from '../../../shared/feeds/index.ts';
import {
  deserializeFeedIndex,
  loadFeedIndex,
  saveFeedIndex,
  serializeFeedIndex,
} from '../../../shared/feeds/index-store.ts';
import type { Advisory, Feed } from '../../../shared/feeds/types.ts';

let index: FeedIndex;
let feeds: Feed[];
beforeAll(async () => {
  feeds = [
    ...(await importFeed('test/fixtures/feeds/debian-mirror')),
    ...(await importFeed('test/fixtures/feeds/rpm-repo')),
    ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main/x86_64/APKINDEX.tar.gz')),
    ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main.json')),
    ...(await importFeed('test/fixtures/feeds/osv/all.zip')),
    // the same records again: the index keeps one copy
    ...(await importFeed('test/fixtures/feeds/osv/records')),
  ];
  index = buildFeedIndex(feeds);
});

function check(i: FeedIndex) {
  expect(
    i.availableVersions('Debian:12', 'openssl').map((v) => [v.suite, v.version, v.classification]),
  ).toEqual([
    ['bookworm', '3.0.20-1~deb12u2', 'release'],
    ['bookworm-security', '3.0.22-1~deb12u2', 'security'],
    ['bookworm-updates', '3.0.17-1~deb12u2', 'updates'],
  ]);
  expect(i.availableVersions('Debian:12', 'libc6')[0]?.source).toEqual({
    name: 'glibc',
    version: '2.36-9+deb12u14',
  });
  expect(i.availableVersions('Rocky Linux:9', 'openssl')).toEqual([
    {
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      suite: 'fixtures/feeds/rpm-repo',
      classification: 'security',
      source: { name: 'openssl', version: '3.0.7-27.el9' },
    },
  ]);
  expect(i.availableVersions('Alpine:v3.20', 'busybox')[0]?.version).toBe('1.36.1-r29');
  expect(i.availableVersions('Debian:11', 'openssl')).toEqual([]);
  const glibc = i.advisoriesFor('Debian:12', 'glibc');
  expect(glibc).toEqual([
    {
      id: 'DSA-5514-1',
      aliases: ['CVE-2023-4911'],
      kind: 'security',
      severity: {
        cvss: [
          {
            type: 'CVSS_V3',
            vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
            score: 7.8,
            rating: 'High',
          },
        ],
        text: 'high',
      },
      summary: 'glibc - security update',
      published: '2023-10-03T00:00:00Z',
      modified: '2023-10-03T17:45:00Z',
      status: 'affected',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }],
      versions: [],
    },
  ]);
  expect(i.advisoriesFor('Ubuntu:22.04:LTS', 'openssh')[0]?.versions).toHaveLength(3);
  expect(i.advisoriesFor('Ubuntu:Pro:22.04:LTS', 'openssh')[0]?.versions).toEqual([]);
  // Rocky: the updateinfo erratum and the OSV record are both kept (different metadata)
  expect(i.advisoriesFor('Rocky Linux:9', 'openssh-server').map((a) => a.severity.cvss.length)).toEqual([
    0, 1,
  ]);
  const alpine = i.advisoriesFor('Alpine:v3.20', 'openssl');
  expect(alpine.filter((a) => a.status === 'not-affected').map((a) => a.id)).toEqual(['CVE-2022-1292']);
  expect(alpine.filter((a) => a.id === 'ALPINE-CVE-2024-6119')).toHaveLength(1);
  // withdrawn records are left out
  expect(i.advisoriesFor('Debian:12', 'fixture-pkg').map((a) => a.id)).toEqual(['FIXTURE-CVSS4-1']);
}

describe('feed index', () => {
  it('answers lookups by release and ecosystem, deduplicated', () => {
    check(index);
    expect(index.releases()).toEqual(['Alpine:v3.20', 'Debian:12', 'Rocky Linux:9']);
    expect(index.ecosystems()).toContain('Ubuntu:Pro:22.04:LTS');
    expect(index.stats().withdrawnSkipped).toBe(2);
    expect(index.feeds.map((f) => f.kind)).toEqual([
      'deb-repo',
      'rpm-repo',
      'apk-index',
      'alpine-secdb',
      'osv',
      'osv',
    ]);
    expect(index.feeds[0]?.source.validUntil).toBe('2026-12-02T02:22:30.000Z');
  });

  it('round-trips through bytes and through the object store', async () => {
    const bytes = serializeFeedIndex(index);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('OBFEEDIX'); // the binary format
    check(deserializeFeedIndex(bytes));
    // The version 1 document (gzipped JSON) that older stores hold is still read.
    const v1 = serializeFeedIndex(index, { encoding: 'json' });
    expect(v1[0]).toBe(0x1f);
    check(deserializeFeedIndex(v1));
    const dir = await mkdtemp(join(tmpdir(), 'idx-'));
    try {
      const store = new FsObjectStore(dir);
      const saved = await saveFeedIndex(store, 'feeds/index.json.gz', index);
      expect(saved.bytes).toBe(bytes.length);
      const loaded = await loadFeedIndex(store, 'feeds/index.json.gz');
      check(loaded!);
      expect(loaded!.feeds).toEqual(index.feeds);
      expect(await loadFeedIndex(store, 'missing')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects damaged or foreign index files', () => {
    const doc = JSON.parse(
      new TextDecoder().decode(gunzipSync(serializeFeedIndex(index, { encoding: 'json' }))),
    );
    const enc = (o: unknown) => gzipSync(JSON.stringify(o));
    expect(() => deserializeFeedIndex(new Uint8Array([1, 2, 3]))).toThrow(/not JSON/);
    expect(() => deserializeFeedIndex(gzipSync('{"format":"other"}'))).toThrow(/not an Outboard feed index/);
    expect(() => deserializeFeedIndex(enc({ ...doc, version: 99 }))).toThrow(/version 99/);
    expect(() => deserializeFeedIndex(enc({ ...doc, available: 'AAA' }))).toThrow(/whole int32s/);
    expect(() => deserializeFeedIndex(enc({ ...doc, availableSpans: doc.availableSpans.slice(1) }))).toThrow(
      /keys and spans differ/,
    );
    expect(() =>
      deserializeFeedIndex(enc({ ...doc, advisorySpans: doc.advisorySpans.map(() => 2 ** 40) })),
    ).toThrow(/points past/);
    const lost = deserializeFeedIndex(enc({ ...doc, strings: doc.strings.slice(0, 3) }));
    expect(() => lost.availableVersions('Debian:12', 'openssl')).toThrow(/string \d+ is missing/);
  });

  it('stays compact for 100,000 advisories', () => {
    const advisories: Advisory[] = [];
    for (let i = 0; i < 100_000; i++)
      advisories.push({
        id: `DEBIAN-CVE-2024-${i}`,
        aliases: [`CVE-2024-${i}`],
        ecosystem: 'Debian:12',
        package: `pkg${i % 20_000}`,
        kind: 'security',
        status: 'affected',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `1.${i % 40}-1+deb12u${i % 9}` }] },
        ],
        versions: [],
        severity: { cvss: [], text: 'medium' },
        modified: '2024-01-01T00:00:00Z',
      });
    const big = buildFeedIndex([{ kind: 'osv', source: { location: 'synthetic' }, advisories, notes: [] }]);
    const s = big.stats();
    expect(s.advisories).toBe(100_000);
    expect(s.advisoryKeys).toBe(20_000);
    // int32 tables: ~10 ints an entry, ~8 a metadata record → a few MB, not hundreds
    const tableBytes =
      (big.data.entries.byteLength + big.data.meta.byteLength + big.data.metaOffsets.byteLength) / 1e6;
    expect(tableBytes).toBeLessThan(10);
    expect(big.advisoriesFor('Debian:12', 'pkg7')).toHaveLength(5);
    // Saved: the binary format is uncompressed (it loads without decoding), the JSON one gzipped.
    const bytes = serializeFeedIndex(big);
    expect(bytes.length).toBeLessThan(20e6);
    expect(serializeFeedIndex(big, { encoding: 'json' }).length).toBeLessThan(5e6);
    expect(deserializeFeedIndex(bytes).advisoriesFor('Debian:12', 'pkg7')[4]?.id).toBe(
      'DEBIAN-CVE-2024-80007',
    );
  }, 30_000);
});
