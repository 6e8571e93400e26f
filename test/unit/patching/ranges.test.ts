import { describe, expect, it } from 'vitest';
import type { AffectedRange, RangeEvent, VersionScheme } from '../../../shared/feeds/types.ts';
import { comparator, evaluateAffected } from '../../../shared/patching/ranges.ts';
import { compareVersions } from '../../../shared/versions/index.ts';

const eco = (...events: RangeEvent[]): AffectedRange => ({ type: 'ECOSYSTEM', events });

interface Case {
  name: string;
  scheme?: VersionScheme;
  ranges: AffectedRange[];
  versions?: string[];
  installed: string;
  affected: boolean;
  fixed?: string;
  invalid?: string[];
}

const CASES: Case[] = [
  // introduced 0 / fixed
  {
    name: 'introduced 0, below fixed',
    ranges: [eco({ introduced: '0' }, { fixed: '1.2-1' })],
    installed: '1.1-5',
    affected: true,
    fixed: '1.2-1',
  },
  {
    name: 'introduced 0, at fixed (fixed is exclusive)',
    ranges: [eco({ introduced: '0' }, { fixed: '1.2-1' })],
    installed: '1.2-1',
    affected: false,
  },
  {
    name: 'introduced 0, above fixed',
    ranges: [eco({ introduced: '0' }, { fixed: '1.2-1' })],
    installed: '1.2-1+deb12u1',
    affected: false,
  },
  { name: 'introduced 0, no fix', ranges: [eco({ introduced: '0' })], installed: '99:1.0', affected: true },
  {
    name: 'events out of order are sorted',
    ranges: [eco({ fixed: '1.2-1' }, { introduced: '0' })],
    installed: '1.0-1',
    affected: true,
    fixed: '1.2-1',
  },
  // introduced X
  {
    name: 'below introduced',
    ranges: [eco({ introduced: '2.0-1' }, { fixed: '2.5-1' })],
    installed: '1.9-1',
    affected: false,
  },
  {
    name: 'at introduced (inclusive)',
    ranges: [eco({ introduced: '2.0-1' }, { fixed: '2.5-1' })],
    installed: '2.0-1',
    affected: true,
    fixed: '2.5-1',
  },
  {
    name: 'epoch puts it above fixed',
    ranges: [eco({ introduced: '0' }, { fixed: '2.5-1' })],
    installed: '1:1.0-1',
    affected: false,
  },
  // last_affected
  {
    name: 'last_affected is inclusive',
    ranges: [eco({ introduced: '1.0-1' }, { last_affected: '1.0-3' })],
    installed: '1.0-3',
    affected: true,
  },
  {
    name: 'above last_affected',
    ranges: [eco({ introduced: '1.0-1' }, { last_affected: '1.0-3' })],
    installed: '1.0-3+b1',
    affected: false,
  },
  {
    name: 'last_affected names no fix',
    ranges: [eco({ introduced: '0' }, { last_affected: '1.0-3' })],
    installed: '1.0-2',
    affected: true,
  },
  // limit
  {
    name: 'limit: at limit is outside',
    ranges: [eco({ introduced: '0' }, { limit: '2.0' })],
    installed: '2.0',
    affected: false,
  },
  {
    name: 'limit: below limit',
    ranges: [eco({ introduced: '0' }, { limit: '2.0' })],
    installed: '1.9',
    affected: true,
  },
  {
    name: 'limit *: no limit',
    ranges: [eco({ introduced: '0' }, { limit: '*' })],
    installed: '9.9',
    affected: true,
  },
  {
    name: 'limit with fixed inside',
    ranges: [eco({ introduced: '0' }, { fixed: '1.5' }, { limit: '3.0' })],
    installed: '1.6',
    affected: false,
  },
  // several intervals in one range, several ranges
  {
    name: 'two intervals: in the second',
    ranges: [eco({ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }, { fixed: '2.3' })],
    installed: '2.1',
    affected: true,
    fixed: '2.3',
  },
  {
    name: 'two intervals: between them',
    ranges: [eco({ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }, { fixed: '2.3' })],
    installed: '1.5',
    affected: false,
  },
  {
    name: 'two ranges: the lowest fix nothing else covers',
    ranges: [eco({ introduced: '0' }, { fixed: '1.5' }), eco({ introduced: '1.4' }, { fixed: '1.8' })],
    installed: '1.4',
    affected: true,
    fixed: '1.8',
  },
  {
    name: 'two ranges: fixed in one, still open in the other → no fix',
    ranges: [eco({ introduced: '0' }, { fixed: '1.5' }), eco({ introduced: '1.0' })],
    installed: '1.2',
    affected: true,
  },
  {
    name: 'GIT ranges are not evaluated',
    ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }],
    installed: '1.0',
    affected: false,
  },
  // enumerated versions
  {
    name: 'versions list: listed',
    ranges: [],
    versions: ['1.0-1', '1.0-2'],
    installed: '1.0-2',
    affected: true,
  },
  {
    name: 'versions list: equal under dpkg (epoch 0)',
    ranges: [],
    versions: ['0:1.0-2'],
    installed: '1.0-2',
    affected: true,
  },
  { name: 'versions list: not listed', ranges: [], versions: ['1.0-1'], installed: '1.0-3', affected: false },
  // invalid versions
  {
    name: 'invalid installed version',
    ranges: [eco({ introduced: '0' }, { fixed: '1.0' })],
    installed: 'not a version',
    affected: false,
    invalid: ['not a version'],
  },
  {
    name: 'invalid fixed: range skipped, noted',
    ranges: [eco({ introduced: '0' }, { fixed: '1.0 bad' })],
    installed: '0.5',
    affected: false,
    invalid: ['1.0 bad'],
  },
  {
    name: 'invalid range does not hide a valid one',
    ranges: [eco({ introduced: '0' }, { fixed: 'a b' }), eco({ introduced: '0' }, { fixed: '2.0' })],
    installed: '1.0',
    affected: true,
    fixed: '2.0',
    invalid: ['a b'],
  },
  // other schemes
  {
    name: 'rpm: epoch and release',
    scheme: 'rpm',
    ranges: [eco({ introduced: '0' }, { fixed: '1:3.0.7-27.el9' })],
    installed: '1:3.0.7-24.el9',
    affected: true,
    fixed: '1:3.0.7-27.el9',
  },
  {
    name: 'rpm: el9_4.1 above el9',
    scheme: 'rpm',
    ranges: [eco({ introduced: '0' }, { fixed: '8.7p1-38.el9_4.1' })],
    installed: '8.7p1-38.el9',
    affected: true,
    fixed: '8.7p1-38.el9_4.1',
  },
  {
    name: 'apk: -r revisions',
    scheme: 'apk',
    ranges: [eco({ introduced: '0' }, { fixed: '3.3.2-r0' })],
    installed: '3.3.1-r1',
    affected: true,
    fixed: '3.3.2-r0',
  },
  {
    name: 'apk: at fix',
    scheme: 'apk',
    ranges: [eco({ introduced: '0' }, { fixed: '3.3.2-r0' })],
    installed: '3.3.2-r0',
    affected: false,
  },
  {
    name: 'dpkg: tilde sorts low',
    ranges: [eco({ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' })],
    installed: '3.0.11-1~deb12u1',
    affected: true,
    fixed: '3.0.11-1~deb12u2',
  },
];

describe('OSV affected evaluation (ECOSYSTEM ranges, versions)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const v = evaluateAffected(c.scheme ?? 'dpkg', c.installed, {
        ranges: c.ranges,
        versions: c.versions ?? [],
      });
      expect(v.affected).toBe(c.affected);
      expect(v.fixedVersion).toBe(c.affected ? c.fixed : undefined);
      expect(v.invalid).toEqual(c.invalid ?? []);
    });
  }

  it('counts SEMVER/GIT ranges as skipped', () => {
    const v = evaluateAffected('dpkg', '1.0', {
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }, eco({ introduced: '0' }, { fixed: '2.0' })],
      versions: [],
    });
    expect(v).toMatchObject({ affected: true, fixedVersion: '2.0', skippedRanges: 1 });
  });
});

describe('comparator (parsed, cached) agrees with compareVersions', () => {
  const pairs: [VersionScheme, string, string][] = [
    ['dpkg', '1.0', '1.0-0'],
    ['dpkg', '1:1.0', '2.0'],
    ['dpkg', '1.0~rc1', '1.0'],
    ['dpkg', '2.36-9+deb12u3', '2.36-9+deb12u10'],
    ['dpkg', '5.2.15-2+b8', '5.2.15-2+b13'],
    ['rpm', '1:3.0.7-27.el9', '3.0.7-28.el9'],
    ['rpm', '8.7p1-38.el9_4.1', '8.7p1-38.el9_4'],
    ['rpm', '1.0^post1-1', '1.0-1'],
    ['rpm', '1.0~rc1-1', '1.0-1'],
    ['apk', '1.36.1-r29', '1.36.1-r2'],
    ['apk', '3.3.1_rc1-r0', '3.3.1-r0'],
  ];
  for (const [scheme, a, b] of pairs)
    it(`${scheme} ${a} vs ${b}`, () => {
      const c = comparator(scheme);
      expect(c.cmp(a, b)).toBe(compareVersions(scheme, a, b));
      expect(c.cmp(b, a)).toBe(compareVersions(scheme, b, a));
    });
});
