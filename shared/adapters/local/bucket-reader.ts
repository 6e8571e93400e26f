/**
 * BucketReader on local folders: the object `key` of bucket `b` is the file `<root>/<b>/<key>`, each `/`
 * of the key a folder (what a user drops under `<home>/buckets/` is what the object-created poller of the
 * runtime reports). Unlike the object store's encoded layout, keys here are plain paths, so a key that is
 * not one — absolute, with `.`, `..` or empty segments, a NUL — is refused (InvalidBucketKeyError) before
 * the file system is touched; symbolic links are not followed, and only regular files are objects.
 *
 * The ETag is made from the file's size and mtime (nanoseconds), not its content: the poller can tell a
 * changed file from a stat, and an event's ETag names the version the scan must find.
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketName } from '../../contracts/watched-buckets.ts';
import type { BucketObject, BucketReader } from '../../ports.ts';
import { errnoCode } from './error-info.ts';

const CHUNK_BYTES = 1024 * 1024;

export class InvalidBucketKeyError extends TypeError {
  override name = 'InvalidBucketKeyError';
}

/** Why a bucket name or key cannot name a file under the root, or undefined when it can. */
export function localKeyProblem(bucket: string, key: string): string | undefined {
  if (!BucketName.safeParse(bucket).success) return `bucket ${JSON.stringify(bucket)} is not a bucket name`;
  if (key.length === 0) return 'the key is empty';
  if (key.includes('\u0000')) return 'the key contains NUL';
  if (key.startsWith('/')) return `key ${JSON.stringify(key)} is absolute`;
  const bad = key.split('/').find((s) => s === '' || s === '.' || s === '..');
  if (bad !== undefined)
    return `key ${JSON.stringify(key)} has a ${bad === '' ? 'empty' : `"${bad}"`} segment`;
  return undefined;
}

/** The ETag the local runtime gives a file version: its size and mtime in hex. */
export function localEtag(stats: Pick<BigIntStats, 'size' | 'mtimeNs'>): string {
  return `${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}`;
}

export class LocalBucketReader implements BucketReader {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The file of an object (after the key was checked). */
  pathOf(bucket: string, key: string): string {
    const problem = localKeyProblem(bucket, key);
    if (problem) throw new InvalidBucketKeyError(`local bucket reader: ${problem}; nothing was read`);
    return join(this.root, bucket, ...key.split('/'));
  }

  async open(bucket: string, key: string): Promise<BucketObject | undefined> {
    const path = this.pathOf(bucket, key);
    let stats: BigIntStats;
    try {
      stats = await lstat(path, { bigint: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
    if (!stats.isFile()) return undefined;
    return { size: Number(stats.size), etag: localEtag(stats), body: readChunks(path) };
  }
}

/** The file's bytes, opened when first read (so an unread body holds no descriptor), links not followed. */
async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
