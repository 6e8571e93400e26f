/**
 * S3ObjectStore against s3rver (an S3 protocol server) on 127.0.0.1, in a child process (see
 * s3rver-process.ts for why).
 *
 * s3rver 3.7 ignores `If-None-Match: *` (a second conditional put overwrites the object), so the
 * conditional create is covered only by the unit tests with the mocked client.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../shared/adapters/aws/s3-object-store.ts';
import { type S3rverProcess, startS3rver } from './s3rver-process.ts';

const BUCKET = 'outboard-test';
let server: S3rverProcess | undefined;
let store: S3ObjectStore;

beforeAll(async () => {
  server = await startS3rver();
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  store = new S3ObjectStore({ client, bucket: BUCKET });
});

afterAll(async () => {
  await server?.stop();
});

describe('S3ObjectStore on s3rver', () => {
  it('round-trips bytes, content type and metadata', async () => {
    const body = new Uint8Array([0, 1, 2, 254, 255]);
    const { etag } = await store.put('objects/binary', body, {
      contentType: 'application/x-test',
      metadata: { tenant: 't1', kind: 'raw' },
    });
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const object = await store.get('objects/binary');
    expect(object).toMatchObject({
      key: 'objects/binary',
      body,
      size: 5,
      etag,
      contentType: 'application/x-test',
      metadata: { tenant: 't1', kind: 'raw' },
    });
    expect(object?.lastModified).toBeInstanceOf(Date);
    expect(await store.head('objects/binary')).toEqual({ ...object, body: undefined, key: 'objects/binary' });
  });

  it('stores strings as UTF-8 with the default content type', async () => {
    await store.put('objects/text', 'héllo');
    const object = await store.get('objects/text');
    expect(new TextDecoder().decode(object?.body)).toBe('héllo');
    expect(object?.size).toBe(6);
    expect(object?.contentType).toBe('application/octet-stream');
  });

  it('returns undefined for missing keys and deletes idempotently', async () => {
    expect(await store.get('objects/missing')).toBeUndefined();
    expect(await store.head('objects/missing')).toBeUndefined();
    await store.put('objects/doomed', 'x');
    await store.delete('objects/doomed');
    await store.delete('objects/doomed');
    expect(await store.get('objects/doomed')).toBeUndefined();
  });

  it('lists a prefix in key order, page by page', async () => {
    const keys = ['list/c', 'list/a', 'list/e', 'list/b', 'list/d'];
    for (const key of keys) await store.put(key, key);
    await store.put('listing-not-included', 'x');

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list('list/', { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(['list/a', 'list/b', 'list/c', 'list/d', 'list/e']);
    expect(pages).toBe(3);

    const all = await store.list('list/');
    expect(all.nextCursor).toBeUndefined();
    expect(all.items[0]).toMatchObject({ key: 'list/a', size: 6 });
    expect(all.items[0]?.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
});
