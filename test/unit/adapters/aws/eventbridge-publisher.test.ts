import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgePublisher,
  EventPublishError,
} from '../../../../shared/adapters/aws/eventbridge-publisher.ts';
import { makeEvent, type OutboardEvent } from '../../../../shared/contracts/events.ts';

const eb = mockClient(EventBridgeClient);
let delays: number[] = [];
const publisher = (maxRetries = 3) =>
  new EventBridgePublisher({
    client: new EventBridgeClient({ region: 'eu-west-1' }),
    busName: 'outboard-bus',
    maxRetries,
    baseDelayMs: 100,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });

const event = (i: number): OutboardEvent =>
  makeEvent('Guest Deleted', {
    tenantId: 't1',
    correlationId: `corr-${i}`,
    guestId: `gst_${String(i).padStart(10, '0')}`,
    disabledServices: ['backup'],
  });
const ok = (n: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: n }, (_, i) => ({ EventId: `e${i}` })),
});
const entriesOf = (call: number) => eb.commandCalls(PutEventsCommand)[call]?.args[0].input.Entries ?? [];

beforeEach(() => {
  eb.reset();
  delays = [];
});

describe('EventBridgePublisher', () => {
  it('puts entries with source, detail type, detail JSON, resources and bus name, 10 per call', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    const events = Array.from({ length: 12 }, (_, i) => event(i));
    events[0] = {
      ...events[0],
      resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc12345'],
    } as OutboardEvent;
    await publisher().publish(events);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(entriesOf(0)[0]).toEqual({
      Source: 'outboard',
      DetailType: 'Guest Deleted',
      Detail: JSON.stringify(events[0]?.detail),
      EventBusName: 'outboard-bus',
      Resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc12345'],
    });
    expect(entriesOf(0)[1]).not.toHaveProperty('Resources');
    expect(JSON.parse(entriesOf(1)[1]?.Detail ?? '')).toMatchObject({ guestId: 'gst_0000000011' });
  });

  it('does nothing for an empty list', async () => {
    await publisher().publish([]);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('retries only the failed entries with exponential backoff', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { ErrorCode: 'InternalFailure' }],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'b' }, { ErrorCode: 'InternalFailure' }] })
      .resolves(ok(1));
    const events = [event(0), event(1), event(2)];
    await publisher().publish(events);
    expect(entriesOf(1).map((e) => JSON.parse(e.Detail ?? '').guestId)).toEqual([
      'gst_0000000001',
      'gst_0000000002',
    ]);
    expect(entriesOf(2).map((e) => JSON.parse(e.Detail ?? '').guestId)).toEqual(['gst_0000000002']);
    expect(delays).toEqual([100, 200]);
  });

  it('throws naming the entries that still fail after the retries', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === input.Entries.length - 1
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }
          : { EventId: 'x' },
      ),
    }));
    const error = await publisher(2)
      .publish([event(0), event(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).failed).toEqual([
      { index: 1, detailType: 'Guest Deleted', code: 'InternalFailure', message: 'try later' },
    ]);
    expect((error as Error).message).toContain('#1 "Guest Deleted" (InternalFailure: try later)');
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
  });

  it('rejects an event whose detail does not match the catalogue before publishing any', async () => {
    const bad = { detailType: 'Guest Deleted', detail: { tenantId: 't1' } } as unknown as OutboardEvent;
    await expect(publisher().publish([event(0), bad])).rejects.toMatchObject({
      name: 'InvalidEventError',
      message: expect.stringMatching(/#1 "Guest Deleted".*none of the 2 events were published/),
    });
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('rejects an entry over 256 KiB before publishing any', async () => {
    const big = { ...event(1), resources: ['r'.repeat(256 * 1024)] };
    await expect(publisher().publish([event(0), big])).rejects.toMatchObject({ name: 'InvalidEventError' });
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('splits batches to stay under 256 KiB', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ok(input.Entries.length));
    const events = [0, 1, 2].map((i) => ({ ...event(i), resources: ['r'.repeat(100 * 1024)] }));
    await publisher().publish(events);
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([2, 1]);
  });
});
