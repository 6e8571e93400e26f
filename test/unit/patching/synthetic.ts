/** A synthetic guest and feed set at production scale, for the speed test. */
import type { Advisory, AvailablePackage, Feed } from '../../../shared/feeds/types.ts';
import type { InstalledPackage, Inventory } from '../../../shared/inventory/types.ts';

export function syntheticScale(
  packages = 2000,
  advisories = 100_000,
): { inventory: Inventory; feeds: Feed[] } {
  const installed: InstalledPackage[] = [];
  const available: AvailablePackage[] = [];
  const sources = Math.ceil(packages / 2);
  for (let i = 0; i < packages; i++) {
    const src = `src${i % sources}`;
    const name = `pkg${i}`;
    const version = `1.${i % 7}.${i % 13}-${(i % 5) + 1}`;
    installed.push({
      format: 'dpkg',
      name,
      version,
      arch: i % 10 === 0 ? 'all' : 'amd64',
      source: { name: src },
      evidence: { file: '/var/lib/dpkg/status', collector: 'dpkg-status' },
    });
    for (const [suite, classification, bump] of [
      ['bookworm', 'release', ''],
      ['bookworm-updates', 'updates', '+deb12u1'],
      ['bookworm-security', 'security', '+deb12u2'],
    ] as const) {
      if (suite !== 'bookworm' && i % 3 !== 0) continue;
      available.push({
        name,
        version: `${version}${bump}`,
        arch: i % 10 === 0 ? 'all' : 'amd64',
        source: { name: src },
        suite,
        component: 'main',
        classification,
      });
    }
  }
  const list: Advisory[] = [];
  for (let a = 0; a < advisories; a++) {
    const s = a % (sources * 2); // half the advisories name sources the guest does not have
    // As in a real distribution feed: most advisories were fixed long ago, some are fixed by an
    // update the guest lacks, some have no fix (10% / 10%).
    const fixed =
      a % 10 === 9 ? undefined : a % 10 === 8 ? `2.${a % 7}-${(a % 5) + 1}` : `1.0.0-0+deb12u${a % 3}`;
    list.push({
      id: `DEBIAN-CVE-2024-${String(a).padStart(6, '0')}`,
      aliases: [`CVE-2024-${a}`],
      ecosystem: 'Debian:12',
      package: `src${s}`,
      kind: 'security',
      status: 'affected',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])] }],
      versions: [],
      severity: { cvss: [], text: ['low', 'medium', 'high', 'unimportant'][a % 4]! },
    });
  }
  const inventory: Inventory = {
    os: {
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      idLike: [],
      ecosystem: 'Debian:12',
      evidence: { file: '/etc/os-release', collector: 'os-release' },
    },
    packages: installed,
    kernels: [],
    notes: [],
  };
  const feeds: Feed[] = [
    {
      kind: 'deb-repo',
      scheme: 'dpkg',
      release: 'Debian:12',
      source: { location: 'mirror' },
      releases: [],
      packages: available,
      notes: [],
    },
    { kind: 'osv', source: { location: 'osv' }, advisories: list, notes: [] },
  ];
  return { inventory, feeds };
}

/**
 * A synthetic advisory feed for a real inventory (the patch-scan benchmark): 60 % of the advisories
 * name a source package the guest has installed (its source version taken from the inventory), the
 * rest sources it does not have. Per installed source, as in a distribution feed: most were fixed
 * long ago (a fix below the installed version), 10 % by an update the guest lacks, 10 % have no fix,
 * and 2 % have a range other than `introduced 0 [, fixed]`. Fixed versions are distinct strings.
 */
export function syntheticAdvisoriesFor(
  inventory: Inventory,
  count = 100_000,
  ecosystem = inventory.os?.ecosystem ?? 'Debian:12',
): Advisory[] {
  const sources = new Map<string, string>();
  for (const p of inventory.packages)
    if (!sources.has(p.source.name)) sources.set(p.source.name, p.source.version ?? p.version);
  const installed = [...sources];
  const out: Advisory[] = [];
  for (let a = 0; a < count; a++) {
    const j = Math.floor(a / 5);
    const mine = a % 5 < 3 && installed.length > 0;
    const [pkg, v] = mine
      ? installed[(j * 3 + (a % 5)) % installed.length]!
      : [`absent-src${j % 20_011}`, '1.0-1'];
    const shape = j % 50 === 7 ? 'complex' : j % 10 === 9 ? 'nofix' : j % 10 === 8 ? 'later' : 'old';
    const events =
      shape === 'complex'
        ? [{ introduced: `${v}~pre${a}` }, { fixed: `${v}+deb12u${(a % 7) + 20}` }]
        : shape === 'nofix'
          ? [{ introduced: '0' }]
          : shape === 'later'
            ? [{ introduced: '0' }, { fixed: `${v}+deb12u${(a % 7) + 10}.${a}` }]
            : [{ introduced: '0' }, { fixed: `${v}~old${a}` }];
    out.push({
      id: `DEBIAN-CVE-${2015 + (a % 10)}-${String(a).padStart(6, '0')}`,
      aliases: [`CVE-${2015 + (a % 10)}-${a}`],
      ecosystem,
      package: pkg,
      kind: 'security',
      status: 'affected',
      ranges: [{ type: 'ECOSYSTEM', events }],
      versions: [],
      severity:
        a % 3 === 0
          ? {
              cvss: [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }],
            }
          : { cvss: [], text: ['low', 'medium', 'high', 'unimportant'][a % 4]! },
      ...(a % 2 === 0 ? { summary: `synthetic advisory ${a} for ${pkg}` } : {}),
      modified: '2025-06-01T00:00:00Z',
    });
  }
  return out;
}
