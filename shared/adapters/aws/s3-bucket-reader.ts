/**
 * BucketReader on S3: GetObject on the tenant's bucket (the function's role must be allowed to read it;
 * see docs/antivirus.md, "Watched buckets"). The body is streamed, never buffered whole; a missing object
 * (deleted since its event) is undefined, any other error throws so the queue delivers the event again.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BucketObject, BucketReader } from '../../ports.ts';
import { awsHttpStatus, isAwsError } from './util.ts';

export interface S3BucketReaderOptions {
  client: S3Client;
}

export class S3BucketReader implements BucketReader {
  readonly #client: S3Client;

  constructor(options: S3BucketReaderOptions) {
    this.#client = options.client;
  }

  async open(bucket: string, key: string): Promise<BucketObject | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = out.Body as AsyncIterable<Uint8Array> | undefined;
      return {
        size: out.ContentLength ?? 0,
        etag: (out.ETag ?? '').replaceAll('"', ''),
        body: body ?? empty(),
      };
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 'NotFound') || awsHttpStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

async function* empty(): AsyncGenerator<Uint8Array> {}
