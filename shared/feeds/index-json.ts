/**
 * Version 1 of the saved feed index: one gzipped JSON document — the string table as a JSON array,
 * the int32 tables as base64 (little-endian), the key maps as parallel arrays. Stores written before
 * the binary format (index-binary.ts) hold it, so it is still read; it is written only on request.
 * Reading checks the format tag, the version, and every table's bounds before trusting it.
 */
import { gzipSync } from 'node:zlib';
import { FeedIndex, type FeedIndexData, type IndexedFeed } from './index.ts';
import { FeedFormatError } from './types.ts';

export const JSON_INDEX_FORMAT = 'outboard-feed-index';
export const JSON_INDEX_VERSION = 1;

function b64(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function ints(s: unknown, what: string): Int32Array {
  if (typeof s !== 'string') throw new FeedFormatError('feed index', `${what} is not base64`);
  const buf = Buffer.from(s, 'base64');
  if (buf.length % 4 !== 0) throw new FeedFormatError('feed index', `${what} is not whole int32s`);
  const out = new Int32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** The index as a version 1 document: gzipped JSON. */
export function encodeJsonFeedIndex(index: FeedIndex): Uint8Array {
  const d = index.data;
  const doc = {
    format: JSON_INDEX_FORMAT,
    version: JSON_INDEX_VERSION,
    strings: d.strings,
    feeds: d.feeds,
    availableKeys: [...d.availableKeys.keys()],
    availableSpans: [...d.availableKeys.values()],
    available: b64(d.available),
    advisoryKeys: [...d.advisoryKeys.keys()],
    advisorySpans: [...d.advisoryKeys.values()],
    entries: b64(d.entries),
    meta: b64(d.meta),
    metaOffsets: b64(d.metaOffsets),
    withdrawnSkipped: d.withdrawnSkipped,
  };
  return gzipSync(JSON.stringify(doc), { level: 6 });
}

function keyMap(keys: unknown, spans: unknown, limit: number, what: string): Map<string, number> {
  if (!Array.isArray(keys) || !Array.isArray(spans) || keys.length !== spans.length)
    throw new FeedFormatError('feed index', `${what} keys and spans differ`);
  const out = new Map<string, number>();
  keys.forEach((k, i) => {
    const v = spans[i];
    if (typeof k !== 'string' || typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new FeedFormatError('feed index', `${what} entry ${i} is malformed`);
    const start = Math.floor(v / 2 ** 24);
    const count = v % 2 ** 24;
    if (start + count > limit)
      throw new FeedFormatError('feed index', `${what} entry ${i} points past its table`);
    out.set(k, v);
  });
  return out;
}

/** Reads a version 1 document, already gunzipped. */
export function decodeJsonFeedIndex(raw: Uint8Array): FeedIndex {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (cause) {
    throw new FeedFormatError('feed index', 'not a gzipped UTF-8 document', undefined, { cause });
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new FeedFormatError('feed index', 'not JSON', undefined, { cause });
  }
  if (doc?.format !== JSON_INDEX_FORMAT)
    throw new FeedFormatError('feed index', 'not an Outboard feed index');
  if (doc.version !== JSON_INDEX_VERSION)
    throw new FeedFormatError('feed index', `version ${String(doc.version)} is not ${JSON_INDEX_VERSION}`);
  const strings = doc.strings;
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string'))
    throw new FeedFormatError('feed index', 'string table malformed');
  if (!Array.isArray(doc.feeds)) throw new FeedFormatError('feed index', 'feeds malformed');
  const available = ints(doc.available, 'available');
  const entries = ints(doc.entries, 'entries');
  const meta = ints(doc.meta, 'meta');
  const metaOffsets = ints(doc.metaOffsets, 'metaOffsets');
  for (const o of metaOffsets)
    if (o < 0 || o >= meta.length) throw new FeedFormatError('feed index', 'meta offset out of range');
  const data: FeedIndexData = {
    strings: strings as string[],
    feeds: doc.feeds as IndexedFeed[],
    availableKeys: keyMap(doc.availableKeys, doc.availableSpans, available.length / 7, 'available'),
    available,
    advisoryKeys: keyMap(doc.advisoryKeys, doc.advisorySpans, entries.length, 'advisory'),
    entries,
    meta,
    metaOffsets,
    withdrawnSkipped: typeof doc.withdrawnSkipped === 'number' ? doc.withdrawnSkipped : 0,
  };
  return new FeedIndex(data);
}
