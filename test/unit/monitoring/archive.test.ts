import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import type { MonitorEvent } from '../../../shared/contracts/monitoring.ts';
import { parseArchiveKey } from '../../../shared/monitoring/archive/keys.ts';
import { ArchiveQueryError, queryArchive } from '../../../shared/monitoring/archive/reader.ts';
import { writeArchive } from '../../../shared/monitoring/archive/writer.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-05-31T22:30:00.000Z');
const owner = { tenantId: 't1', guestId: 'gst_aaaaaaaaaa' };

function event(n: number, receivedMs: number, over: Partial<MonitorEvent> = {}): MonitorEvent {
  return {
    id: `e${n}`,
    time: new Date(receivedMs - 1000).toISOString(),
    timeText: null,
    timeSource: 'event',
    receivedAt: new Date(receivedMs).toISOString(),
    tenantId: 't1',
    guestId: 'gst_aaaaaaaaaa',
    attributedBy: 'source-address',
    host: 'web1',
    sourceKind: 'syslog',
    transport: 'tcp',
    listener: 'syslog',
    sourceAddress: '10.0.0.5',
    severity: 'notice',
    facility: 'daemon',
    app: 'app',
    procId: null,
    msgId: null,
    eventId: null,
    channel: null,
    recordId: null,
    message: `message ${n}`,
    structuredData: null,
    fields: {},
    flags: [],
    raw: `raw ${n}`,
    ...over,
  };
}

const store = () => new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-archive-')));

describe('event archive', () => {
  it('writes one gzip NDJSON object per receive-hour partition, named by the owner', async () => {
    const s = store();
    const writes = await writeArchive(
      s,
      [event(1, T0), event(2, T0 + H), event(3, T0 + 10 * 60_000)],
      'msg-1',
      () => 90,
    );
    expect(writes.map((w) => [w.key, w.events])).toEqual([
      [
        'retention=90d/tenant=t1/guest=gst_aaaaaaaaaa/date=2026-05-31/hour=22/1780266600000-msg-1.ndjson.gz',
        2,
      ],
      [
        'retention=90d/tenant=t1/guest=gst_aaaaaaaaaa/date=2026-05-31/hour=23/1780270200000-msg-1.ndjson.gz',
        1,
      ],
    ]);
    const body = (await s.get(writes[0]!.key))!.body;
    const lines = gunzipSync(body).toString('utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['e1', 'e3']);
    expect(parseArchiveKey(writes[0]!.key)).toEqual({
      retentionDays: 90,
      date: '2026-05-31',
      hour: 22,
      name: '1780266600000-msg-1.ndjson.gz',
    });
  });

  it('puts unattributed events under their own partition', async () => {
    const s = store();
    const [w] = await writeArchive(s, [event(1, T0, { tenantId: null, guestId: null })], 'm', () => 90);
    expect(w!.key.startsWith('retention=30d/tenant=_unattributed/guest=_unattributed/')).toBe(true);
  });

  it('reads back in receipt order across hours, days and retention classes, by range and query', async () => {
    const s = store();
    await writeArchive(s, [event(1, T0), event(2, T0 + 2 * H)], 'a', () => 90); // crosses midnight
    await writeArchive(
      s,
      [event(3, T0 + 3 * H, { app: 'sshd', message: 'Failed password for root' })],
      'b',
      () => 7,
    );
    const all = await queryArchive(s, owner, { from: T0 - H, to: T0 + 5 * H, limit: 100 });
    expect(all.items.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    const ranged = await queryArchive(s, owner, { from: T0 + H, to: T0 + 5 * H, limit: 100 });
    expect(ranged.items.map((e) => e.id)).toEqual(['e2', 'e3']);
    const q = await queryArchive(s, owner, {
      from: T0 - H,
      to: T0 + 5 * H,
      limit: 100,
      q: 'app:SSHD failed',
    });
    expect(q.items.map((e) => e.id)).toEqual(['e3']);
    const none = await queryArchive(s, owner, {
      from: T0 - H,
      to: T0 + 5 * H,
      limit: 100,
      q: 'app:sshd nothing',
    });
    expect(none.items).toEqual([]);
  });

  it('pages with a cursor and never repeats or skips an event', async () => {
    const s = store();
    await writeArchive(
      s,
      Array.from({ length: 7 }, (_, i) => event(i, T0 + i * 1000)),
      'a',
      () => 90,
    );
    await writeArchive(
      s,
      Array.from({ length: 5 }, (_, i) => event(10 + i, T0 + 60_000 + i)),
      'b',
      () => 90,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryArchive(s, owner, {
        from: T0 - H,
        to: T0 + H,
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `e${i}`),
      ...Array.from({ length: 5 }, (_, i) => `e${10 + i}`),
    ]);
  });

  it('refuses a backwards or over-long range and a cursor of another guest', async () => {
    const s = store();
    await expect(queryArchive(s, owner, { from: T0, to: T0 - 1, limit: 1 })).rejects.toThrow(
      ArchiveQueryError,
    );
    await expect(queryArchive(s, owner, { from: T0 - 100 * 24 * H, to: T0, limit: 1 })).rejects.toThrow(
      /93 days/,
    );
    await writeArchive(s, [event(1, T0), event(2, T0 + 1)], 'a', () => 90);
    const page = await queryArchive(s, owner, { from: T0 - H, to: T0 + H, limit: 1 });
    await expect(
      queryArchive(
        s,
        { tenantId: 't1', guestId: 'gst_bbbbbbbbbb' },
        { from: T0 - H, to: T0 + H, limit: 1, cursor: page.nextCursor! },
      ),
    ).rejects.toThrow(/another guest/);
    await expect(
      queryArchive(s, owner, { from: T0 - H, to: T0 + H, limit: 1, cursor: 'garbage' }),
    ).rejects.toThrow(ArchiveQueryError);
  });
});
