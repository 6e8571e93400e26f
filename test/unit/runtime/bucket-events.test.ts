/**
 * The local stand-in for S3 → EventBridge: files under `<root>/<bucket>/` become `aws.s3` Object Created
 * events on the local bus (routed to av-object-events by the topology's rule), once each version, after
 * they stayed the same for one poll; what was reported survives a restart.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../../shared/adapters/local/bus.ts';
import { FsObjectStore } from '../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../shared/adapters/local/sqlite.ts';
import { SqliteQueue } from '../../../shared/adapters/local/sqlite-queue.ts';
import { S3ObjectCreatedEvent } from '../../../shared/contracts/watched-buckets.ts';
import { BucketEventPoller } from '../../../shared/runtime/bucket-events.ts';
import { queueConfigs } from '../../../shared/runtime/queues.ts';
import { busRules, topology } from '../../../shared/topology.ts';
import { silentLogger } from '../../support/fakes.ts';

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'ob-bucket-events-'));
  const root = join(home, 'buckets');
  mkdirSync(join(root, 'uploads', 'incoming'), { recursive: true });
  const db = openDatabase(':memory:');
  const queue = new SqliteQueue(db, queueConfigs(topology));
  const bus = new LocalBus(db, queue, busRules(topology));
  const state = new FsObjectStore(join(home, 'objects'));
  const poller = () => new BucketEventPoller({ root, bus, state, logger: silentLogger });
  const queued = () =>
    queue
      .receive('av-object-events', 10, 60)
      .records.map((m) => S3ObjectCreatedEvent.parse(JSON.parse(m.body)));
  return { root, bus, poller, queued };
}

describe('BucketEventPoller', () => {
  it('reports a new file once it stayed the same for a poll, as S3 Object Created routed to av-object-events', async () => {
    const t = setup();
    const p = t.poller();
    writeFileSync(join(t.root, 'uploads', 'incoming', 'x.bin'), 'abc');
    expect(await p.poll()).toBe(0);
    expect(await p.poll()).toBe(1);
    expect(await p.poll()).toBe(0);
    const events = t.queued();
    expect(events).toHaveLength(1);
    expect(events[0]!.resources).toEqual(['arn:aws:s3:::uploads']);
    expect(events[0]!.detail).toMatchObject({
      bucket: { name: 'uploads' },
      object: { key: 'incoming/x.bin', size: 3 },
    });
    expect(t.bus.archived({ detailType: 'Object Created' })[0]!.source).toBe('aws.s3');
  });

  it('reports a changed file again, and not what it reported before a restart', async () => {
    const t = setup();
    const file = join(t.root, 'uploads', 'a.txt');
    writeFileSync(file, 'one');
    const first = t.poller();
    await first.poll();
    expect(await first.poll()).toBe(1);
    const restarted = t.poller();
    await restarted.poll();
    expect(await restarted.poll()).toBe(0);
    writeFileSync(file, 'two!');
    utimesSync(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    await restarted.poll();
    expect(await restarted.poll()).toBe(1);
    const events = t.queued();
    expect(events.map((e) => e.detail.object.size)).toEqual([3, 4]);
    expect(events[0]!.detail.object.etag).not.toBe(events[1]!.detail.object.etag);
  });

  it('skips folders that are not bucket names', async () => {
    const t = setup();
    mkdirSync(join(t.root, 'Not_A_Bucket'));
    writeFileSync(join(t.root, 'Not_A_Bucket', 'f'), 'x');
    writeFileSync(join(t.root, 'loose-file'), 'x');
    const p = t.poller();
    await p.poll();
    expect(await p.poll()).toBe(0);
  });

  it('the bus takes aws.* sources only through this door', () => {
    const t = setup();
    expect(() =>
      t.bus.putEntries([{ Source: 'aws.s3', DetailType: 'Object Created', Detail: '{}', Resources: [] }]),
    ).toThrow(/NotAuthorizedForSource/);
    expect(() => t.bus.deliverServiceEvent({ source: 'outboard', detailType: 'x', detail: {} })).toThrow(
      /not an AWS service/,
    );
  });
});
