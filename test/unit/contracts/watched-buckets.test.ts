/** S3's Object Created event as EventBridge delivers it, and the watched-bucket registration body. */
import { describe, expect, it } from 'vitest';
import {
  BucketName,
  S3ObjectCreatedEvent,
  WatchedBucketBody,
} from '../../../shared/contracts/watched-buckets.ts';
import { s3ObjectCreated } from '../../support/s3-events.ts';

describe('S3ObjectCreatedEvent', () => {
  it("accepts S3's event, keeping the fields it does not name", () => {
    const parsed = S3ObjectCreatedEvent.parse(s3ObjectCreated());
    expect(parsed.detail.bucket.name).toBe('tenant-uploads');
    expect(parsed.detail.object).toMatchObject({ key: 'incoming/report 2026.pdf', size: 68 });
    expect(parsed.detail.requester).toBe('111122223333');
  });

  it('accepts an object without an ETag or sequencer', () => {
    const event = s3ObjectCreated();
    const { etag: _e, sequencer: _s, ...object } = event.detail.object;
    expect(S3ObjectCreatedEvent.safeParse({ ...event, detail: { ...event.detail, object } }).success).toBe(
      true,
    );
  });

  it.each([
    ['another source', (e: ReturnType<typeof s3ObjectCreated>) => ({ ...e, source: 'outboard' })],
    [
      'another detail-type',
      (e: ReturnType<typeof s3ObjectCreated>) => ({ ...e, 'detail-type': 'Object Deleted' }),
    ],
    ['no bucket', (e: ReturnType<typeof s3ObjectCreated>) => ({ ...e, detail: { ...e.detail, bucket: {} } })],
    [
      'a bucket that is no bucket name',
      (e: ReturnType<typeof s3ObjectCreated>) => ({
        ...e,
        detail: { ...e.detail, bucket: { name: '../etc' } },
      }),
    ],
    [
      'an empty key',
      (e: ReturnType<typeof s3ObjectCreated>) => ({
        ...e,
        detail: { ...e.detail, object: { ...e.detail.object, key: '' } },
      }),
    ],
    [
      'a negative size',
      (e: ReturnType<typeof s3ObjectCreated>) => ({
        ...e,
        detail: { ...e.detail, object: { ...e.detail.object, size: -1 } },
      }),
    ],
    [
      'a size as text',
      (e: ReturnType<typeof s3ObjectCreated>) => ({
        ...e,
        detail: { ...e.detail, object: { ...e.detail.object, size: '68' } },
      }),
    ],
    ['a detail that is a string', (e: ReturnType<typeof s3ObjectCreated>) => ({ ...e, detail: 'garbage' })],
  ])('rejects %s', (_what, change) => {
    expect(S3ObjectCreatedEvent.safeParse(change(s3ObjectCreated())).success).toBe(false);
  });

  it('rejects what is not an event at all', () => {
    for (const garbage of [null, 42, 'Object Created', [], {}])
      expect(S3ObjectCreatedEvent.safeParse(garbage).success).toBe(false);
  });
});

describe('BucketName and WatchedBucketBody', () => {
  it('takes S3 bucket names only', () => {
    for (const ok of ['abc', 'tenant-uploads', 'logs.example.com', `a${'b'.repeat(61)}c`])
      expect(BucketName.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['ab', 'Uploads', '-abc', 'abc-', 'a..b', 'a_b', `a${'b'.repeat(62)}c`, 'a/b'])
      expect(BucketName.safeParse(bad).success, bad).toBe(false);
  });

  it('defaults to every key and the built-in engine, and refuses unknown fields', () => {
    expect(WatchedBucketBody.parse({})).toEqual({ prefixes: [], engine: 'builtin' });
    expect(WatchedBucketBody.safeParse({ prefixes: [''] }).success).toBe(false);
    expect(WatchedBucketBody.safeParse({ engine: 'other' }).success).toBe(false);
    expect(WatchedBucketBody.safeParse({ tenantId: 'x' }).success).toBe(false);
  });
});
