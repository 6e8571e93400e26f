/**
 * Version 2 of the saved feed index: one uncompressed binary document that loads in a few
 * milliseconds, because its tables are used where they lie and nothing is decoded until asked for:
 * strings are decoded when first read, keys are found through a hash table stored with them, and
 * the advisory rows the matcher reads (advisory-rows.ts) are stored ready-made.
 *
 * Layout (integers little-endian):
 *   bytes 0-7    `OBFEEDIX`
 *   bytes 8-11   version (2)
 *   bytes 12-15  header length H
 *   bytes 16-    header, H bytes of UTF-8 JSON: format tag, version, feeds, withdrawnSkipped, the
 *                releases and ecosystems the keys name, the section list `[name, byte length][]`,
 *                and the strings and keys that are not well-formed UTF-16 (lone surrogates, which
 *                UTF-8 cannot carry), by id
 *   then, each starting at a multiple of 8 bytes, the sections in the order listed:
 *     strings.bytes, strings.offsets             the string table: UTF-8 bytes, n + 1 int32 offsets
 *     available                                  7 int32 a row (index-records.ts)
 *     available.keys.{bytes,offsets}             `release\0name` keys, as a string table
 *     available.keys.slots                       open-addressing hash table of the keys: FNV-1a of
 *                                                the key's bytes, linear probing, key number + 1 (0 empty)
 *     available.keys.{start,count}               per key: first row and row count
 *     advisory.keys.{bytes,offsets,slots}        `ecosystem\0name` keys, the same way
 *     advisory.keys.{start,length}               per key: first int and int count in `entries`
 *     advisory.keys.{rows,first}                 per key: entry count and first advisory row
 *     entries, meta, meta.offsets                as in index-records.ts
 *     rows.{offsets,meta,fixed}, rows.status     per advisory row (AdvisoryRows): entry offset,
 *                                                metadata handle, simple fixed version; status (bytes)
 *     ranks.{scheme,start,count,ranked,rows}     the fixed versions of each key in order
 *                                                (fixed-ranks.ts), and per row its rank
 *
 * Reading checks the tag, the version, the header and every section's presence, bounds and size;
 * what lies inside the tables is checked where it is read: a string's byte range (within its table,
 * at character boundaries, the table being UTF-8) when it is decoded, a key found through the hash
 * table against the key's bytes (a damaged table can only miss), a key's spans and rows when the
 * key is first asked for, a metadata record when it is decoded.
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import type { AdvisoryRows } from './advisory-rows.ts';
import { rankFixedVersions } from './fixed-ranks.ts';
import type { FeedIndex, IndexedFeed } from './index.ts';
import { ROW } from './index-records.ts';
import type { FixedRanks, IndexTables, KeyTable, StoredRows, StringTable } from './index-tables.ts';
import { FeedFormatError } from './types.ts';

export const BINARY_INDEX_MAGIC = 'OBFEEDIX';
export const BINARY_INDEX_VERSION = 2;
const FORMAT = 'outboard-feed-index';
const HEADER_START = 16;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const bad = (what: string) => new FeedFormatError('feed index', what);

/** True when the bytes start with the binary index tag. */
export function isBinaryFeedIndex(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== BINARY_INDEX_MAGIC.charCodeAt(i)) return false;
  return true;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

// ---- writing ------------------------------------------------------------------------------------

interface TextTable {
  bytes: Uint8Array;
  offsets: Int32Array;
  /** Entries that are not well-formed UTF-16, kept apart (their byte range is empty). */
  irregular: [number, string][];
}

function textTable(count: number, get: (i: number) => string): TextTable {
  const offsets = new Int32Array(count + 1);
  const irregular: [number, string][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const s = get(i);
    if (s.isWellFormed()) total += Buffer.byteLength(s, 'utf8');
    else irregular.push([i, s]);
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    if (offsets[i + 1]! > start) bytes.write(get(i), start, 'utf8');
  }
  return { bytes, offsets, irregular };
}

/** The hash table of a key table's regular keys (irregular ones are found by the header's list). */
function keySlots(keys: TextTable): Int32Array {
  const count = keys.offsets.length - 1;
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const slots = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let k = 0; k < count; k++) {
    const start = keys.offsets[k]!;
    const end = keys.offsets[k + 1]!;
    if (start === end) continue;
    let slot = fnv1a(keys.bytes, start, end) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = k + 1;
  }
  return slots;
}

function int32Bytes(a: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setInt32(i * 4, a[i]!, true);
  return out;
}

/** Serialises an index: its tables, its advisory rows, and its fixed versions ranked. */
export function encodeBinaryFeedIndex(index: FeedIndex): Uint8Array {
  const t = index.tables;
  const rows: AdvisoryRows = index.advisoryRows();
  const ranks = rankFixedVersions(rows, t.advisoryKeys);
  const strings = textTable(t.strings.length, (i) => t.strings.get(i)!);
  const availableKeys = textTable(t.availableKeys.size, (k) => t.availableKeys.key(k));
  const advisoryKeys = textTable(t.advisoryKeys.size, (k) => t.advisoryKeys.key(k));
  const sections: [string, Uint8Array][] = [
    ['strings.bytes', strings.bytes],
    ['strings.offsets', int32Bytes(strings.offsets)],
    ['available', int32Bytes(t.available)],
    ['available.keys.bytes', availableKeys.bytes],
    ['available.keys.offsets', int32Bytes(availableKeys.offsets)],
    ['available.keys.slots', int32Bytes(keySlots(availableKeys))],
    ['available.keys.start', int32Bytes(t.availableStart)],
    ['available.keys.count', int32Bytes(t.availableCount)],
    ['advisory.keys.bytes', advisoryKeys.bytes],
    ['advisory.keys.offsets', int32Bytes(advisoryKeys.offsets)],
    ['advisory.keys.slots', int32Bytes(keySlots(advisoryKeys))],
    ['advisory.keys.start', int32Bytes(t.entryStart)],
    ['advisory.keys.length', int32Bytes(t.entryLength)],
    ['advisory.keys.rows', int32Bytes(rows.keyRowCounts)],
    ['advisory.keys.first', int32Bytes(rows.keyRowStarts)],
    ['entries', int32Bytes(t.entries)],
    ['meta', int32Bytes(t.meta)],
    ['meta.offsets', int32Bytes(t.metaOffsets)],
    ['rows.offsets', int32Bytes(rows.offsets)],
    ['rows.meta', int32Bytes(rows.meta)],
    ['rows.fixed', int32Bytes(rows.simpleFixed)],
    ['rows.status', rows.notAffected],
    ['ranks.scheme', int32Bytes(ranks.scheme)],
    ['ranks.start', int32Bytes(ranks.start)],
    ['ranks.count', int32Bytes(ranks.count)],
    ['ranks.ranked', int32Bytes(ranks.ranked)],
    ['ranks.rows', int32Bytes(ranks.rank)],
  ];
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      version: BINARY_INDEX_VERSION,
      feeds: t.feeds,
      withdrawnSkipped: t.withdrawnSkipped,
      releases: index.releases(),
      ecosystems: index.ecosystems(),
      irregular: {
        strings: strings.irregular,
        availableKeys: availableKeys.irregular,
        advisoryKeys: advisoryKeys.irregular,
      },
      sections: sections.map(([name, bytes]) => [name, bytes.length]),
    }),
    'utf8',
  );
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let size = align(HEADER_START + header.length);
  for (const [, bytes] of sections) size = align(size + bytes.length);
  const out = Buffer.alloc(size);
  out.write(BINARY_INDEX_MAGIC, 0, 'latin1');
  out.writeUInt32LE(BINARY_INDEX_VERSION, 8);
  out.writeUInt32LE(header.length, 12);
  out.set(header, HEADER_START);
  let at = align(HEADER_START + header.length);
  for (const [, bytes] of sections) {
    out.set(bytes, at);
    at = align(at + bytes.length);
  }
  return out;
}

// ---- reading ------------------------------------------------------------------------------------

/**
 * The byte range of entry `i` of a text table, checked: within the bytes, not backwards, and not
 * starting or ending inside a UTF-8 character.
 */
function checkedRange(bytes: Uint8Array, offsets: Int32Array, i: number, what: string): [number, number] {
  const start = offsets[i]!;
  const end = offsets[i + 1]!;
  if (
    !(start >= 0 && start <= end && end <= bytes.length) ||
    (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) ||
    (end < bytes.length && (bytes[end]! & 0xc0) === 0x80)
  )
    throw bad(`${what} ${i} has a malformed byte range`);
  return [start, end];
}

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** Strings `first` … `first + 4095` of a table: decoded ones, and the chunk's text when it is ASCII. */
interface Chunk {
  strings: (string | undefined)[];
  /** The chunk's bytes as one string when they are all ASCII (then a string is a slice of it). */
  text: string | undefined;
  base: number;
  end: number;
}

/**
 * Strings decoded from their UTF-8 bytes on first use, then kept, in chunks of 4,096 made when first
 * touched (one array of hundreds of thousands of holes would be a slow dictionary in V8). A chunk
 * whose bytes are all ASCII is decoded once as a whole, its strings then cut from it.
 */
class Utf8Strings implements StringTable {
  readonly length: number;
  private readonly bytes: Buffer;
  private readonly offsets: Int32Array;
  private readonly chunks: (Chunk | undefined)[] = [];
  private everything: string[] | undefined;

  constructor(bytes: Buffer, offsets: Int32Array, irregular: Map<number, string>) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.length = offsets.length - 1;
    for (let c = 0; c < this.length; c += CHUNK) this.chunks.push(undefined);
    for (const [id, s] of irregular) this.chunkOf(id).strings[id & (CHUNK - 1)] = s;
  }

  private chunkOf(id: number): Chunk {
    const c = id >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (!chunk) {
      const base = this.offsets[c * CHUNK]!;
      const end = this.offsets[Math.min((c + 1) * CHUNK, this.length)]!;
      const whole = base >= 0 && base <= end && end <= this.bytes.length;
      const text =
        whole && isAscii(this.bytes.subarray(base, end))
          ? this.bytes.toString('latin1', base, end)
          : undefined;
      chunk = { strings: new Array<string | undefined>(CHUNK), text, base, end };
      this.chunks[c] = chunk;
    }
    return chunk;
  }

  get(id: number): string | undefined {
    if (!(id >= 0 && id < this.length)) return undefined;
    const chunk = this.chunks[id >>> CHUNK_BITS] ?? this.chunkOf(id);
    const i = id & (CHUNK - 1);
    let s = chunk.strings[i];
    if (s === undefined) {
      const start = this.offsets[id]!;
      const end = this.offsets[id + 1]!;
      if (chunk.text !== undefined && start >= chunk.base && start <= end && end <= chunk.end)
        s = chunk.text.slice(start - chunk.base, end - chunk.base);
      else {
        checkedRange(this.bytes, this.offsets, id, 'string');
        s = this.bytes.toString('utf8', start, end);
      }
      chunk.strings[i] = s;
    }
    return s;
  }

  all(): string[] {
    if (!this.everything) {
      const out: string[] = [];
      for (let i = 0; i < this.length; i++) out.push(this.get(i)!);
      this.everything = out;
    }
    return this.everything;
  }
}

const encoder = new TextEncoder();

/** Keys found through their stored hash table; a found key is checked byte for byte. */
class Utf8Keys implements KeyTable {
  readonly size: number;
  private readonly what: string;
  private readonly bytes: Buffer;
  private readonly offsets: Int32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly irregular: Map<number, string>;
  private readonly irregularNumbers: Map<string, number>;
  private readonly prefixList: string[];
  private scratch = new Uint8Array(256);

  constructor(
    what: string,
    text: { bytes: Buffer; offsets: Int32Array; irregular: Map<number, string> },
    slots: Int32Array,
    prefixes: string[],
  ) {
    this.what = what;
    this.bytes = text.bytes;
    this.offsets = text.offsets;
    this.size = text.offsets.length - 1;
    if (slots.length < this.size || slots.length === 0 || (slots.length & (slots.length - 1)) !== 0)
      throw bad(`${what} key slots are not a power of two at least the key count`);
    this.slots = slots;
    this.mask = slots.length - 1;
    this.irregular = text.irregular;
    this.irregularNumbers = new Map([...text.irregular].map(([k, s]) => [s, k]));
    this.prefixList = prefixes;
  }

  private equals(k: number, other: Uint8Array, n: number): boolean {
    const [from, to] = checkedRange(this.bytes, this.offsets, k, `${this.what} key`);
    if (to - from !== n) return false;
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) if (bytes[from + i] !== other[i]) return false;
    return true;
  }

  find(a: string, b: string): number {
    const key = `${a}\u0000${b}`;
    if (!key.isWellFormed()) return this.irregularNumbers.get(key) ?? -1;
    if (this.scratch.length < key.length * 3) this.scratch = new Uint8Array(key.length * 3);
    const scratch = this.scratch;
    const n = encoder.encodeInto(key, scratch).written;
    const slots = this.slots;
    let slot = fnv1a(scratch, 0, n) & this.mask;
    // At most one round of the table: a damaged table without an empty slot still ends.
    for (let probes = 0; probes < slots.length; probes++) {
      const held = slots[slot]!;
      if (held === 0) return -1;
      if (!(held > 0 && held <= this.size)) throw bad(`${this.what} key slot ${slot} holds ${held}`);
      if (this.equals(held - 1, scratch, n)) return held - 1;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  key(k: number): string {
    const irregular = this.irregular.get(k);
    if (irregular !== undefined) return irregular;
    const [start, end] = checkedRange(this.bytes, this.offsets, k, `${this.what} key`);
    return this.bytes.toString('utf8', start, end);
  }

  prefixes(): string[] {
    return this.prefixList;
  }
}

interface Header {
  feeds: IndexedFeed[];
  withdrawnSkipped: number;
  releases: string[];
  ecosystems: string[];
  irregular: { strings: unknown; availableKeys: unknown; advisoryKeys: unknown };
  sections: [string, number][];
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function readHeader(bytes: Uint8Array): { header: Header; dataStart: number } {
  if (!isBinaryFeedIndex(bytes) || bytes.length < HEADER_START) throw bad('not an Outboard feed index');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== BINARY_INDEX_VERSION) throw bad(`version ${version} is not ${BINARY_INDEX_VERSION}`);
  const length = view.getUint32(12, true);
  if (HEADER_START + length > bytes.length) throw bad('header runs past the end of the document');
  let doc: Record<string, unknown>;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(HEADER_START, HEADER_START + length),
    );
    doc = JSON.parse(text);
  } catch (cause) {
    throw new FeedFormatError('feed index', 'header is not UTF-8 JSON', undefined, { cause });
  }
  if (doc?.format !== FORMAT) throw bad('not an Outboard feed index');
  if (doc.version !== BINARY_INDEX_VERSION)
    throw bad(`header version ${String(doc.version)} is not ${BINARY_INDEX_VERSION}`);
  if (!Array.isArray(doc.feeds)) throw bad('feeds malformed');
  if (!isStringList(doc.releases) || !isStringList(doc.ecosystems))
    throw bad('release or ecosystem list malformed');
  const sections = doc.sections;
  if (
    !Array.isArray(sections) ||
    !sections.every(
      (s) =>
        Array.isArray(s) &&
        s.length === 2 &&
        typeof s[0] === 'string' &&
        Number.isSafeInteger(s[1]) &&
        (s[1] as number) >= 0,
    )
  )
    throw bad('section list malformed');
  const irregular = doc.irregular as Header['irregular'] | undefined;
  if (typeof irregular !== 'object' || irregular === null) throw bad('irregular text list malformed');
  return {
    header: {
      feeds: doc.feeds as IndexedFeed[],
      withdrawnSkipped: typeof doc.withdrawnSkipped === 'number' ? doc.withdrawnSkipped : 0,
      releases: doc.releases,
      ecosystems: doc.ecosystems,
      irregular,
      sections: sections as [string, number][],
    },
    dataStart: Math.ceil((HEADER_START + length) / 8) * 8,
  };
}

function irregularOf(list: unknown, count: number, what: string): Map<number, string> {
  if (!Array.isArray(list)) throw bad(`irregular ${what} malformed`);
  const out = new Map<number, string>();
  for (const item of list) {
    if (
      !Array.isArray(item) ||
      !Number.isInteger(item[0]) ||
      item[0] < 0 ||
      item[0] >= count ||
      typeof item[1] !== 'string'
    )
      throw bad(`irregular ${what} entry malformed`);
    out.set(item[0], item[1]);
  }
  return out;
}

/** Reads a version 2 document; the tables view its bytes (kept alive by them). */
export function decodeBinaryFeedIndex(input: Uint8Array): IndexTables {
  const { header, dataStart } = readHeader(input);
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const found = new Map<string, Buffer>();
  let at = dataStart;
  for (const [name, length] of header.sections) {
    if (at + length > bytes.length) throw bad(`section ${name} runs past the end of the document`);
    if (found.has(name)) throw bad(`section ${name} appears twice`);
    found.set(name, bytes.subarray(at, at + length));
    at = Math.ceil((at + length) / 8) * 8;
  }
  const raw = (name: string): Buffer => {
    const s = found.get(name);
    if (!s) throw bad(`section ${name} is missing`);
    return s;
  };
  const ints = (name: string): Int32Array => {
    const s = raw(name);
    if (s.length % 4 !== 0) throw bad(`section ${name} is not whole int32s`);
    if (LITTLE_ENDIAN && s.byteOffset % 4 === 0) return new Int32Array(s.buffer, s.byteOffset, s.length / 4);
    const out = new Int32Array(s.length / 4);
    const view = new DataView(s.buffer, s.byteOffset, s.length);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
    return out;
  };
  const sized = <T extends { length: number }>(name: string, a: T, length: number, what: string): T => {
    if (a.length !== length) throw bad(`${name} has ${a.length} values for ${length} ${what}`);
    return a;
  };
  const text = (prefix: string, irregularList: unknown) => {
    const b = raw(`${prefix}.bytes`);
    const offsets = ints(`${prefix}.offsets`);
    if (offsets.length === 0 || offsets[0] !== 0 || offsets[offsets.length - 1] !== b.length)
      throw bad(`${prefix} offsets do not cover its bytes`);
    if (!isUtf8(b)) throw bad(`${prefix} is not UTF-8`);
    const irregular = irregularOf(irregularList, offsets.length - 1, prefix);
    for (const id of irregular.keys())
      if (offsets[id + 1] !== offsets[id]) throw bad(`${prefix} irregular entry ${id} has bytes`);
    return { bytes: b, offsets, irregular };
  };

  const strings = text('strings', header.irregular.strings);
  const available = ints('available');
  if (available.length % ROW !== 0) throw bad('available is not whole rows');
  const availableKeys = new Utf8Keys(
    'available',
    text('available.keys', header.irregular.availableKeys),
    ints('available.keys.slots'),
    header.releases,
  );
  const keys = availableKeys.size;
  const availableStart = sized('available.keys.start', ints('available.keys.start'), keys, 'keys');
  const availableCount = sized('available.keys.count', ints('available.keys.count'), keys, 'keys');

  const advisoryKeys = new Utf8Keys(
    'advisory',
    text('advisory.keys', header.irregular.advisoryKeys),
    ints('advisory.keys.slots'),
    header.ecosystems,
  );
  const n = advisoryKeys.size;
  const perKey = (name: string) => sized(name, ints(name), n, 'keys');
  const offsets = ints('rows.offsets');
  const rowCount = offsets.length;
  const rows: StoredRows = {
    firstRow: perKey('advisory.keys.first'),
    offsets,
    meta: sized('rows.meta', ints('rows.meta'), rowCount, 'rows'),
    simpleFixed: sized('rows.fixed', ints('rows.fixed'), rowCount, 'rows'),
    notAffected: sized('rows.status', raw('rows.status'), rowCount, 'rows'),
  };
  const ranks: FixedRanks = {
    scheme: perKey('ranks.scheme'),
    start: perKey('ranks.start'),
    count: perKey('ranks.count'),
    ranked: ints('ranks.ranked'),
    rank: sized('ranks.rows', ints('ranks.rows'), rowCount, 'rows'),
  };

  // Spans, rows, ranks and metadata records are checked where they are read (see the top).
  return {
    strings: new Utf8Strings(strings.bytes, strings.offsets, strings.irregular),
    feeds: header.feeds,
    availableKeys,
    availableStart,
    availableCount,
    available,
    advisoryKeys,
    entryStart: perKey('advisory.keys.start'),
    entryLength: perKey('advisory.keys.length'),
    rowCount: perKey('advisory.keys.rows'),
    entries: ints('entries'),
    meta: ints('meta'),
    metaOffsets: ints('meta.offsets'),
    withdrawnSkipped: header.withdrawnSkipped,
    rows,
    ranks,
  };
}
