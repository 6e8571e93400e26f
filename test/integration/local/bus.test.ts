import { describe, expect, it } from 'vitest';
import { LocalBus, PutEventsRejectedError } from '../../../shared/adapters/local/bus.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteQueue } from '../../../shared/adapters/local/sqlite-queue.ts';
import { makeEvent } from '../../../shared/contracts/events.ts';
import { queueConfigs } from '../../../shared/runtime/queues.ts';
import { busRules, topology } from '../../../shared/topology.ts';

function setup() {
  const db = openDatabase(':memory:');
  const woken: string[] = [];
  const queue = new SqliteQueue(
    db,
    [
      // Every queue a topology rule targets, and one of the test's own.
      ...queueConfigs(topology),
      { name: 'completed', visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionSeconds: 3600 },
    ],
    { onSent: (q) => woken.push(...q) },
  );
  const bus = new LocalBus(db, queue, [
    ...busRules(topology),
    {
      rule: {
        name: 'tenant-acme-completions',
        description: 'test',
        pattern: {
          source: ['outboard'],
          'detail-type': ['Backup Completed'],
          detail: { tenantId: [{ prefix: 'acme' }] },
        },
      },
      target: { kind: 'queue', queue: 'completed', function: 'x' },
    },
  ]);
  return { db, queue, bus, woken };
}

const request = (tenantId = 'acme') =>
  makeEvent('Backup Requested', {
    tenantId,
    correlationId: 'corr-1',
    guestId: 'gst_0000000000aaaaaaaaaaaaaaaa',
    jobId: 'job_0000000000aaaaaaaaaaaaaaaa',
    trigger: { kind: 'api' },
  });

describe('LocalBus', () => {
  it('delivers a matching event to the rule target queue as the EventBridge envelope, and archives it', async () => {
    const { bus, queue, woken } = setup();
    await bus.publish([request()]);
    const [record] = queue.receive('backup-requests', 10).records;
    const envelope = JSON.parse(record!.body);
    expect(envelope).toMatchObject({
      version: '0',
      source: 'outboard',
      'detail-type': 'Backup Requested',
      account: '000000000000',
      region: 'local',
      resources: [],
      detail: { tenantId: 'acme', correlationId: 'corr-1', schemaVersion: 1 },
    });
    expect(envelope.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(queue.receive('completed', 10).records).toHaveLength(0);
    expect(woken).toEqual(['backup-requests']);
    expect(bus.archived().map((e) => e.id)).toEqual([envelope.id]);
  });

  it('routes by detail content with the full pattern language', async () => {
    const { bus, queue } = setup();
    const completed = (tenantId: string) =>
      makeEvent('Backup Completed', {
        tenantId,
        correlationId: 'c',
        guestId: 'gst_0000000000aaaaaaaaaaaaaaaa',
        jobId: 'job_0000000000aaaaaaaaaaaaaaaa',
        restorePointId: 'rp_0000000000aaaaaaaaaaaaaaaa',
        connector: 'local',
        snapshotId: 'ob-1',
        disks: [{ index: 0, sizeBytes: 1, source: '/a.img' }],
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:00:01Z',
      });
    await bus.publish([completed('acme-eu'), completed('globex')]);
    const got = queue.receive('completed', 10).records.map((r) => JSON.parse(r.body).detail.tenantId);
    expect(got).toEqual(['acme-eu']);
    expect(bus.archived()).toHaveLength(2);
  });

  it('refuses a whole batch when one entry is invalid, and writes nothing', () => {
    const { bus, queue } = setup();
    expect(() =>
      bus.putEntries([
        { Source: 'outboard', DetailType: 'Backup Requested', Detail: JSON.stringify(request().detail) },
        { Source: 'aws.ec2', DetailType: 'x', Detail: '{}' },
      ]),
    ).toThrow(PutEventsRejectedError);
    expect(() => bus.putEntries([{ Source: 'outboard', DetailType: 'x', Detail: '[1]' }])).toThrow(
      /MalformedDetail/,
    );
    expect(bus.archived()).toHaveLength(0);
    expect(queue.receive('backup-requests', 10).records).toHaveLength(0);
  });

  it('replays archived events through the rules, marked with the replay name', async () => {
    const { bus, queue } = setup();
    await bus.publish([request(), request('globex')]);
    queue.receive('backup-requests', 10).records.forEach((r) => {
      queue.delete('backup-requests', r.receiptHandle);
    });
    const replayed = bus.replay({ name: 'rerun-1', from: new Date(0), to: new Date(Date.now() + 60_000) });
    expect(replayed).toBe(2);
    const again = queue.receive('backup-requests', 10).records.map((r) => JSON.parse(r.body));
    expect(again).toHaveLength(2);
    expect(again.every((e) => e['replay-name'] === 'rerun-1')).toBe(true);
  });
});
