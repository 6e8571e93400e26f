import { describe, expect, it } from 'vitest';
import { RANK_SCHEMES, rankFixedVersions, rankSchemeOf } from '../../../shared/feeds/fixed-ranks.ts';
import { buildFeedIndex } from '../../../shared/feeds/index.ts';
import { deserializeFeedIndex, serializeFeedIndex } from '../../../shared/feeds/index-store.ts';
import type { Advisory, AffectedRange } from '../../../shared/feeds/types.ts';

const fix = (fixed: string): AffectedRange[] => [
  { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] },
];

function adv(
  id: string,
  ecosystem: string,
  pkg: string,
  ranges: AffectedRange[],
  extra: Partial<Advisory> = {},
) {
  return {
    id,
    aliases: [],
    ecosystem,
    package: pkg,
    kind: 'security' as const,
    status: 'affected' as const,
    ranges,
    versions: [],
    severity: { cvss: [] },
    ...extra,
  };
}

const index = buildFeedIndex([
  {
    kind: 'osv',
    source: { location: 'test' },
    notes: [],
    advisories: [
      adv('D1', 'Debian:12', 'foo', fix('1.0-3')),
      adv('D2', 'Debian:12', 'foo', fix('1.0-1')),
      adv('D3', 'Debian:12', 'foo', fix('1.00-1')), // equal to 1.0-1 under dpkg
      adv('D4', 'Debian:12', 'foo', fix('0:0.9')), // equal to 0.9, below everything else
      adv('D5', 'Debian:12', 'foo', fix('x y')), // invalid under dpkg
      adv('D6', 'Debian:12', 'foo', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]), // no fix
      adv('D7', 'Debian:12', 'foo', [
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.1' }] },
      ]),
      adv('D8', 'Debian:12', 'foo', fix('1.0-2'), { status: 'not-affected' }),
      adv('D9', 'Debian:12', 'foo', fix('1.0~rc1-1')),
      adv('R1', 'Rocky Linux:9', 'bar', fix('1.0-1.el9_2')),
      adv('R2', 'Rocky Linux:9', 'bar', fix('1.0-1.el9')),
      adv('R3', 'Rocky Linux:9', 'bar', fix('0:1.0-1.el9')), // equal to 1.0-1.el9 under rpm
      adv('A1', 'Alpine:v3.20', 'baz', fix('1.0-r1')),
    ],
  },
]);

describe('fixed versions in order (ranks)', () => {
  it('maps ecosystems to the scheme their versions are compared by', () => {
    expect(rankSchemeOf('Debian:12')).toBe('dpkg');
    expect(rankSchemeOf('Ubuntu:22.04:LTS')).toBe('dpkg');
    expect(rankSchemeOf('Ubuntu:Pro:22.04:LTS')).toBe('dpkg');
    expect(rankSchemeOf('Rocky Linux:9')).toBe('rpm');
    expect(rankSchemeOf('Red Hat:enterprise_linux:9::baseos')).toBe('rpm');
    expect(rankSchemeOf('Alpine:v3.20')).toBeUndefined();
    expect(rankSchemeOf('PyPI')).toBeUndefined();
  });

  it('orders each key’s valid simple fixes; equal versions share a rank; other rows have none', () => {
    const rows = index.advisoryRows();
    const ranks = rankFixedVersions(rows, index.tables.advisoryKeys);
    const keyOf = (eco: string, name: string) => rows.key(eco, name);
    const ranked = (k: number) =>
      [...ranks.ranked.subarray(ranks.start[k]!, ranks.start[k]! + ranks.count[k]!)].map((id) =>
        rows.string(id),
      );
    const byId = (k: number) => {
      const out: Record<string, number> = {};
      const span = rows.keySpan(k);
      for (let r = rows.start(span); r < rows.start(span) + rows.count(span); r++)
        out[rows.metaOf(rows.meta[r]!).id] = ranks.rank[r]!;
      return out;
    };
    const foo = keyOf('Debian:12', 'foo');
    expect(RANK_SCHEMES[ranks.scheme[foo]! - 1]).toBe('dpkg');
    expect(ranked(foo)).toEqual(['0:0.9', '1.0~rc1-1', '1.0-1', '1.0-3']);
    expect(byId(foo)).toEqual({ D1: 3, D2: 2, D3: 2, D4: 0, D5: -1, D6: -1, D7: -1, D8: -1, D9: 1 });
    const bar = keyOf('Rocky Linux:9', 'bar');
    expect(RANK_SCHEMES[ranks.scheme[bar]! - 1]).toBe('rpm');
    expect(ranked(bar)).toEqual(['1.0-1.el9', '1.0-1.el9_2']);
    expect(byId(bar)).toEqual({ R1: 1, R2: 0, R3: 0 });
    const baz = keyOf('Alpine:v3.20', 'baz');
    expect(ranks.scheme[baz]).toBe(0);
    expect(ranks.count[baz]).toBe(0);
    expect(byId(baz)).toEqual({ A1: -1 });
  });

  it('travel with the binary format and are offered only for the scheme they were made under', () => {
    const built = index.advisoryRows();
    const foo = built.key('Debian:12', 'foo');
    // An index built in memory has no ranks: the matcher compares row by row.
    expect(built.ranking(foo, 'dpkg')).toBeUndefined();
    expect([...built.fixedRank].every((r) => r === -1)).toBe(true);
    const rows = deserializeFeedIndex(serializeFeedIndex(index)).advisoryRows();
    const k = rows.key('Debian:12', 'foo');
    rows.keySpan(k);
    expect([...rows.ranking(k, 'dpkg')!].map((id) => rows.string(id))).toEqual([
      '0:0.9',
      '1.0~rc1-1',
      '1.0-1',
      '1.0-3',
    ]);
    expect(rows.ranking(k, 'rpm')).toBeUndefined();
    expect(rows.ranking(k, 'apk')).toBeUndefined();
    const first = rows.start(rows.keySpan(k));
    expect(rows.fixedRank[first]).toBe(3); // D1, fixed in 1.0-3
  });
});
