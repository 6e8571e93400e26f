import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import {
  MAX_MESSAGE_BYTES,
  QueueError,
  SqliteQueue,
} from '../../../../shared/adapters/local/sqlite-queue.ts';

function setup(options: { maxReceiveCount?: number; retentionSeconds?: number } = {}) {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'ob-queue-')), 'q.db'));
  let now = 1_700_000_000_000;
  const clock = { advance: (ms: number) => (now += ms), get: () => now };
  const queue = new SqliteQueue(
    db,
    [
      {
        name: 'work',
        visibilityTimeoutSeconds: 30,
        maxReceiveCount: options.maxReceiveCount ?? 3,
        retentionSeconds: options.retentionSeconds ?? 3600,
        deadLetterQueue: 'work-dlq',
      },
      { name: 'work-dlq', visibilityTimeoutSeconds: 30, retentionSeconds: 1_209_600 },
    ],
    { now: () => now },
  );
  return { db, queue, clock };
}

describe('SqliteQueue', () => {
  it('delivers a sent message as an SQSRecord and removes it on delete', async () => {
    const { queue } = setup();
    await queue.send('work', [{ body: '{"a":1}', attributes: { kind: 'test' } }]);
    const { records } = queue.receive('work', 10);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.body).toBe('{"a":1}');
    expect(r.eventSource).toBe('aws:sqs');
    expect(r.eventSourceARN).toBe('arn:aws:sqs:local:000000000000:work');
    expect(r.attributes.ApproximateReceiveCount).toBe('1');
    expect(r.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(r.messageAttributes.kind?.stringValue).toBe('test');
    expect(queue.delete('work', r.receiptHandle)).toBe(true);
    expect(queue.receive('work', 10).records).toHaveLength(0);
  });

  it('hides a received message for the visibility timeout, then delivers it again with a higher receive count', async () => {
    const { queue, clock } = setup();
    await queue.send('work', [{ body: 'x' }]);
    const first = queue.receive('work', 1).records[0]!;
    expect(queue.receive('work', 1).records).toHaveLength(0);
    clock.advance(29_999);
    expect(queue.receive('work', 1).records).toHaveLength(0);
    clock.advance(1);
    const second = queue.receive('work', 1).records[0]!;
    expect(second.messageId).toBe(first.messageId);
    expect(second.attributes.ApproximateReceiveCount).toBe('2');
    expect(second.attributes.ApproximateFirstReceiveTimestamp).toBe(
      first.attributes.ApproximateFirstReceiveTimestamp,
    );
    // The first receipt is stale now: deleting with it does nothing.
    expect(queue.delete('work', first.receiptHandle)).toBe(false);
    expect(queue.delete('work', second.receiptHandle)).toBe(true);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const { queue, clock } = setup({ maxReceiveCount: 2 });
    await queue.send('work', [{ body: 'poison' }]);
    queue.receive('work', 1);
    clock.advance(30_000);
    queue.receive('work', 1);
    clock.advance(30_000);
    const third = queue.receive('work', 1);
    expect(third.records).toHaveLength(0);
    expect(third.deadLettered).toBe(1);
    const dead = queue.receive('work-dlq', 10).records;
    expect(dead.map((r) => r.body)).toEqual(['poison']);
  });

  it('redrives dead letters back to their source queue', async () => {
    const { queue, clock } = setup({ maxReceiveCount: 1 });
    await queue.send('work', [{ body: 'a' }, { body: 'b' }]);
    queue.receive('work', 10);
    clock.advance(30_000);
    expect(queue.receive('work', 10).deadLettered).toBe(2);
    expect(queue.redrive('work-dlq')).toBe(2);
    const back = queue.receive('work', 10).records;
    expect(back.map((r) => r.body).sort()).toEqual(['a', 'b']);
    expect(back.every((r) => r.attributes.ApproximateReceiveCount === '1')).toBe(true);
  });

  it('honours per-message delay', async () => {
    const { queue, clock } = setup();
    await queue.send('work', [{ body: 'later', delaySeconds: 10 }, { body: 'now' }]);
    expect(queue.receive('work', 10).records.map((r) => r.body)).toEqual(['now']);
    clock.advance(10_000);
    expect(queue.receive('work', 10).records.map((r) => r.body)).toEqual(['later']);
  });

  it('changes visibility of a message in flight', async () => {
    const { queue, clock } = setup();
    await queue.send('work', [{ body: 'x' }]);
    const r = queue.receive('work', 1).records[0]!;
    expect(queue.changeVisibility('work', r.receiptHandle, 0)).toBe(true);
    clock.advance(1);
    expect(queue.receive('work', 1).records).toHaveLength(1);
  });

  it('returns at most the batch size asked for', async () => {
    const { queue } = setup();
    await queue.send(
      'work',
      Array.from({ length: 25 }, (_, i) => ({ body: `m${i}` })),
    );
    expect(queue.receive('work', 10).records).toHaveLength(10);
    expect(queue.receive('work', 10).records).toHaveLength(10);
    expect(queue.receive('work', 10).records).toHaveLength(5);
  });

  it('rejects what SQS rejects, and sends nothing of a batch with one bad message', async () => {
    const { queue } = setup();
    await expect(queue.send('nope', [{ body: 'x' }])).rejects.toThrow(/does not exist/);
    await expect(queue.send('work', [{ body: '' }])).rejects.toBeInstanceOf(QueueError);
    await expect(queue.send('work', [{ body: 'x', delaySeconds: 901 }])).rejects.toThrow(/DelaySeconds/);
    await expect(
      queue.send('work', [{ body: 'ok' }, { body: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }]),
    ).rejects.toThrow(/exceeds/);
    expect(queue.receive('work', 10).records).toHaveLength(0);
  });

  it('makes messages held by a dead receiver visible again', async () => {
    const { db, queue } = setup();
    await queue.send('work', [{ body: 'x' }]);
    queue.receive('work', 1);
    const successor = new SqliteQueue(db, [
      { name: 'work', visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionSeconds: 3600 },
    ]);
    expect(successor.releaseOrphans()).toBe(1);
    expect(successor.receive('work', 1).records).toHaveLength(1);
  });

  it('purges messages past their retention period', async () => {
    const { queue, clock } = setup({ retentionSeconds: 60 });
    await queue.send('work', [{ body: 'old' }]);
    clock.advance(61_000);
    await queue.send('work', [{ body: 'new' }]);
    expect(queue.purgeExpired()).toBe(1);
    expect(queue.receive('work', 10).records.map((r) => r.body)).toEqual(['new']);
  });

  it('reports visible, in-flight and delayed counts', async () => {
    const { queue } = setup();
    await queue.send('work', [{ body: 'a' }, { body: 'b' }, { body: 'c', delaySeconds: 60 }]);
    queue.receive('work', 1);
    expect(queue.stats().find((s) => s.queue === 'work')).toEqual({
      queue: 'work',
      visible: 1,
      inFlight: 1,
      delayed: 1,
    });
  });
});
