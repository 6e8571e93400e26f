/**
 * ObjectStore on one S3 bucket.
 *
 * - ETags are returned as S3 gives them (hex MD5 in double quotes for single-part uploads).
 * - Metadata keys come back lower-case (S3 stores them as `x-amz-meta-*` headers); values must be
 *   US-ASCII.
 * - Keys are checked as the local store checks them (1 to 1024 UTF-8 bytes, well-formed Unicode, no
 *   NUL), so both refuse the same keys with InvalidObjectKeyError before anything is sent.
 * - Conditional create uses `If-None-Match: *`; S3 answers 412 if the key exists, which becomes a
 *   PreconditionFailedError. A 409 ConditionalRequestConflict (another conditional write to the key in
 *   flight) is retried a few times, as S3 asks.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import type { ObjectInfo, ObjectStore, PutOptions, StoredObject } from '../../ports.ts';
import { InvalidPageRequestError, PreconditionFailedError } from '../errors.ts';
import { checkObjectKey, MAX_KEY_BYTES } from '../object-keys.ts';
import { awsHttpStatus, isAwsError, sleep as realSleep, type Sleep } from './util.ts';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_LIST_LIMIT = 1000;
export { MAX_KEY_BYTES };

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Attempts on 409 ConditionalRequestConflict before giving up (default 3). */
  conflictAttempts?: number;
  sleep?: Sleep;
}

const isMissing = (error: unknown): boolean =>
  isAwsError(error, 'NoSuchKey', 'NotFound') || awsHttpStatus(error) === 404;

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #conflictAttempts: number;
  readonly #sleep: Sleep;

  constructor(options: S3ObjectStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#conflictAttempts = options.conflictAttempts ?? 3;
    this.#sleep = options.sleep ?? realSleep;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    checkObjectKey(key, 'key');
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      Metadata: options.metadata,
      IfNoneMatch: options.ifNoneMatch,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.#client.send(command);
        return { etag: out.ETag ?? '' };
      } catch (error) {
        if (options.ifNoneMatch === '*') {
          if (isAwsError(error, 'PreconditionFailed') || awsHttpStatus(error) === 412) {
            throw new PreconditionFailedError(key, { cause: error });
          }
          if (isAwsError(error, 'ConditionalRequestConflict') && attempt < this.#conflictAttempts) {
            await this.#sleep(50 * 2 ** attempt);
            continue;
          }
        }
        throw error;
      }
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    checkObjectKey(key, 'key');
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return {
        key,
        body,
        size: out.ContentLength ?? body.byteLength,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<Omit<StoredObject, 'body'> | undefined> {
    checkObjectKey(key, 'key');
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string, page: Partial<PageRequest> = {}): Promise<PageOf<ObjectInfo>> {
    checkObjectKey(prefix, 'prefix');
    const limit = page.limit ?? MAX_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidPageRequestError(
        `list "${prefix}": limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}; nothing was listed`,
      );
    }
    const out = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: prefix,
        MaxKeys: limit,
        ContinuationToken: page.cursor,
      }),
    );
    const items = (out.Contents ?? []).map(
      (o): ObjectInfo => ({
        key: o.Key ?? '',
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        lastModified: o.LastModified ?? new Date(0),
      }),
    );
    return out.IsTruncated && out.NextContinuationToken
      ? { items, nextCursor: out.NextContinuationToken }
      : { items };
  }

  async delete(key: string): Promise<void> {
    checkObjectKey(key, 'key');
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
  }
}
