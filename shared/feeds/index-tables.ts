/**
 * The feed index as the reader sees it: a string table and two key tables over flat int32 tables.
 * Two backings share these interfaces: plain arrays and Maps (an index built in memory or read from
 * the version 1 JSON document) and views over the bytes of a version 2 binary document
 * (index-binary.ts), which decode a string or find a key only when asked, so loading an index does
 * not materialise its hundreds of thousands of strings.
 */
import type { FeedIndexData, IndexedFeed } from './index.ts';
import { pack, unpack } from './index-records.ts';

/** Interned strings by id. */
export interface StringTable {
  readonly length: number;
  /** The string with this id; undefined when the table has no such id. */
  get(id: number): string | undefined;
  /** Every string, in id order (materialised: for serialising and compatibility, not for scans). */
  all(): string[];
}

/** Keys `a\0b` numbered 0 … size - 1. */
export interface KeyTable {
  readonly size: number;
  /** The number of key `a\0b`, or -1. */
  find(a: string, b: string): number;
  /** Key number `k` as `a\0b`. */
  key(k: number): string;
  /** The distinct `a` parts, sorted. */
  prefixes(): string[];
}

/**
 * The fixed versions of simple advisory rows in version order, per advisory key (fixed-ranks.ts):
 * saved with the binary format so that the matcher finds which fixes lie above an installed version
 * with one binary search per key.
 */
export interface FixedRanks {
  /** Per key: the scheme its fixes are ordered by (1 + index in RANK_SCHEMES), 0 when not ordered. */
  scheme: Int32Array;
  /** Per key: first id and id count in {@link ranked}. */
  start: Int32Array;
  count: Int32Array;
  /** Per key, string ids of its distinct fixed versions, ascending (one id for versions that compare equal). */
  ranked: Int32Array;
  /** Per row: the position of its fixed version in its key's ranked list, -1 when not ranked. */
  rank: Int32Array;
}

/** The advisory rows as the binary format stores them (see {@link AdvisoryRows}): read in place. */
export interface StoredRows {
  /** Per advisory key: its first row (its row count is {@link IndexTables.rowCount}). */
  firstRow: Int32Array;
  offsets: Int32Array;
  meta: Int32Array;
  notAffected: Uint8Array;
  simpleFixed: Int32Array;
}

export interface IndexTables {
  strings: StringTable;
  feeds: IndexedFeed[];
  /** `release\0name` → rows of {@link available}. */
  availableKeys: KeyTable;
  /** Per available key: its first row and row count (7 ints a row). */
  availableStart: Int32Array;
  availableCount: Int32Array;
  available: Int32Array;
  /** `ecosystem\0name` → advisory entries. */
  advisoryKeys: KeyTable;
  /** Per advisory key: its first int and int count in {@link entries}. */
  entryStart: Int32Array;
  entryLength: Int32Array;
  /** Per advisory key: its number of entries, when the saved form records it (with {@link rows}). */
  rowCount?: Int32Array;
  entries: Int32Array;
  meta: Int32Array;
  metaOffsets: Int32Array;
  withdrawnSkipped: number;
  /** The advisory rows, when the saved form stores them. */
  rows?: StoredRows;
  /** Fixed versions in order, when the saved form has them (per row of {@link rows}). */
  ranks?: FixedRanks;
}

export class ArrayStrings implements StringTable {
  private readonly list: string[];
  constructor(list: string[]) {
    this.list = list;
  }
  get length(): number {
    return this.list.length;
  }
  get(id: number): string | undefined {
    return this.list[id];
  }
  all(): string[] {
    return this.list;
  }
}

/** Sorted distinct parts before the first NUL. */
export function prefixesOf(keys: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const k of keys) out.add(k.slice(0, k.indexOf('\u0000')));
  return [...out].sort();
}

export class MapKeys implements KeyTable {
  private readonly numbers = new Map<string, number>();
  private readonly list: string[];
  private sortedPrefixes: string[] | undefined;
  constructor(keys: string[]) {
    this.list = keys;
    keys.forEach((k, i) => {
      this.numbers.set(k, i);
    });
  }
  get size(): number {
    return this.list.length;
  }
  find(a: string, b: string): number {
    return this.numbers.get(`${a}\u0000${b}`) ?? -1;
  }
  key(k: number): string {
    return this.list[k]!;
  }
  prefixes(): string[] {
    this.sortedPrefixes ??= prefixesOf(this.list);
    return this.sortedPrefixes;
  }
}

function spans(map: Map<string, number>): { keys: MapKeys; start: Int32Array; count: Int32Array } {
  const start = new Int32Array(map.size);
  const count = new Int32Array(map.size);
  let i = 0;
  for (const packed of map.values()) {
    const [s, c] = unpack(packed);
    start[i] = s;
    count[i] = c;
    i++;
  }
  return { keys: new MapKeys([...map.keys()]), start, count };
}

/** Tables over an index's plain body (built in memory, or read from a version 1 document). */
export function tablesFromData(d: FeedIndexData): IndexTables {
  const available = spans(d.availableKeys);
  const advisory = spans(d.advisoryKeys);
  return {
    strings: new ArrayStrings(d.strings),
    feeds: d.feeds,
    availableKeys: available.keys,
    availableStart: available.start,
    availableCount: available.count,
    available: d.available,
    advisoryKeys: advisory.keys,
    entryStart: advisory.start,
    entryLength: advisory.count,
    entries: d.entries,
    meta: d.meta,
    metaOffsets: d.metaOffsets,
    withdrawnSkipped: d.withdrawnSkipped,
  };
}

function keyMap(keys: KeyTable, start: Int32Array, count: Int32Array): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = 0; k < keys.size; k++) out.set(keys.key(k), pack(start[k]!, count[k]!));
  return out;
}

/** The plain body of an index (every string and key decoded): for callers that want the arrays. */
export function dataFromTables(t: IndexTables): FeedIndexData {
  return {
    strings: t.strings.all(),
    feeds: t.feeds,
    availableKeys: keyMap(t.availableKeys, t.availableStart, t.availableCount),
    available: t.available,
    advisoryKeys: keyMap(t.advisoryKeys, t.entryStart, t.entryLength),
    entries: t.entries,
    meta: t.meta,
    metaOffsets: t.metaOffsets,
    withdrawnSkipped: t.withdrawnSkipped,
  };
}
