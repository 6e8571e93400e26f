import { describe, expect, it } from 'vitest';
import { buildFeedIndex } from '../../../shared/feeds/index.ts';
import {
  filterBySeverity,
  formatScan,
  formatScanTable,
  toCycloneDxVex,
  toSarif,
} from '../../../shared/patching/format.ts';
import { matchInventory } from '../../../shared/patching/match.ts';
import { advisory, DEBIAN_12, debRepo, fixedIn, inventory, osv, pkg } from './helpers.ts';

const result = matchInventory(
  inventory(DEBIAN_12, [
    pkg('dpkg', 'libc6 2.36-9+deb12u2 amd64 glibc'),
    pkg('dpkg', 'libc-bin 2.36-9+deb12u2 amd64 glibc'),
    pkg('dpkg', 'base-files 12.4+deb12u11 amd64'),
    pkg('dpkg', 'tar 1.34+dfsg-1.2+deb12u1 amd64'),
  ]),
  buildFeedIndex([
    debRepo('Debian:12', [
      'libc6 2.36-9+deb12u7 amd64 bookworm-security security glibc',
      'libc-bin 2.36-9+deb12u7 amd64 bookworm-security security glibc',
      'base-files 12.4+deb12u15 amd64 bookworm release',
    ]),
    osv([
      advisory({
        id: 'DSA-5514-1',
        aliases: ['CVE-2023-4911'],
        ecosystem: 'Debian:12',
        package: 'glibc',
        ranges: fixedIn('2.36-9+deb12u3'),
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
      }),
      advisory({
        id: 'DEBIAN-CVE-2005-2541',
        ecosystem: 'Debian:12',
        package: 'tar',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        severity: { cvss: [], text: 'unimportant' },
      }),
    ]),
  ]),
);

describe('scan output formats', () => {
  it('the fixture result has what the formats need', () => {
    expect(result.findings.map((f) => `${f.package} ${f.status} ${f.severity}`)).toEqual([
      'base-files fix-available Unknown',
      'libc-bin fix-available High',
      'libc6 fix-available High',
      'tar affected-no-fix Low',
    ]);
  });

  it('table: aligned columns, counts, feeds', () => {
    const text = formatScanTable(result);
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('PACKAGE'))!;
    expect(header.split(/\s{2,}/)).toEqual([
      'PACKAGE',
      'INSTALLED',
      'FIXED',
      'CLASS',
      'SEVERITY',
      'ADVISORIES',
    ]);
    const libc = lines.find((l) => l.startsWith('libc6:amd64'))!;
    expect(libc.indexOf('2.36-9+deb12u7')).toBe(header.indexOf('FIXED'));
    expect(libc).toMatch(/security\s+High\s+DSA-5514-1$/);
    expect(text).toMatch(/\(no fix\)/);
    expect(text).toMatch(/4 finding\(s\) in 4 package\(s\) \(2 High, 1 Low, 1 Unknown\)/);
    expect(text).toMatch(/feed: deb-repo mirror \[Debian:12\]/);
  });

  it('table: not assessable says so', () => {
    const r = matchInventory(inventory(undefined, [pkg('dpkg', 'a 1 amd64')]), buildFeedIndex([]));
    expect(formatScanTable(r)).toMatch(/NOT ASSESSABLE/);
  });

  it('json: the ScanResult', () => {
    const json = JSON.parse(formatScan(result, 'json'));
    expect(json.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(json.findings[2]).toMatchObject({
      package: 'libc6',
      installedVersion: '2.36-9+deb12u2',
      fixedVersion: '2.36-9+deb12u7',
      classification: 'security',
      severity: 'High',
      advisories: [{ id: 'DSA-5514-1', aliases: ['CVE-2023-4911'] }],
    });
    expect(json).toHaveProperty('assessable', true);
    expect(json).toHaveProperty('feeds');
    expect(json).toHaveProperty('inventory.packages');
  });

  it('cyclonedx: 1.6 VEX, affects refs point at component purls', () => {
    const bom = toCycloneDxVex(result, { serialNumber: '00000000-0000-0000-0000-000000000000' });
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 });
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    expect(bom.components.find((c) => c.name === 'libc6')?.purl).toBe(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=glibc',
    );
    const dsa = bom.vulnerabilities.find((v) => v.id === 'DSA-5514-1')!;
    expect(dsa.affects.map((a) => a.ref).sort()).toEqual([
      'pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=glibc',
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=glibc',
    ]);
    for (const v of bom.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
    expect(dsa.ratings).toContainEqual(
      expect.objectContaining({ score: 7.8, severity: 'high', method: 'CVSSv31' }),
    );
    expect(dsa.references).toEqual([{ id: 'CVE-2023-4911', source: { name: 'NVD' } }]);
    expect(dsa.recommendation).toBe('Upgrade to 2.36-9+deb12u3 or later');
  });

  it('sarif: 2.1.0, a rule per advisory, a result per finding, level from severity', () => {
    const log = toSarif(result);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    expect(ruleIds).toEqual(['outboard/update-bugfix', 'DSA-5514-1', 'DEBIAN-CVE-2005-2541']);
    expect(run.results).toHaveLength(result.findings.length);
    const libc = run.results.find((r) => r.message.text.startsWith('libc6 '))!;
    expect(libc).toMatchObject({ ruleId: 'DSA-5514-1', level: 'error' });
    expect(ruleIds[libc.ruleIndex]).toBe('DSA-5514-1');
    expect(run.results.find((r) => r.message.text.startsWith('tar '))).toMatchObject({ level: 'note' });
    expect(run.tool.driver.rules[1]).toMatchObject({ properties: { 'security-severity': '7.8' } });
    expect(libc.locations[0]!.physicalLocation.artifactLocation.uri).toBe('var/lib/dpkg/status');
  });

  it('--severity filters at or above; Unknown is below every level', () => {
    expect(filterBySeverity(result, 'high').findings.map((f) => f.package)).toEqual(['libc-bin', 'libc6']);
    expect(filterBySeverity(result, 'low').findings).toHaveLength(3);
    expect(filterBySeverity(result, 'critical').counts).toMatchObject({ findings: 0, bySeverity: {} });
    expect(filterBySeverity(result, undefined)).toBe(result);
  });
});
