import { beforeAll, describe, expect, it } from 'vitest';
import { importFeed } from '../../../shared/feeds/import.ts';
import { buildFeedIndex, type FeedIndex } from '../../../shared/feeds/index.ts';
import { deserializeFeedIndex, serializeFeedIndex } from '../../../shared/feeds/index-store.ts';
import type { Feed } from '../../../shared/feeds/types.ts';
import type { Inventory } from '../../../shared/inventory/types.ts';
import { advisoryOrigins, matchInventory } from '../../../shared/patching/match.ts';
import {
  ALPINE_320,
  advisory,
  DEBIAN_12,
  debRepo,
  fixedIn,
  inventory,
  osv,
  pkg,
  ROCKY_9,
  rpmRepo,
  UBUNTU_2204,
} from './helpers.ts';
import { syntheticAdvisoriesFor, syntheticScale } from './synthetic.ts';

/**
 * The same feeds matched through an index built in memory (row by row), one read back from the
 * version 1 JSON document, and one read back from the binary format (fixed versions ranked, strings
 * decoded on demand): the results must be identical to the byte, on every scan of the index.
 */
function expectSameResults(feeds: Feed[], inventories: Inventory[]) {
  const built = buildFeedIndex(feeds);
  const forms: [string, FeedIndex][] = [
    ['json', deserializeFeedIndex(serializeFeedIndex(built, { encoding: 'json' }))],
    ['binary', deserializeFeedIndex(serializeFeedIndex(built))],
  ];
  const origins = advisoryOrigins(feeds.map((f) => ('advisories' in f ? f : { source: f.source })));
  let findings = 0;
  for (const inv of inventories) {
    const want = JSON.stringify(matchInventory(inv, built, { origins }));
    for (const [name, index] of forms) {
      expect(JSON.stringify(matchInventory(inv, index, { origins })), name).toBe(want);
      // Again: what the first scan kept with the index (parsed versions, ratings) changes nothing.
      expect(JSON.stringify(matchInventory(inv, index, { origins })), `${name}, second scan`).toBe(want);
    }
    findings += JSON.parse(want).findings.length;
  }
  return findings;
}

describe('matching gives the same results whatever form the index takes', () => {
  let fixtures: Feed[];
  beforeAll(async () => {
    fixtures = [
      ...(await importFeed('test/fixtures/feeds/debian-mirror')),
      ...(await importFeed('test/fixtures/feeds/rpm-repo')),
      ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main/x86_64/APKINDEX.tar.gz')),
      ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main.json')),
      ...(await importFeed('test/fixtures/feeds/osv/records')),
    ];
  });

  it('the committed feed fixtures, for Debian, Ubuntu, Rocky, Red Hat and Alpine guests', () => {
    const findings = expectSameResults(fixtures, [
      inventory(DEBIAN_12, [
        pkg('dpkg', 'openssl 3.0.17-1~deb12u2 amd64'),
        pkg('dpkg', 'libc6 2.36-9+deb12u2 amd64 glibc'),
        pkg('dpkg', 'libc-bin 2.36-9+deb12u3 amd64 glibc'),
        pkg('dpkg', 'base-files 12.4+deb12u11 amd64'),
        pkg('dpkg', 'tzdata 2025b-0+deb12u1 all'),
        pkg('dpkg', 'zlib1g 1:1.2.13.dfsg-1 amd64 zlib'),
        pkg('dpkg', 'fixture-pkg 1.0-2 amd64'),
        pkg('dpkg', 'libssl3 3.0.17-1~deb12u2 i386 openssl'),
      ]),
      inventory(UBUNTU_2204, [pkg('dpkg', 'openssh-server 1:8.9p1-3ubuntu0.6 amd64 openssh')]),
      inventory(ROCKY_9, [
        pkg('rpm', 'openssh-server 8.7p1-38.el9 x86_64 openssh'),
        pkg('rpm', 'openssl-libs 1:3.0.7-24.el9 x86_64 openssl'),
        pkg('rpm', 'tzdata 2023c-1.el9 noarch'),
        pkg('rpm', 'bash 5.1.8-6.el9 x86_64'),
        pkg('rpm', 'glibc 2.34-60.el9_2.7 x86_64'),
      ]),
      inventory({ ...ROCKY_9, id: 'rhel', ecosystem: 'Red Hat:enterprise_linux:9' }, [
        pkg('rpm', 'openssl-libs 1:3.0.7-24.el9 x86_64 openssl'),
      ]),
      inventory(ALPINE_320, [
        pkg('apk', 'libcrypto3 3.3.1-r0 x86_64 openssl'),
        pkg('apk', 'busybox 1.36.1-r29 x86_64'),
      ]),
    ]);
    expect(findings).toBeGreaterThan(8);
  });

  it('synthetic feeds at scale, with every range shape the synthetic feed makes', () => {
    const { inventory: inv, feeds } = syntheticScale(200, 4_000);
    const mixed: Feed[] = [
      ...feeds,
      osv(syntheticAdvisoriesFor(inv, 4_000), 'mixed'),
      osv(syntheticAdvisoriesFor(inv, 1_000, 'Ubuntu:22.04:LTS'), 'ubuntu'),
    ];
    const findings = expectSameResults(mixed, [inv, { ...inv, os: { ...UBUNTU_2204 } }]);
    expect(findings).toBeGreaterThan(150);
  }, 20_000);

  it('fixes that compare equal but are spelt differently, installed versions at and between fixes', () => {
    const eco = 'Debian:12';
    const fixes = ['1.0-1', '1.00-1', '0:1.0-1', '1.0-1~', '1.0-1+b1', '1.0-2', '2:0.1', 'x y', '1.0~rc1-1'];
    const advisories = fixes.flatMap((f, i) => [
      advisory({ id: `A-${i}`, ecosystem: eco, package: 'foo', ranges: fixedIn(f) }),
      // The same id again from another feed, with another fix: merged, lowest fix wins.
      advisory({
        id: `A-${i}`,
        ecosystem: eco,
        package: 'foo',
        ranges: fixedIn('1.0-1+deb12u1'),
        summary: 'x',
      }),
    ]);
    advisories.push(
      advisory({ id: 'NA', ecosystem: eco, package: 'foo', status: 'not-affected', ranges: fixedIn('9') }),
      advisory({
        id: 'CPLX',
        ecosystem: eco,
        package: 'foo',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0-1' }, { last_affected: '1.0-2' }] }],
      }),
    );
    const installed = ['0.9-1', '1.0-1', '1.00-1', '1.0-1+b1', '1.0-2', '1.0-3', '3:0', 'x:1'];
    const findings = expectSameResults(
      [
        osv(advisories),
        debRepo(eco, ['foo 1.0-1 amd64 bookworm release', 'foo 1.0-9 amd64 bookworm-security security']),
      ],
      installed.map((v) =>
        inventory(DEBIAN_12, [pkg('dpkg', `foo ${v} amd64`), pkg('dpkg', `foo-bin ${v} i386 foo`)]),
      ),
    );
    expect(findings).toBeGreaterThan(6);
  });

  it('rpm fixes with epochs, tildes and carets; a guest whose scheme the ranks were not made for', () => {
    const eco = 'Rocky Linux:9';
    const fixes = [
      '1.0-1.el9',
      '0:1.0-1.el9',
      '1.0-1.el9_2',
      '1.0~rc1-1.el9',
      '1.0^git1-1.el9',
      '1:0.1-1',
      '1.0',
    ];
    const advisories = fixes.map((f, i) =>
      advisory({
        id: `R-${i}`,
        ecosystem: eco,
        package: 'bar',
        ranges: fixedIn(f),
        kind: i % 2 ? 'bugfix' : 'security',
      }),
    );
    const installed = [
      '0.9-1.el9',
      '1.0-1.el9',
      '1.0-1.el9_1',
      '1.0^git1-1.el9',
      '1.0',
      '1:0.1-1',
      '2.0-1.el9',
    ];
    const findings = expectSameResults(
      [rpmRepo(eco, ['bar 1.0-1.el9_3 x86_64 baseos updates'], advisories)],
      [
        ...installed.map((v) => inventory(ROCKY_9, [pkg('rpm', `bar ${v} x86_64`)])),
        // dpkg packages on a Rocky-keyed OS: compared under dpkg, so the rpm ranks are not used.
        inventory(ROCKY_9, [pkg('dpkg', 'bar 1.0-1 amd64')]),
      ],
    );
    expect(findings).toBeGreaterThan(4);
  });
});
