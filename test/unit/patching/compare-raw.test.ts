import { describe, expect, it } from 'vitest';
import { comparator } from '../../../shared/patching/ranges.ts';
import { isValidVersion, tryCompareVersions, type VersionScheme } from '../../../shared/versions/index.ts';

// The saved index orders fixed versions by each scheme's parse and compareParsed, and checks them
// with isValid (shared/feeds/fixed-ranks.ts); the matcher compares through its cached comparator.
// The string comparison, isValidVersion and the comparator must all agree.
const VERSIONS: Record<VersionScheme, string[]> = {
  dpkg: [
    '0',
    '1.0',
    '1.0-1',
    '1.0-1~old5',
    '1.0-1+deb12u1',
    '1:1.0-1',
    '1:1.2.13.dfsg-1',
    '2.36-9+deb12u4',
    '2.36-9+deb12u4~old17',
    '2.36-9+deb12u12.99',
    '3.0.17-1~deb12u2',
    '1.0é',
    '1.0z',
    '1.0~rc1',
    'a1.0',
    '1.0-',
    '',
    ' 1.0',
    '1.0 -1',
    'x:1',
    '1.0+really0.9',
    '10',
    '9.9',
  ],
  rpm: [
    '1.0',
    '1.0-1',
    '1:1.0-1',
    '1.0-1.el9',
    '1.0-1.el9_4.1',
    '2.28-236.el9',
    '1.0^git1',
    '1.0~rc1',
    '',
    'a',
  ],
  apk: ['1.0', '1.0-r0', '1.0-r1', '1.0_rc1-r0', '3.3.2-r0', '1.0a-r0', '1.0_p1', 'x', '', '1.0-r'],
};

describe('raw version comparison agrees with the cached comparator', () => {
  for (const scheme of ['dpkg', 'rpm', 'apk'] as const)
    it(scheme, () => {
      const c = comparator(scheme);
      for (const a of VERSIONS[scheme]) {
        expect(isValidVersion(scheme, a)).toBe(c.valid(a));
        for (const b of VERSIONS[scheme]) {
          if (!c.valid(a) || !c.valid(b)) {
            expect(tryCompareVersions(scheme, a, b)).toBeUndefined();
            continue;
          }
          expect([a, b, tryCompareVersions(scheme, a, b)]).toEqual([a, b, c.cmp(a, b)]);
        }
      }
    });
});
