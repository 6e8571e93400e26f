import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { osvAdvisories, readOsvFolder, readOsvZip } from '../../../shared/feeds/osv/osv.ts';
import { ratingOf, scoreVector } from '../../../shared/feeds/osv/severity.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const base = { id: 'X-1', modified: '2024-01-01T00:00:00Z' };

describe('CVSS scoring (FIRST published examples)', () => {
  it.each([
    // CVSS v3.1 specification examples (FIRST "CVSS v3.1 Examples"): Heartbleed CVE-2014-0160, Shellshock CVE-2014-6271.
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'High'],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'Critical'],
    // v3.0 examples: phpMyAdmin reflected XSS CVE-2013-1937; SSLv3 POODLE CVE-2014-3566.
    ['CVSS_V3', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'Medium'],
    ['CVSS_V3', 'CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'Low'],
    // v4.0: FIRST calculator's all-high network vector, and the all-none one.
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'Critical'],
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'None'],
    // v2 guide: Heartbleed as NVD scored it.
    ['CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:N/A:N', 5, 'Medium'],
  ])('%s %s → %s %s', (type, vector, score, rating) => {
    expect(scoreVector(type, vector)).toEqual({ type, vector, score, rating });
  });

  it('keeps an unscorable vector without a score', () => {
    expect(scoreVector('CVSS_V3', 'CVSS:3.1/AV:Q/AC:L')).toEqual({
      type: 'CVSS_V3',
      vector: 'CVSS:3.1/AV:Q/AC:L',
    });
    expect(scoreVector('CVSS_V3', 'CVSS:3.1/AV:N')).toEqual({ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N' });
    expect(scoreVector('CVSS_V3', 'nonsense')).toEqual({ type: 'CVSS_V3', vector: 'nonsense' });
  });

  it('uses the FIRST qualitative scale', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map((s) => ratingOf(s))).toEqual([
      'None',
      'Low',
      'Low',
      'Medium',
      'Medium',
      'High',
      'High',
      'Critical',
      'Critical',
    ]);
  });
});

describe('OSV records', () => {
  it('maps each affected package, keeping ecosystems exact and severity text', () => {
    const list = osvAdvisories(
      {
        ...base,
        aliases: ['CVE-2024-1'],
        upstream: ['CVE-2024-1', 'CVE-2024-2'],
        severity: [{ type: 'Ubuntu', score: 'medium' }],
        affected: [
          {
            package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'openssl' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.2-0ubuntu1.15' }] }],
          },
          { package: { ecosystem: 'Ubuntu:Pro:22.04:LTS', name: 'openssl' } },
          { package: { ecosystem: 'Debian:12', name: 'openssl' }, ecosystem_specific: { urgency: 'low' } },
        ],
      },
      'x',
      { ecosystems: ['Ubuntu:22.04:LTS', 'Debian:12'] },
    );
    expect(list.map((a) => [a.ecosystem, a.severity.text])).toEqual([
      ['Ubuntu:22.04:LTS', 'medium'],
      ['Debian:12', 'low'],
    ]);
    expect(list[0]!.aliases).toEqual(['CVE-2024-1', 'CVE-2024-2']);
  });

  it.each([
    ['a missing id', { modified: base.modified }, /id/],
    ['a bad modified time', { ...base, modified: 'yesterday' }, /modified: not an RFC 3339/],
    ['aliases as a string', { ...base, aliases: 'CVE-1' }, /aliases/],
    [
      'an unknown range type',
      {
        ...base,
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'a' },
            ranges: [{ type: 'RPM', events: [{ introduced: '0' }] }],
          },
        ],
      },
      /type/,
    ],
    [
      'an event with two keys',
      {
        ...base,
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'a' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }],
          },
        ],
      },
      /exactly one/,
    ],
    [
      'a range with no events',
      {
        ...base,
        affected: [
          { package: { ecosystem: 'Debian:12', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [] }] },
        ],
      },
      /events/,
    ],
    ['severity without score', { ...base, severity: [{ type: 'CVSS_V3' }] }, /severity/],
  ])('rejects a record with %s', (_, json, message) => {
    expect(() => osvAdvisories(json, 'x')).toThrow(message);
  });

  it('reads the fixture zip and folder alike; a bad record is a note, not the end of the feed', async () => {
    const zip = await readOsvZip('test/fixtures/feeds/osv/all.zip');
    const folder = await readOsvFolder('test/fixtures/feeds/osv/records');
    expect(zip.advisories).toEqual(folder.advisories);
    expect(zip.source.date).toBe('2024-11-02T00:00:00.000Z');
    expect(zip.notes[0]).toBe('8 records read, 7 package advisories kept');
    expect(zip.notes.some((n) => n.includes('FIXTURE-BAD-TYPES.json') && n.includes('aliases'))).toBe(true);
    expect(zip.notes.some((n) => n.includes('FIXTURE-NOT-JSON.json') && n.includes('not JSON'))).toBe(true);
    const dsa = zip.advisories.find((a) => a.id === 'DSA-5514-1');
    expect(dsa).toMatchObject({
      ecosystem: 'Debian:12',
      package: 'glibc',
      aliases: ['CVE-2023-4911'],
      severity: { text: 'high', cvss: [{ type: 'CVSS_V3', score: 7.8, rating: 'High' }] },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }],
    });
    const v4 = zip.advisories.find((a) => a.id === 'FIXTURE-CVSS4-1');
    expect(v4?.severity.cvss[0]).toMatchObject({ score: 9.3, rating: 'Critical' });
    expect(v4?.ranges[0]?.events).toEqual([{ introduced: '1.0-1' }, { last_affected: '1.0-3' }]);
    expect(zip.advisories.find((a) => a.id === 'FIXTURE-WITHDRAWN-1')?.withdrawn).toBe(
      '2024-11-02T00:00:00Z',
    );
    const rocky = zip.advisories.find((a) => a.id === 'RLSA-2024:4312');
    expect(rocky?.severity.text).toBe('Important');
  });

  it('scopes a zip to one ecosystem', async () => {
    const feed = await readOsvZip('test/fixtures/feeds/osv/all.zip', {
      ecosystems: ['Ubuntu:Pro:22.04:LTS'],
    });
    expect(feed.advisories.map((a) => [a.id, a.ecosystem])).toEqual([['USN-6859-1', 'Ubuntu:Pro:22.04:LTS']]);
  });

  it('rejects a file that is not a zip, and skips oversized members', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osv-'));
    dirs.push(dir);
    await writeFile(join(dir, 'x.zip'), 'not a zip archive at all');
    await expect(readOsvZip(join(dir, 'x.zip'))).rejects.toThrow(/not a zip archive/);
    const big = JSON.stringify({ ...base, details: 'x'.repeat(5000) });
    await writeFile(
      join(dir, 'y.zip'),
      zipSync({ 'big.json': new TextEncoder().encode(big), 'README.txt': new Uint8Array([1]) }),
    );
    const feed = await readOsvZip(join(dir, 'y.zip'), { maxRecordBytes: 1000 });
    expect(feed.advisories).toHaveLength(0);
    expect(feed.notes.some((n) => n.includes('big.json: over 1000 bytes'))).toBe(true);
    await expect(readOsvFolder(join(dir))).rejects.toThrow(/no .json files/);
  });
});
