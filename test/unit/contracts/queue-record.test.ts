import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MalformedRequestError, parseEventRecord } from '../../../shared/contracts/queue-record.ts';

const record = (body: string) => ({ messageId: 'm-1', body }) as SQSRecord;
const envelope = (detailType: string, detail: unknown) =>
  JSON.stringify({
    version: '0',
    id: 'e',
    'detail-type': detailType,
    source: 'outboard',
    account: '0',
    time: '2026-01-01T00:00:00Z',
    region: 'local',
    resources: [],
    detail,
  });
const good = {
  schemaVersion: 1,
  tenantId: 'acme',
  correlationId: 'c',
  guestId: 'gst_0000000000aaaaaaaaaaaaaaaa',
  trigger: { kind: 'api' },
};

describe('parseEventRecord', () => {
  it('returns the validated detail of the expected event', () => {
    expect(parseEventRecord(record(envelope('Backup Requested', good)), 'Backup Requested')).toEqual(good);
  });

  it.each([
    ['a body that is not JSON', '{not json', /body is not JSON/],
    ['a body that is not an EventBridge event', '{"hello":1}', /not an EventBridge event/],
    ['another detail-type', envelope('Patch Scan Requested', good), /is not Backup Requested/],
    [
      'an invalid detail',
      envelope('Backup Requested', { ...good, guestId: 'x' }),
      /invalid Backup Requested detail: guestId/,
    ],
  ])('rejects %s', (_what, body, message) => {
    expect(() => parseEventRecord(record(body), 'Backup Requested')).toThrow(MalformedRequestError);
    expect(() => parseEventRecord(record(body), 'Backup Requested')).toThrow(message);
  });
});
