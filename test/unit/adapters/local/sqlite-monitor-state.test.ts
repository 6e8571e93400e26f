import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import { digest64, SqliteMonitorStateStore } from '../../../../shared/adapters/local/sqlite-monitor-state.ts';

function store(now = () => 1_000_000) {
  return new SqliteMonitorStateStore(openDatabase(':memory:'), { now });
}

describe('SqliteMonitorStateStore', () => {
  it('gives each event id to the first owner, again to that owner, never to another', async () => {
    const s = store();
    expect([...(await s.claimEvents('m1', ['a', 'b', 'a'], 2_000_000))].sort()).toEqual(['a', 'b']);
    expect([...(await s.claimEvents('m2', ['b', 'c'], 2_000_000))]).toEqual(['c']);
    expect([...(await s.claimEvents('m1', ['a', 'b', 'c'], 2_000_000))].sort()).toEqual(['a', 'b']);
  });

  it('lets an expired claim be taken by a new owner after the purge', async () => {
    let t = 1_000_000;
    const s = store(() => t);
    await s.claimEvents('m1', ['a'], 1_500_000);
    t = 1_600_000 + 60_000;
    expect([...(await s.claimEvents('m2', ['a'], 3_000_000))]).toEqual(['a']);
  });

  it('lets an expired claim be taken before any purge has run, and keeps a live one', async () => {
    let t = 1_000_000;
    const s = store(() => t);
    // The first call purges (nothing yet); the next purge is ten minutes away.
    await s.claimEvents('m1', ['a', 'b'], 1_000_500);
    await s.claimEvents('m1', ['c'], 5_000_000);
    t = 1_001_000;
    expect([...(await s.claimEvents('m2', ['a', 'c'], 9_000_000))]).toEqual(['a']);
    // m2 owns a now: m1's redelivery no longer holds it, m2's does.
    expect([...(await s.claimEvents('m1', ['a', 'b', 'c'], 9_000_000))].sort()).toEqual(['b', 'c']);
    expect([...(await s.claimEvents('m2', ['a'], 9_000_000))]).toEqual(['a']);
  });

  it('writes rule state only when every entry still has the version read', async () => {
    const s = store();
    expect(await s.putRuleState([{ key: 'k1', value: 'one', version: 0 }], 2_000_000)).toBe(true);
    expect(await s.putRuleState([{ key: 'k1', value: 'again', version: 0 }], 2_000_000)).toBe(false);
    const read = await s.getRuleState(['k1', 'k2']);
    expect(read.get('k1')).toEqual({ key: 'k1', value: 'one', version: 1 });
    expect(read.has('k2')).toBe(false);
    // One stale entry rolls back the whole write.
    expect(
      await s.putRuleState(
        [
          { key: 'k2', value: 'new', version: 0 },
          { key: 'k1', value: 'stale', version: 7 },
        ],
        2_000_000,
      ),
    ).toBe(false);
    expect((await s.getRuleState(['k2'])).has('k2')).toBe(false);
    expect(await s.putRuleState([{ key: 'k1', value: 'two', version: 1 }], 2_000_000)).toBe(true);
    expect((await s.getRuleState(['k1'])).get('k1')).toEqual({ key: 'k1', value: 'two', version: 2 });
  });

  it('reads an expired entry as empty but keeps its version for the next conditional write', async () => {
    let t = 1_000_000;
    const s = store(() => t);
    await s.putRuleState([{ key: 'k', value: 'v', version: 0 }], 1_100_000);
    t = 1_200_000;
    expect((await s.getRuleState(['k'])).get('k')).toEqual({ key: 'k', value: '', version: 1 });
    expect(await s.putRuleState([{ key: 'k', value: 'w', version: 1 }], 9_000_000)).toBe(true);
  });

  it('keeps the newest last-seen time per guest', async () => {
    const s = store();
    await s.recordLastSeen([
      { tenantId: 't', guestId: 'g1', at: 5 },
      { tenantId: 't', guestId: 'g2', at: 7 },
    ]);
    await s.recordLastSeen([
      { tenantId: 't', guestId: 'g1', at: 3 },
      { tenantId: 't', guestId: 'g2', at: 9 },
    ]);
    expect(await s.listLastSeen()).toEqual([
      { tenantId: 't', guestId: 'g1', at: 5 },
      { tenantId: 't', guestId: 'g2', at: 9 },
    ]);
  });
});

describe('digest64', () => {
  it('is the first 8 bytes of a base64url id, and of the SHA-1 of anything else', () => {
    for (let i = 0; i < 2000; i++) {
      const id = hash('sha256', `event ${i}`, 'base64url').slice(0, 11 + (i % 30));
      expect(digest64(id), id).toBe(Buffer.from(id.slice(0, 11), 'base64url').readBigInt64BE(0));
    }
    for (const other of ['a', 'short-id', 'has space in it', 'ümlaut-0123456789', 'abcdefghijk!']) {
      expect(digest64(other), other).toBe((hash('sha1', other, 'buffer') as Buffer).readBigInt64BE(0));
    }
  });
});
