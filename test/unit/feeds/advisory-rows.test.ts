import { beforeAll, describe, expect, it } from 'vitest';
import { importFeed } from '../../../shared/feeds/import.ts';
import { buildFeedIndex, type FeedIndex, ROW_COMPLEX, ROW_NO_FIX } from '../../../shared/feeds/index.ts';
import { deserializeFeedIndex, serializeFeedIndex } from '../../../shared/feeds/index-store.ts';
import type { Feed } from '../../../shared/feeds/types.ts';
import { syntheticAdvisoriesFor, syntheticScale } from '../patching/synthetic.ts';

/** Every key's rows, read through the lean accessor, as advisoriesFor shapes them. */
function expectRowsEqualAdvisoriesFor(index: FeedIndex) {
  const rows = index.advisoryRows();
  let seen = 0;
  for (const key of index.data.advisoryKeys.keys()) {
    const [eco, name] = key.split('\u0000') as [string, string];
    const span = rows.span(eco, name);
    const lean = [];
    for (let r = rows.start(span); r < rows.start(span) + rows.count(span); r++) {
      const m = rows.metaOf(rows.meta[r]!);
      const d = rows.decode(r);
      expect(rows.notAffected[r]).toBe(d.status === 'not-affected' ? 1 : 0);
      // The pre-parsed shape agrees with the decoded ranges.
      const f = rows.simpleFixed[r]!;
      if (f !== ROW_COMPLEX) {
        expect(d.versions).toEqual([]);
        expect(d.ranges).toHaveLength(1);
        expect(d.ranges[0]!.type).toBe('ECOSYSTEM');
        const fixed = d.ranges[0]!.events.flatMap((e) => ('fixed' in e ? [e.fixed] : []));
        expect(fixed).toEqual(f === ROW_NO_FIX ? [] : [rows.strings[f]]);
      }
      lean.push({ ...m, ...d });
      seen++;
    }
    const full = index.advisoriesFor(eco, name).map((a) => ({
      id: a.id,
      aliases: a.aliases,
      kind: a.kind,
      severity: a.severity,
      status: a.status,
      ranges: a.ranges,
      versions: a.versions,
    }));
    expect(JSON.stringify(lean)).toBe(JSON.stringify(full));
  }
  expect(seen).toBe(rows.length);
  expect(rows.span('no such ecosystem', 'x')).toBe(-1);
  expect(rows.count(-1)).toBe(0);
  return rows;
}

describe('AdvisoryRows (the lean read path for matching)', () => {
  let fixtures: Feed[];
  beforeAll(async () => {
    fixtures = [
      ...(await importFeed('test/fixtures/feeds/rpm-repo')),
      ...(await importFeed('test/fixtures/feeds/alpine/v3.20/main.json')),
      ...(await importFeed('test/fixtures/feeds/osv/records')),
    ];
  });

  it('reads exactly what advisoriesFor returns on the fixture index, built and reloaded', () => {
    const index = buildFeedIndex(fixtures);
    const rows = expectRowsEqualAdvisoriesFor(index);
    expect(rows.length).toBeGreaterThan(0);
    expect(index.advisoryRows()).toBe(rows); // built once per index
    expectRowsEqualAdvisoriesFor(deserializeFeedIndex(serializeFeedIndex(index)));
  });

  it('reads exactly what advisoriesFor returns on synthetic indexes', () => {
    const { inventory, feeds } = syntheticScale(200, 5_000);
    const simple = expectRowsEqualAdvisoriesFor(buildFeedIndex(feeds));
    expect([...simple.simpleFixed].every((f) => f !== ROW_COMPLEX)).toBe(true);
    const mixed = expectRowsEqualAdvisoriesFor(
      buildFeedIndex([
        {
          kind: 'osv',
          source: { location: 's' },
          advisories: syntheticAdvisoriesFor(inventory, 5_000),
          notes: [],
        },
      ]),
    );
    expect([...mixed.simpleFixed].filter((f) => f === ROW_COMPLEX).length).toBeGreaterThan(0);
    expect([...mixed.simpleFixed].filter((f) => f === ROW_NO_FIX).length).toBeGreaterThan(0);
  });

  it('takes only `introduced 0` with at most one fix, no versions, as the simple shape', () => {
    const base = {
      aliases: [],
      kind: 'security' as const,
      status: 'affected' as const,
      severity: { cvss: [] },
    };
    const eco = 'Debian:12';
    const shapes = [
      [[{ introduced: '0' }, { fixed: '1.0' }], [], 'fix'],
      [[{ fixed: '1.0' }, { introduced: '0' }], [], 'fix'],
      [[{ introduced: '0' }], [], 'none'],
      [[{ introduced: '0' }, { fixed: '1.0' }], ['0.9'], 'complex'],
      [[{ introduced: '1' }, { fixed: '1.0' }], [], 'complex'],
      [[{ introduced: '0' }, { introduced: '0' }], [], 'complex'],
      [[{ introduced: '0' }, { fixed: '1' }, { fixed: '2' }], [], 'complex'],
      [[{ introduced: '0' }, { last_affected: '1.0' }], [], 'complex'],
      [[{ fixed: '1.0' }], [], 'complex'],
    ] as const;
    const index = buildFeedIndex([
      {
        kind: 'osv',
        source: { location: 's' },
        advisories: shapes.map(([events, versions], i) => ({
          ...base,
          id: `A-${i}`,
          ecosystem: eco,
          package: `p${i}`,
          ranges: [{ type: 'ECOSYSTEM' as const, events: [...events] }],
          versions: [...versions],
        })),
        notes: [],
      },
    ]);
    const rows = expectRowsEqualAdvisoriesFor(index);
    shapes.forEach(([, , want], i) => {
      const f = rows.simpleFixed[rows.start(rows.span(eco, `p${i}`))]!;
      expect(f === ROW_COMPLEX ? 'complex' : f === ROW_NO_FIX ? 'none' : 'fix').toBe(want);
    });
    // A SEMVER range is never the simple shape.
    const semver = buildFeedIndex([
      {
        kind: 'osv',
        source: { location: 's' },
        advisories: [
          {
            ...base,
            id: 'S',
            ecosystem: eco,
            package: 's',
            versions: [],
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
          },
        ],
        notes: [],
      },
    ]).advisoryRows();
    expect(semver.simpleFixed[0]).toBe(ROW_COMPLEX);
  });
});
