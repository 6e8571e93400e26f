import { describe, expect, it } from 'vitest';
import {
  buildEventEnvelope,
  entrySize,
  formatEventTime,
  PUT_EVENTS_LIMITS,
  type PutEventsRequestEntry,
  PutEventsRequestError,
  putEvents,
  validatePutEventsEntries,
  validatePutEventsEntry,
} from '../../../shared/eventbridge/put-events.ts';

const good: PutEventsRequestEntry = {
  Source: 'outboard.backup',
  DetailType: 'Backup Requested',
  Detail: '{"guestId":"gst_0123456789"}',
};

function counter(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** An entry whose `entrySize` is exactly `size` (Source "s", DetailType "d", Detail {"a":"xxx…"}). */
function entryOfSize(size: number): PutEventsRequestEntry {
  const overhead = 1 + 1 + '{"a":""}'.length;
  return { Source: 's', DetailType: 'd', Detail: `{"a":"${'x'.repeat(size - overhead)}"}` };
}

function requestError(fn: () => unknown): PutEventsRequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PutEventsRequestError) return error;
    throw error;
  }
  throw new Error('expected a PutEventsRequestError');
}

describe('entrySize', () => {
  it('counts Source, DetailType and Detail in UTF-8 bytes', () => {
    expect(entrySize({ Source: 'é', DetailType: '€', Detail: '{}' })).toBe(2 + 3 + 2);
  });

  it('counts 14 bytes for a Time and each resource', () => {
    const entry = { ...good, Time: new Date(), Resources: ['arn:a', 'arn:bb'] };
    expect(entrySize(entry)).toBe(14 + 15 + 16 + good.Detail!.length + 5 + 6);
  });

  it('does not count EventBusName or TraceHeader', () => {
    expect(entrySize({ ...good, EventBusName: 'bus', TraceHeader: 'Root=1' })).toBe(entrySize(good));
  });

  it('counts missing members as nothing', () => {
    expect(entrySize({})).toBe(0);
  });
});

describe('request-level validation', () => {
  it('accepts a request of exactly 256 KB', () => {
    const entry = entryOfSize(PUT_EVENTS_LIMITS.maxRequestBytes);
    expect(entrySize(entry)).toBe(262_144);
    expect(validatePutEventsEntries([entry]).failed).toBe(0);
  });

  it('rejects a request one byte over 256 KB', () => {
    const error = requestError(() => validatePutEventsEntries([entryOfSize(262_145)]));
    expect(error.message).toBe('Total size of the entries in the request is over the limit.');
    expect(error.code).toBe('ValidationException');
  });

  it('adds the sizes of all entries', () => {
    const half = entryOfSize(131_072);
    expect(validatePutEventsEntries([half, half]).failed).toBe(0);
    expect(() =>
      validatePutEventsEntries([half, half, { Source: 's', DetailType: 'd', Detail: '{}' }]),
    ).toThrow(PutEventsRequestError);
  });

  it('counts the Time of every entry', () => {
    const entry = { ...entryOfSize(262_144 - 13), Time: new Date() };
    expect(() => validatePutEventsEntries([entry])).toThrow(/over the limit/);
  });

  it('accepts 10 entries', () => {
    const result = validatePutEventsEntries(Array.from({ length: 10 }, () => good));
    expect(result.failed).toBe(0);
    expect(result.results).toHaveLength(10);
  });

  it('rejects 11 entries', () => {
    const error = requestError(() => validatePutEventsEntries(Array.from({ length: 11 }, () => good)));
    expect(error.message).toContain('Member must have length less than or equal to 10');
  });

  it('rejects an empty request', () => {
    expect(() => validatePutEventsEntries([])).toThrow(/greater than or equal to 1/);
  });

  it('rejects an EventBusName that breaks the pattern', () => {
    const error = requestError(() => validatePutEventsEntries([good, { ...good, EventBusName: 'my bus' }]));
    expect(error.message).toContain("at 'entries.2.member.eventBusName'");
  });

  it('accepts a bus name or a bus ARN', () => {
    const entries = [
      { ...good, EventBusName: 'outboard' },
      { ...good, EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/outboard' },
    ];
    expect(validatePutEventsEntries(entries).failed).toBe(0);
  });

  it('rejects an over-long TraceHeader', () => {
    expect(() => validatePutEventsEntries([{ ...good, TraceHeader: 'x'.repeat(501) }])).toThrow(
      /traceHeader/,
    );
  });
});

describe('entry validation', () => {
  it('accepts a well-formed entry', () => {
    expect(validatePutEventsEntry(good)).toBeUndefined();
  });

  it.each(['Source', 'DetailType', 'Detail'] as const)('requires %s', (member) => {
    const entry = { ...good, [member]: undefined };
    expect(validatePutEventsEntry(entry)).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
    });
  });

  it('rejects a source starting with aws.', () => {
    expect(validatePutEventsEntry({ ...good, Source: 'aws.ec2' })).toEqual({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: 'Not authorized for the source.',
    });
  });

  it('allows a source that merely starts with "aws"', () => {
    expect(validatePutEventsEntry({ ...good, Source: 'awsome.app' })).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"a":'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"text"'],
    ['JSON null', 'null'],
    ['a number', '42'],
  ])('rejects a Detail that is %s', (_label, detail) => {
    expect(validatePutEventsEntry({ ...good, Detail: detail })).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
  });

  it('accepts an empty JSON object as Detail', () => {
    expect(validatePutEventsEntry({ ...good, Detail: '{}' })).toBeUndefined();
  });

  it('limits Detail nesting depth', () => {
    const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    expect(
      validatePutEventsEntry({ ...good, Detail: nested(PUT_EVENTS_LIMITS.maxDetailDepth) }),
    ).toBeUndefined();
    expect(
      validatePutEventsEntry({ ...good, Detail: nested(PUT_EVENTS_LIMITS.maxDetailDepth + 1) })?.ErrorCode,
    ).toBe('MalformedDetail');
  });

  it('limits DetailType to 128 characters', () => {
    expect(validatePutEventsEntry({ ...good, DetailType: 'd'.repeat(128) })).toBeUndefined();
    expect(validatePutEventsEntry({ ...good, DetailType: 'd'.repeat(129) })?.ErrorCode).toBe(
      'InvalidArgument',
    );
  });

  it('rejects an invalid Time', () => {
    expect(validatePutEventsEntry({ ...good, Time: new Date(Number.NaN) })?.ErrorMessage).toMatch(
      /^Parameter Time/,
    );
  });

  it('rejects resources that are not strings', () => {
    const entry = { ...good, Resources: ['arn:ok', 5] } as unknown as PutEventsRequestEntry;
    expect(validatePutEventsEntry(entry)?.ErrorMessage).toMatch(/^Parameter Resources/);
  });
});

describe('validatePutEventsEntries', () => {
  it('answers per entry, in order, with ids for accepted entries', () => {
    const result = validatePutEventsEntries(
      [good, { ...good, Source: 'aws.s3' }, good, { ...good, Detail: 'nope' }],
      counter('evt'),
    );
    expect(result.failed).toBe(2);
    expect(result.results).toEqual([
      { EventId: 'evt-1' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { EventId: 'evt-2' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
  });

  it('generates UUIDs by default', () => {
    const [result] = validatePutEventsEntries([good]).results;
    expect(result?.EventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('envelopes', () => {
  const context = {
    account: '123456789012',
    region: 'eu-west-1',
    newId: counter('evt'),
    now: () => new Date('2024-05-06T07:08:09.987Z'),
  };

  it('builds the delivered envelope', () => {
    const envelope = buildEventEnvelope(
      { ...good, Resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'] },
      { ...context, newId: () => 'fixed-id' },
    );
    expect(envelope).toEqual({
      version: '0',
      id: 'fixed-id',
      'detail-type': 'Backup Requested',
      source: 'outboard.backup',
      account: '123456789012',
      time: '2024-05-06T07:08:09Z',
      region: 'eu-west-1',
      resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'],
      detail: { guestId: 'gst_0123456789' },
    });
  });

  it('uses the entry Time when given, and no resources by default', () => {
    const envelope = buildEventEnvelope({ ...good, Time: new Date('2020-01-02T03:04:05.600Z') }, context);
    expect(envelope.time).toBe('2020-01-02T03:04:05Z');
    expect(envelope.resources).toEqual([]);
  });

  it('formats time to the second', () => {
    expect(formatEventTime(new Date('2017-12-22T18:43:48.123Z'))).toBe('2017-12-22T18:43:48Z');
  });

  it('refuses an entry that did not validate', () => {
    expect(() => buildEventEnvelope({ ...good, Detail: '[]' }, context)).toThrow(TypeError);
  });

  it('putEvents answers like the API and returns the envelopes of accepted entries', () => {
    const outcome = putEvents(
      [{ ...good, EventBusName: 'outboard' }, { ...good, DetailType: undefined }, good],
      { ...context, newId: counter('evt') },
    );
    expect(outcome.response.FailedEntryCount).toBe(1);
    expect(outcome.response.Entries.map((e) => e.EventId ?? e.ErrorCode)).toEqual([
      'evt-1',
      'InvalidArgument',
      'evt-2',
    ]);
    expect(outcome.accepted.map((a) => [a.index, a.eventBusName, a.envelope.id])).toEqual([
      [0, 'outboard', 'evt-1'],
      [2, undefined, 'evt-2'],
    ]);
  });
});
