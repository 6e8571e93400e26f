/**
 * The feed index in the object store. It is written in the binary format (index-binary.ts), which
 * loads without decoding its strings; reading also takes the version 1 gzipped JSON document
 * (index-json.ts) that stores written before it hold, so they keep working until the next import or
 * feed sync rewrites the index. The format is told by the bytes, not by the key's name.
 */
import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '../ports.ts';
import { FeedIndex } from './index.ts';
import {
  BINARY_INDEX_VERSION,
  decodeBinaryFeedIndex,
  encodeBinaryFeedIndex,
  isBinaryFeedIndex,
} from './index-binary.ts';
import { decodeJsonFeedIndex, encodeJsonFeedIndex } from './index-json.ts';
import { FeedFormatError } from './types.ts';

export const INDEX_FORMAT = 'outboard-feed-index';
/** The version {@link serializeFeedIndex} writes (version 1, the JSON document, is still read). */
export const INDEX_VERSION = BINARY_INDEX_VERSION;
const MAX_INDEX_BYTES = 2 * 1024 * 1024 * 1024;

export type IndexEncoding = 'binary' | 'json';

/** Serialises the index: the binary format, or on request the version 1 gzipped JSON document. */
export function serializeFeedIndex(index: FeedIndex, options: { encoding?: IndexEncoding } = {}): Uint8Array {
  if (options.encoding === 'json') return encodeJsonFeedIndex(index);
  return encodeBinaryFeedIndex(index);
}

/** Reads either format (the JSON one gzipped or not; the binary one also inside gzip). */
export function deserializeFeedIndex(bytes: Uint8Array): FeedIndex {
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: MAX_INDEX_BYTES });
    } catch (cause) {
      throw new FeedFormatError('feed index', 'not a gzipped UTF-8 document', undefined, { cause });
    }
  }
  if (isBinaryFeedIndex(raw)) return new FeedIndex(decodeBinaryFeedIndex(raw));
  return decodeJsonFeedIndex(raw);
}

/** Writes the index to the object store under `key` (binary format). */
export async function saveFeedIndex(
  store: ObjectStore,
  key: string,
  index: FeedIndex,
): Promise<{ etag: string; bytes: number }> {
  const body = serializeFeedIndex(index);
  const { etag } = await store.put(key, body, {
    contentType: 'application/octet-stream',
    metadata: { format: `${INDEX_FORMAT}/${INDEX_VERSION}` },
  });
  return { etag, bytes: body.length };
}

/** Reads the index from the object store (either format); undefined when there is none. */
export async function loadFeedIndex(store: ObjectStore, key: string): Promise<FeedIndex | undefined> {
  const object = await store.get(key);
  return object ? deserializeFeedIndex(object.body) : undefined;
}
