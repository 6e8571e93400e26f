/**
 * ObjectStore on a local folder, for the local runtime. Behaves like S3 where the domain can tell.
 *
 * Keys → files. A key is split on "/" into segments; each segment is percent-encoded byte by byte (UTF-8),
 * leaving only `a-z 0-9 . _ ~ -` as they are (upper-case letters are encoded too, so the layout also works
 * on case-insensitive file systems; hex digits are upper-case). Each path component gets a one-letter
 * prefix:
 *   - `d<segment>`: a folder for a segment followed by "/" (keys `<segment>/…`);
 *   - `o<segment>`: the file of the object whose key ends with that segment;
 *   - `c<part>`: a folder holding the continuation of a segment whose encoding is longer than 240
 *     characters (file names are limited to 255 bytes), cut between two encoded bytes.
 * So `backups/Disk 1.img` is `dbackups/o%44isk%201.img`, `a//b` is `da/d/ob`, `../x` is `d../ox` and `/x`
 * is `d/ox`: every key, including ones with `..`, `.` or empty segments, maps to a distinct path inside
 * the root, and no path component is ever `.` or `..`. An object `a` and objects under `a/` coexist
 * (`oa` and `da`). Names starting with `.` are the store's temporary files; anything not in this encoding
 * is ignored. Keys must be 1 to 1024 UTF-8 bytes, well-formed Unicode, without NUL (InvalidObjectKeyError).
 *
 * An object is one file: an 8-byte preamble (`OBJ1` + header length, uint32 big-endian), a JSON header
 * (etag, size, content type, metadata, last modified) and the body. A put writes a temporary file in the
 * target folder, fsyncs it, then renames it over the key (or, for `ifNoneMatch: '*'`, hard-links it to the
 * key, which fails if the key exists — an atomic create-if-absent, safe against concurrent creators in any
 * process), then fsyncs the folder. Readers therefore see the whole old object or the whole new one, with
 * its own metadata; concurrent puts to one key leave exactly one of them (the last rename wins); a crash
 * leaves at most an invisible temporary file. The root must be on a local POSIX file system with hard links.
 *
 * ETags are the hex MD5 of the body in double quotes, as S3 gives them for single-part uploads. Metadata
 * keys are lower-cased and must be HTTP header tokens, values printable ASCII, 2 KB in all, as S3 requires,
 * so code that works here does not break on S3. Listing walks the folders in key order (UTF-8 byte order,
 * as S3), skipping folders outside the prefix or before the cursor; the cursor is the last key returned,
 * base64url-encoded.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { type FileHandle, link, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PageOf, PageRequest } from '../../contracts/common.ts';
import type { ObjectInfo, ObjectStore, PutOptions, StoredObject } from '../../ports.ts';
import { InvalidPageRequestError, PreconditionFailedError } from '../errors.ts';
import { checkObjectKey, MAX_KEY_BYTES } from '../object-keys.ts';
import { errnoCode, messageOf } from './error-info.ts';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_LIST_LIMIT = 1000;
export { MAX_KEY_BYTES };
export const MAX_METADATA_BYTES = 2048;
/** Longest encoded segment part per path component; with the prefix letter well under NAME_MAX (255). */
const MAX_COMPONENT_CHARS = 240;
const MAGIC = Buffer.from('OBJ1', 'ascii');
const PREAMBLE_BYTES = 8;
const MAX_HEADER_BYTES = 1 << 20;
/** Puts retried when a concurrent delete removed the (empty) target folder under them. */
const PUT_ATTEMPTS = 5;

/** Put options S3 would refuse: bad metadata or content type. Nothing was written. */
export class InvalidPutOptionsError extends TypeError {
  override name = 'InvalidPutOptionsError';
}

/** A file system operation failed; the message names the key, the path and what was not done. */
export class ObjectStoreIoError extends Error {
  override name = 'ObjectStoreIoError';
}

/** A stored object file that is not in the store's format (truncated, or written by something else). */
export class CorruptObjectError extends Error {
  override name = 'CorruptObjectError';
}

export interface FsObjectStoreOptions {
  /** Folder holding the objects; created on the first put. */
  root: string;
  clock?: { now(): Date };
}

interface Header {
  etag: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: string;
}

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly #clock: { now(): Date };

  /** `new FsObjectStore('/var/lib/outboard/objects')` or `new FsObjectStore({ root, clock })`. */
  constructor(options: string | FsObjectStoreOptions) {
    const { root, clock } = typeof options === 'string' ? { root: options, clock: undefined } : options;
    this.root = resolve(root);
    this.#clock = clock ?? { now: () => new Date() };
  }

  /** The file an object is stored in (the key is validated). */
  pathOf(key: string): string {
    return join(this.root, ...keyToComponents(key));
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const components = keyToComponents(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const header: Header = {
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      size: bytes.byteLength,
      contentType: checkContentType(key, options.contentType),
      metadata: normaliseMetadata(key, options.metadata),
      lastModified: this.#clock.now().toISOString(),
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const preamble = Buffer.alloc(PREAMBLE_BYTES);
    MAGIC.copy(preamble, 0);
    preamble.writeUInt32BE(headerBytes.byteLength, 4);

    const dir = join(this.root, ...components.slice(0, -1));
    const target = join(dir, components.at(-1) as string);
    for (let attempt = 1; ; attempt++) {
      const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
      let tempWritten = false;
      try {
        await mkdir(dir, { recursive: true });
        const fh = await open(temp, 'wx', 0o644);
        tempWritten = true;
        try {
          await writeAll(fh, [preamble, headerBytes, bytes]);
          await fh.sync();
        } finally {
          await fh.close();
        }
        if (options.ifNoneMatch === '*') {
          try {
            await link(temp, target);
          } catch (error) {
            if (errnoCode(error) === 'EEXIST') throw new PreconditionFailedError(key, { cause: error });
            throw error;
          } finally {
            await unlinkQuietly(temp);
            tempWritten = false;
          }
        } else {
          await rename(temp, target);
          tempWritten = false;
        }
        await syncFolder(dir);
        return { etag: header.etag };
      } catch (error) {
        if (tempWritten) await unlinkQuietly(temp);
        // A concurrent delete pruned the empty folder between our mkdir and our write: start again.
        if (errnoCode(error) === 'ENOENT' && attempt < PUT_ATTEMPTS) continue;
        if (error instanceof PreconditionFailedError) throw error;
        throw new ObjectStoreIoError(`object "${key}" was not stored (${target}): ${messageOf(error)}`, {
          cause: error,
        });
      }
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    const fh = await openIfExists(path);
    if (!fh) return undefined;
    try {
      const { header, bodyOffset } = await readHeader(fh, key, path);
      const body = new Uint8Array(header.size);
      await readExactly(fh, body, bodyOffset, key, path);
      const { size: fileSize } = await fh.stat();
      if (fileSize !== bodyOffset + header.size) {
        throw new CorruptObjectError(
          `object "${key}" (${path}) is ${fileSize} bytes, expected ${bodyOffset + header.size}; not read`,
        );
      }
      return { key, body, ...infoOf(header) };
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<Omit<StoredObject, 'body'> | undefined> {
    const path = this.pathOf(key);
    const fh = await openIfExists(path);
    if (!fh) return undefined;
    try {
      const { header } = await readHeader(fh, key, path);
      return { key, ...infoOf(header) };
    } finally {
      await fh.close();
    }
  }

  async list(prefix: string, page: Partial<PageRequest> = {}): Promise<PageOf<ObjectInfo>> {
    const limit = page.limit ?? MAX_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidPageRequestError(
        `list "${prefix}": limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}; nothing was listed`,
      );
    }
    if (prefix !== '') checkObjectKey(prefix, 'prefix');
    const startAfter = page.cursor === undefined ? undefined : decodeCursor(page.cursor, prefix);
    const walk = walkKeys(this.root, Buffer.alloc(0), Buffer.from(prefix, 'utf8'), startAfter);
    const items: ObjectInfo[] = [];
    let more = false;
    try {
      for await (const { key, path } of walk) {
        if (items.length === limit) {
          more = true;
          break;
        }
        const fh = await openIfExists(path);
        if (!fh) continue; // deleted while we listed
        try {
          const { header } = await readHeader(fh, key, path);
          items.push({
            key,
            size: header.size,
            etag: header.etag,
            lastModified: new Date(header.lastModified),
          });
        } finally {
          await fh.close();
        }
      }
    } finally {
      await walk.return(undefined);
    }
    const last = items.at(-1);
    return more && last
      ? { items, nextCursor: Buffer.from(last.key, 'utf8').toString('base64url') }
      : { items };
  }

  /**
   * Removes temporary files that writers killed mid-put left behind (invisible to readers, but they take
   * space), if older than `olderThanMs` (default one hour, so puts in progress are never touched).
   * Returns how many were removed. Meant for start-up or an occasional sweep.
   */
  async removeAbandonedTempFiles(olderThanMs = 3_600_000): Promise<number> {
    const cutoff = this.#clock.now().getTime() - olderThanMs;
    let removed = 0;
    const sweep = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && /^[dc]/.test(entry.name)) await sweep(path);
        else if (entry.isFile() && entry.name.startsWith('.tmp-')) {
          const info = await stat(path).catch(() => undefined);
          if (info && info.mtimeMs < cutoff) {
            await unlinkQuietly(path);
            removed++;
          }
        }
      }
    };
    await sweep(this.root);
    return removed;
  }

  async delete(key: string): Promise<void> {
    const components = keyToComponents(key);
    const path = join(this.root, ...components);
    try {
      await unlink(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw new ObjectStoreIoError(`object "${key}" was not deleted (${path}): ${messageOf(error)}`, {
        cause: error,
      });
    }
    // Remove the folders the object leaves empty, deepest first; stop at the first one still in use.
    for (let depth = components.length - 1; depth > 0; depth--) {
      try {
        await rmdir(join(this.root, ...components.slice(0, depth)));
      } catch {
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- keys

const LITERAL_BYTE = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789._~-') LITERAL_BYTE[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += LITERAL_BYTE[b] ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Strict inverse of encodeBytes: undefined for anything encodeBytes would not produce. */
function decodeBytes(encoded: string): Buffer | undefined {
  const out = Buffer.alloc(encoded.length);
  let n = 0;
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charCodeAt(i);
    if (c === 0x25) {
      const hi = HEX.indexOf(encoded[i + 1] ?? 'x');
      const lo = HEX.indexOf(encoded[i + 2] ?? 'x');
      if (hi < 0 || lo < 0) return undefined;
      const b = (hi << 4) | lo;
      if (LITERAL_BYTE[b]) return undefined;
      out[n++] = b;
      i += 2;
    } else if (c < 256 && LITERAL_BYTE[c]) {
      out[n++] = c;
    } else {
      return undefined;
    }
  }
  return out.subarray(0, n);
}

/** Cuts an encoded segment into parts of at most MAX_COMPONENT_CHARS, never inside a `%XX`. */
function cutEncoded(encoded: string): string[] {
  const parts: string[] = [];
  let rest = encoded;
  while (rest.length > MAX_COMPONENT_CHARS) {
    let cut = MAX_COMPONENT_CHARS;
    if (rest[cut - 1] === '%') cut -= 1;
    else if (rest[cut - 2] === '%') cut -= 2;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}

/** The path components (relative to the root) of the file holding `key`. Validates the key. */
export function keyToComponents(key: string): string[] {
  checkObjectKey(key, 'key');
  const segments = key.split('/');
  const components: string[] = [];
  segments.forEach((segment, i) => {
    const parts = cutEncoded(encodeBytes(Buffer.from(segment, 'utf8')));
    for (let p = 0; p < parts.length - 1; p++) components.push(`c${parts[p]}`);
    components.push(`${i === segments.length - 1 ? 'o' : 'd'}${parts.at(-1)}`);
  });
  return components;
}

/** Inverse of keyToComponents; undefined if the components are not a key's. */
export function componentsToKey(components: readonly string[]): string | undefined {
  const chunks: Buffer[] = [];
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as string;
    const kind = component[0];
    const bytes = decodeBytes(component.slice(1));
    if (!bytes) return undefined;
    const isLast = i === components.length - 1;
    if ((kind === 'o') !== isLast || (kind !== 'o' && kind !== 'd' && kind !== 'c')) return undefined;
    chunks.push(bytes);
    if (kind === 'd') chunks.push(SLASH);
  }
  const key = utf8(Buffer.concat(chunks));
  if (key === undefined) return undefined;
  try {
    return join(...keyToComponents(key)) === join(...components) ? key : undefined;
  } catch {
    return undefined;
  }
}

const SLASH = Buffer.from('/');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- listing

const startsWith = (value: Buffer, prefix: Buffer): boolean =>
  value.length >= prefix.length && value.subarray(0, prefix.length).equals(prefix);

interface Source {
  /** Heap order: the object's key, the folder's next key, or (folder not read yet) the lowest key it can hold. */
  key: Buffer;
  state: 'object' | 'unread' | 'reading';
  path: string;
  walk?: AsyncGenerator<ListedKey, void, undefined>;
  /** `reading`: the folder's next key, already taken from `walk`. */
  next?: ListedKey;
}

interface ListedKey {
  key: string;
  path: string;
  bytes: Buffer;
}

/**
 * Keys (with their file paths) under `dir`, whose keys all start with `at`, in UTF-8 byte order: those
 * starting with `prefix` and after `startAfter`. A lazy k-way merge of the folder's objects and
 * sub-folders: an unread sub-folder sits in the heap under the lowest key it can hold and is read only when
 * that comes up, then sits under its real next key. So a page reads few folders, and sub-folders whose key
 * ranges interleave (a long segment's continuation folder and the folder of its first part) still merge in
 * order.
 */
async function* walkKeys(
  dir: string,
  at: Buffer,
  prefix: Buffer,
  startAfter: Buffer | undefined,
): AsyncGenerator<ListedKey, void, undefined> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
    throw error;
  }
  const heap = new SourceHeap();
  for (const entry of entries) {
    const kind = entry.name[0];
    const bytes = decodeBytes(entry.name.slice(1));
    if (!bytes) continue;
    const path = join(dir, entry.name);
    if (kind === 'o' && entry.isFile()) {
      const key = Buffer.concat([at, bytes]);
      if (!startsWith(key, prefix) || (startAfter && Buffer.compare(key, startAfter) <= 0)) continue;
      heap.push({ key, state: 'object', path });
    } else if ((kind === 'd' || kind === 'c') && entry.isDirectory()) {
      // Every key in a `d` folder starts with `<at><segment>/`; in a `c` folder with `<at><part>`.
      const lowest = kind === 'd' ? Buffer.concat([at, bytes, SLASH]) : Buffer.concat([at, bytes]);
      if (!startsWith(lowest, prefix) && !startsWith(prefix, lowest)) continue;
      // All its keys are ≤ startAfter when it sorts before startAfter and is not a prefix of it.
      if (startAfter && Buffer.compare(lowest, startAfter) < 0 && !startsWith(startAfter, lowest)) continue;
      heap.push({ key: lowest, state: 'unread', path });
    }
  }
  let source: Source | undefined;
  try {
    for (source = heap.pop(); source; source = heap.pop()) {
      if (source.state === 'object') {
        const key = utf8(source.key);
        if (key !== undefined) yield { key, path: source.path, bytes: source.key };
        continue;
      }
      if (source.state === 'reading' && source.next) yield source.next;
      source.walk ??= walkKeys(source.path, source.key, prefix, startAfter);
      const step = await source.walk.next();
      if (step.done) continue;
      heap.push({ ...source, key: step.value.bytes, state: 'reading', next: step.value });
    }
  } finally {
    await source?.walk?.return(undefined);
    for (const rest of heap.drain()) await rest.walk?.return(undefined);
  }
}

/** Min-heap of sources by key. */
class SourceHeap {
  readonly #items: Source[] = [];

  push(source: Source): void {
    const items = this.#items;
    items.push(source);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#less(parent, i)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): Source | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.#less(l, m)) m = l;
        if (r < items.length && this.#less(r, m)) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return top;
  }

  drain(): Source[] {
    return this.#items.splice(0);
  }

  #less(a: number, b: number): boolean {
    const x = this.#items[a] as Source;
    const y = this.#items[b] as Source;
    return Buffer.compare(x.key, y.key) < 0;
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    [items[a], items[b]] = [items[b] as Source, items[a] as Source];
  }
}

function decodeCursor(cursor: string, prefix: string): Buffer {
  const bytes = Buffer.from(cursor, 'base64url');
  if (cursor.length === 0 || bytes.toString('base64url') !== cursor || utf8(bytes) === undefined) {
    throw new InvalidPageRequestError(
      `list "${prefix}": cursor "${cursor}" was not issued by list; nothing was listed`,
    );
  }
  return bytes;
}

// ---------------------------------------------------------------- object files

function infoOf(header: Header): Omit<StoredObject, 'key' | 'body'> {
  return {
    size: header.size,
    etag: header.etag,
    lastModified: new Date(header.lastModified),
    contentType: header.contentType,
    metadata: { ...header.metadata },
  };
}

async function readHeader(
  fh: FileHandle,
  key: string,
  path: string,
): Promise<{ header: Header; bodyOffset: number }> {
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  await readExactly(fh, preamble, 0, key, path);
  const length = preamble.readUInt32BE(4);
  if (!preamble.subarray(0, 4).equals(MAGIC) || length > MAX_HEADER_BYTES) {
    throw new CorruptObjectError(`object "${key}" (${path}) is not in the object store format; not read`);
  }
  const headerBytes = Buffer.alloc(length);
  await readExactly(fh, headerBytes, PREAMBLE_BYTES, key, path);
  let header: Header;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch (error) {
    throw new CorruptObjectError(`object "${key}" (${path}) has a malformed header; not read`, {
      cause: error,
    });
  }
  if (
    typeof header.etag !== 'string' ||
    !Number.isSafeInteger(header.size) ||
    typeof header.contentType !== 'string' ||
    typeof header.metadata !== 'object' ||
    header.metadata === null ||
    Number.isNaN(Date.parse(header.lastModified))
  ) {
    throw new CorruptObjectError(`object "${key}" (${path}) has an incomplete header; not read`);
  }
  return { header, bodyOffset: PREAMBLE_BYTES + length };
}

async function readExactly(fh: FileHandle, into: Uint8Array, position: number, key: string, path: string) {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await fh.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) {
      throw new CorruptObjectError(`object "${key}" (${path}) is truncated; not read`);
    }
    done += bytesRead;
  }
}

async function writeAll(fh: FileHandle, buffers: Uint8Array[]): Promise<void> {
  let position = 0;
  for (const buffer of buffers) {
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesWritten } = await fh.write(buffer, done, buffer.byteLength - done, position);
      done += bytesWritten;
      position += bytesWritten;
    }
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Makes a rename or link in `dir` durable. Not every platform can fsync a folder; that is not an error. */
async function syncFolder(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR / EPERM / EINVAL on platforms without folder fsync.
  } finally {
    await fh?.close();
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------- options

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function normaliseMetadata(
  key: string,
  metadata: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(lower)) {
      throw new InvalidPutOptionsError(
        `object "${key}": metadata name "${name}" is not an HTTP token; nothing was written`,
      );
    }
    if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) {
      throw new InvalidPutOptionsError(
        `object "${key}": metadata "${name}" must be printable US-ASCII text; nothing was written`,
      );
    }
    if (Object.hasOwn(out, lower)) {
      throw new InvalidPutOptionsError(
        `object "${key}": metadata names "${name}" and another differ only in case; nothing was written`,
      );
    }
    out[lower] = value;
    bytes += lower.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new InvalidPutOptionsError(
      `object "${key}": metadata is ${bytes} bytes, more than ${MAX_METADATA_BYTES}; nothing was written`,
    );
  }
  return out;
}

function checkContentType(key: string, contentType: string | undefined): string {
  if (contentType === undefined) return DEFAULT_CONTENT_TYPE;
  if (contentType.length === 0 || contentType.length > 1024 || !PRINTABLE_ASCII.test(contentType)) {
    throw new InvalidPutOptionsError(
      `object "${key}": content type must be 1-1024 printable US-ASCII characters; nothing was written`,
    );
  }
  return contentType;
}
