/**
 * Byte plumbing for feeds: open a path or http(s) URL as a chunk stream, sniff and undo its compression
 * (gzip and zstd by node:zlib, xz by the xz-decompress wasm), bound the output, split into lines.
 * Nothing here holds a whole file unless asked to (`readAll`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import xz from 'xz-decompress';
import { FeedFormatError } from './types.ts';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd';

/** 2 GiB: more than any real index decompresses to, less than a decompression bomb would like. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

export interface Opened {
  location: string;
  /** File mtime or HTTP Last-Modified, ISO 8601. */
  mtime?: string;
  body: AsyncIterable<Uint8Array>;
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** Opens a path or http(s) URL for streaming. A missing file or a non-2xx answer throws. */
export async function openBytes(location: string, signal?: AbortSignal): Promise<Opened> {
  if (isUrl(location)) {
    const response = await fetch(location, signal ? { signal } : {});
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new FeedFormatError('http', `GET answered ${response.status}`, location);
    }
    const lastModified = response.headers.get('last-modified');
    const mtime = lastModified ? toIso(lastModified) : undefined;
    return { location, ...(mtime ? { mtime } : {}), body: response.body };
  }
  const info = await stat(location);
  if (!info.isFile()) throw new FeedFormatError('file', 'not a regular file', location);
  return { location, mtime: info.mtime.toISOString(), body: createReadStream(location) };
}

export function sniffCompression(head: Uint8Array, location: string): Compression {
  const at = (i: number) => head[i] ?? -1;
  if (at(0) === 0x1f && at(1) === 0x8b) return 'gzip';
  if (at(0) === 0xfd && at(1) === 0x37 && at(2) === 0x7a && at(3) === 0x58 && at(4) === 0x5a && at(5) === 0)
    return 'xz';
  if (at(0) === 0x28 && at(1) === 0xb5 && at(2) === 0x2f && at(3) === 0xfd) return 'zstd';
  if (at(0) === 0x42 && at(1) === 0x5a && at(2) === 0x68)
    throw new FeedFormatError('compression', 'bzip2 is not supported (use the .xz or .gz copy)', location);
  if (at(0) === 0x04 && at(1) === 0x22 && at(2) === 0x4d && at(3) === 0x18)
    throw new FeedFormatError('compression', 'lz4 is not supported (use the .xz or .gz copy)', location);
  return 'none';
}

/** Yields the first non-empty chunk separately so callers can sniff it, then the rest. */
async function peek(
  body: AsyncIterable<Uint8Array>,
): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = body[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    if (r.value.length > 0) {
      head = r.value;
      break;
    }
  }
  async function* all(): AsyncIterable<Uint8Array> {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, all: all() };
}

/** Undoes the compression found by magic number; output bounded by `maxBytes`. */
export async function decompressed(
  body: AsyncIterable<Uint8Array>,
  location: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<{ compression: Compression; bytes: AsyncIterable<Uint8Array> }> {
  const { head, all } = await peek(body);
  const compression = sniffCompression(head, location);
  return { compression, bytes: bounded(decode(compression, all), maxBytes, location) };
}

function decode(compression: Compression, src: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  switch (compression) {
    case 'none':
      return src;
    case 'gzip':
      return through(src, createGunzip());
    case 'zstd':
      return through(src, createZstdDecompress());
    case 'xz':
      return new xz.XzReadableStream(ReadableStream.from(src));
  }
}

/** Pipes into a zlib transform; an error on either side ends the iteration with that error. */
function through(src: AsyncIterable<Uint8Array>, transform: Transform): AsyncIterable<Uint8Array> {
  pipeline(Readable.from(src, { objectMode: false }), transform, () => {});
  return transform;
}

async function* bounded(src: AsyncIterable<Uint8Array>, maxBytes: number, location: string) {
  let total = 0;
  try {
    for await (const chunk of src) {
      total += chunk.length;
      if (total > maxBytes)
        throw new FeedFormatError('decompress', `output exceeds the ${maxBytes}-byte limit`, location);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof FeedFormatError) throw error;
    throw new FeedFormatError('decompress', `damaged stream: ${(error as Error).message}`, location, {
      cause: error,
    });
  }
}

/** Whole (decompressed) content. For the small files only: Release, repomd.xml, secdb JSON. */
export async function readAll(bytes: AsyncIterable<Uint8Array>, maxBytes: number, location: string) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of bytes) {
    total += chunk.length;
    if (total > maxBytes) throw new FeedFormatError('read', `larger than ${maxBytes} bytes`, location);
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Strict UTF-8 lines without their `\n` (and a trailing `\r`). Holds at most one line plus a chunk. */
export async function* lines(bytes: AsyncIterable<Uint8Array>, location: string, maxLine = 1 << 20) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  const strip = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  try {
    for await (const chunk of bytes) {
      pending += decoder.decode(chunk, { stream: true });
      let nl = pending.indexOf('\n');
      let start = 0;
      while (nl !== -1) {
        yield strip(pending.slice(start, nl));
        start = nl + 1;
        nl = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      if (pending.length > maxLine)
        throw new FeedFormatError('text', `a line longer than ${maxLine}`, location);
    }
    pending += decoder.decode();
  } catch (error) {
    if (error instanceof TypeError)
      throw new FeedFormatError('text', 'not valid UTF-8', location, { cause: error });
    throw error;
  }
  if (pending.length > 0) yield strip(pending);
}

export function toIso(date: string): string | undefined {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
