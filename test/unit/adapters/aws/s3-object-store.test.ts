import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../../shared/adapters/aws/s3-object-store.ts';
import { PreconditionFailedError } from '../../../../shared/adapters/errors.ts';

const s3 = mockClient(S3Client);
const delays: number[] = [];
const store = () =>
  new S3ObjectStore({
    client: new S3Client({ region: 'eu-west-1' }),
    bucket: 'bkt',
    sleep: async (ms) => {
      delays.push(ms);
    },
  });

const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

/** A stand-in for the SDK's streaming body. */
const body = (text: string) =>
  ({
    transformToByteArray: async () => new TextEncoder().encode(text),
  }) as unknown as GetObjectCommandOutput['Body'];

beforeEach(() => {
  s3.reset();
  delays.length = 0;
});

describe('S3ObjectStore.put', () => {
  it('puts bytes with content type, metadata and the conditional header, and returns the ETag as S3 gives it', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"abc123"' });
    const result = await store().put('a/b.json', '{"x":1}', {
      contentType: 'application/json',
      metadata: { owner: 't1' },
      ifNoneMatch: '*',
    });
    expect(result).toEqual({ etag: '"abc123"' });
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: 'bkt',
      Key: 'a/b.json',
      ContentType: 'application/json',
      Metadata: { owner: 't1' },
      IfNoneMatch: '*',
      ContentLength: 7,
    });
    expect(new TextDecoder().decode(input?.Body as Uint8Array)).toBe('{"x":1}');
  });

  it('defaults the content type and sends no condition without ifNoneMatch', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    await store().put('k', new Uint8Array([1, 2, 3]));
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.ContentType).toBe('application/octet-stream');
    expect(input?.IfNoneMatch).toBeUndefined();
    expect(input?.Body).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('maps 412 PreconditionFailed on a conditional create to PreconditionFailedError naming the key', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const error = await store()
      .put('taken/key', 'x', { ifNoneMatch: '*' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).name).toBe('PreconditionFailedError');
    expect((error as Error).message).toContain('taken/key');
    expect((error as Error).message).toContain('nothing was written');
    expect((error as PreconditionFailedError).key).toBe('taken/key');
  });

  it('retries a 409 ConditionalRequestConflict, then reports the 412 as PreconditionFailedError', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .rejectsOnce(s3Error('PreconditionFailed', 412));
    await expect(store().put('k', 'x', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('gives up on 409 after the configured attempts and rethrows', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    await expect(store().put('k', 'x', { ifNoneMatch: '*' })).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
  });

  it('does not turn other errors into PreconditionFailedError', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(store().put('k', 'x', { ifNoneMatch: '*' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('S3ObjectStore.get and head', () => {
  it('returns body, size, etag, content type and metadata', async () => {
    const modified = new Date('2026-01-02T03:04:05Z');
    s3.on(GetObjectCommand, { Bucket: 'bkt', Key: 'k' }).resolves({
      Body: body('hello'),
      ContentLength: 5,
      ETag: '"e1"',
      LastModified: modified,
      ContentType: 'text/plain',
      Metadata: { a: '1' },
    });
    const object = await store().get('k');
    expect(object).toEqual({
      key: 'k',
      body: new TextEncoder().encode('hello'),
      size: 5,
      etag: '"e1"',
      lastModified: modified,
      contentType: 'text/plain',
      metadata: { a: '1' },
    });
  });

  it('returns undefined for a missing key', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'nope' }));
    s3.on(HeadObjectCommand).rejects(new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'nope' }));
    expect(await store().get('missing')).toBeUndefined();
    expect(await store().head('missing')).toBeUndefined();
  });

  it('rethrows other errors', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(store().get('k')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('head returns the object without a body', async () => {
    const modified = new Date('2026-01-02T03:04:05Z');
    s3.on(HeadObjectCommand).resolves({
      ContentLength: 9,
      ETag: '"e2"',
      LastModified: modified,
      Metadata: {},
    });
    expect(await store().head('k')).toEqual({
      key: 'k',
      size: 9,
      etag: '"e2"',
      lastModified: modified,
      contentType: 'application/octet-stream',
      metadata: {},
    });
  });
});

describe('S3ObjectStore.list', () => {
  it('passes prefix, limit and cursor, and returns the continuation token as the cursor', async () => {
    const t = new Date('2026-01-01T00:00:00Z');
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'p/a', Size: 1, ETag: '"x"', LastModified: t },
        { Key: 'p/b', Size: 2, ETag: '"y"', LastModified: t },
      ],
      IsTruncated: true,
      NextContinuationToken: 'tok2',
    });
    const page = await store().list('p/', { limit: 2, cursor: 'tok1' });
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: 'bkt',
      Prefix: 'p/',
      MaxKeys: 2,
      ContinuationToken: 'tok1',
    });
    expect(page).toEqual({
      items: [
        { key: 'p/a', size: 1, etag: '"x"', lastModified: t },
        { key: 'p/b', size: 2, etag: '"y"', lastModified: t },
      ],
      nextCursor: 'tok2',
    });
  });

  it('gives no cursor on the last page and asks for 1000 keys by default', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: false });
    expect(await store().list('p/')).toEqual({ items: [] });
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input.MaxKeys).toBe(1000);
  });

  it.each([0, 1001, 2.5])('rejects limit %s without calling S3', async (limit) => {
    await expect(store().list('p/', { limit })).rejects.toMatchObject({ name: 'InvalidPageRequestError' });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});

describe('S3ObjectStore keys', () => {
  it.each([
    ['empty', ''],
    ['with NUL', 'a\0b'],
    ['with a lone surrogate', 'a\uD800'],
    ['over 1024 bytes', 'é'.repeat(513)],
  ])('refuses a key that is %s without calling S3', async (_, key) => {
    const s = store();
    for (const call of [() => s.put(key, 'x'), () => s.get(key), () => s.head(key), () => s.delete(key)]) {
      await expect(call()).rejects.toMatchObject({ name: 'InvalidObjectKeyError' });
    }
    expect(s3.calls()).toHaveLength(0);
  });

  it('allows listing with an empty prefix but checks a given one', async () => {
    s3.on(ListObjectsV2Command).resolves({});
    await store().list('');
    await expect(store().list('a\0')).rejects.toMatchObject({ name: 'InvalidObjectKeyError' });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1);
  });
});

describe('S3ObjectStore.delete', () => {
  it('deletes the key', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store().delete('k');
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'bkt', Key: 'k' });
  });

  it('rethrows errors other than not-found', async () => {
    s3.on(DeleteObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(store().delete('k')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
