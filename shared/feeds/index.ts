/**
 * The feed index: built once per feed set, then asked (release, package) → versions a repository
 * offers, and (ecosystem, package) → advisories with their ranges. Compact: every string is interned
 * once in a table and records are runs of int32 in two flat typed arrays, so 100,000 advisories cost
 * tens of megabytes, not hundreds. `saveFeedIndex`/`loadFeedIndex` (index-store.ts) write it for the
 * object store in a binary layout (index-binary.ts) that loads without decoding its strings; the
 * reader goes through the tables of index-tables.ts, whichever way the index was made.
 */
import { AdvisoryRows } from './advisory-rows.ts';
import { decodeMeta, EVENT_KINDS, KINDS, keyOf, pack, RANGE_TYPES, ROW } from './index-records.ts';
import { dataFromTables, type IndexTables, tablesFromData } from './index-tables.ts';
import type {
  Advisory,
  AffectedRange,
  Feed,
  FeedSource,
  RangeEvent,
  UpdateClass,
  VersionScheme,
} from './types.ts';
import { FeedFormatError, SEVERITY_RATINGS, UPDATE_CLASSES } from './types.ts';

export { type AdvisoryRowMeta, AdvisoryRows, ROW_COMPLEX, ROW_NO_FIX } from './advisory-rows.ts';
export type { IndexTables, KeyTable, StringTable } from './index-tables.ts';

export interface AvailableVersion {
  version: string;
  arch: string;
  suite: string;
  component?: string;
  classification: UpdateClass;
  source: { name: string; version?: string };
}

export type IndexedAdvisory = Omit<Advisory, 'ecosystem' | 'package'>;

export interface IndexedFeed {
  kind: Feed['kind'];
  /** Release key (available-version feeds). */
  release?: string;
  scheme?: VersionScheme;
  source: FeedSource;
  notes: string[];
}

/** The serialisable body of an index (see index-store.ts). */
export interface FeedIndexData {
  strings: string[];
  feeds: IndexedFeed[];
  /** key `release\0name` → [row start, row count] into `available` (7 ints a row). */
  availableKeys: Map<string, number>;
  available: Int32Array;
  /** key `ecosystem\0name` → [start, length] into `entries`. */
  advisoryKeys: Map<string, number>;
  entries: Int32Array;
  /** metadata of advisory i starts at meta[metaOffsets[i]]. */
  meta: Int32Array;
  metaOffsets: Int32Array;
  withdrawnSkipped: number;
}

/** Growable int32 buffer. */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(...values: number[]) {
    if (this.length + values.length > this.data.length) {
      const next = new Int32Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    for (const v of values) this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string | undefined): number {
    if (s === undefined) return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

function encodeMeta(out: Ints, s: Strings, a: Advisory) {
  out.push(
    s.id(a.id),
    KINDS.indexOf(a.kind),
    s.id(a.severity.text),
    s.id(a.summary),
    s.id(a.published),
    s.id(a.modified),
    s.id(a.withdrawn),
    a.aliases.length,
    ...a.aliases.map((x) => s.id(x)),
    a.severity.cvss.length,
  );
  for (const c of a.severity.cvss)
    out.push(
      s.id(c.type),
      s.id(c.vector),
      c.score === undefined ? -1 : Math.round(c.score * 10),
      c.rating ? SEVERITY_RATINGS.indexOf(c.rating) : -1,
    );
}

function encodeEntry(out: number[], s: Strings, meta: number, a: Advisory) {
  out.push(meta, a.status === 'affected' ? 0 : 1, a.ranges.length);
  for (const r of a.ranges) {
    out.push(RANGE_TYPES.indexOf(r.type), r.events.length);
    for (const e of r.events) {
      const kind = EVENT_KINDS.find((k) => k in e)!;
      out.push(EVENT_KINDS.indexOf(kind), s.id((e as Record<string, string>)[kind]));
    }
  }
  out.push(a.versions.length, ...a.versions.map((v) => s.id(v)));
}

/** Builds the index from parsed feeds. Withdrawn advisories are left out (counted). */
export function buildFeedIndex(feeds: Feed[]): FeedIndex {
  const s = new Strings();
  const availableRows = new Map<string, number[]>();
  const seenRows = new Set<string>();
  const entriesByKey = new Map<string, number[]>();
  const meta = new Ints();
  const metaOffsets: number[] = [];
  const metaIds = new Map<string, number>();
  const seenEntries = new Set<string>();
  let withdrawnSkipped = 0;
  const indexed: IndexedFeed[] = [];
  for (const feed of feeds) {
    indexed.push({
      kind: feed.kind,
      ...('release' in feed ? { release: feed.release, scheme: feed.scheme } : {}),
      source: feed.source,
      notes: feed.notes,
    });
    if ('packages' in feed) {
      for (const p of feed.packages) {
        const key = keyOf(feed.release, p.name);
        const row = [
          s.id(p.version),
          s.id(p.arch),
          s.id(p.suite),
          s.id(p.component),
          UPDATE_CLASSES.indexOf(p.classification),
          s.id(p.source.name),
          s.id(p.source.version),
        ];
        const dedupe = `${key}\u0000${row.join(',')}`;
        if (seenRows.has(dedupe)) continue;
        seenRows.add(dedupe);
        let rows = availableRows.get(key);
        if (!rows) {
          rows = [];
          availableRows.set(key, rows);
        }
        rows.push(...row);
      }
    }
    if ('advisories' in feed) {
      for (const a of feed.advisories) {
        if (a.withdrawn) {
          withdrawnSkipped++;
          continue;
        }
        const metaKey = JSON.stringify([
          a.id,
          a.kind,
          a.severity,
          a.summary,
          a.published,
          a.modified,
          a.aliases,
        ]);
        let m = metaIds.get(metaKey);
        if (m === undefined) {
          m = metaOffsets.length;
          metaIds.set(metaKey, m);
          metaOffsets.push(meta.length);
          encodeMeta(meta, s, a);
        }
        const key = keyOf(a.ecosystem, a.package);
        const encoded: number[] = [];
        encodeEntry(encoded, s, m, a);
        const dedupe = `${key}\u0000${encoded.join(',')}`;
        if (seenEntries.has(dedupe)) continue;
        seenEntries.add(dedupe);
        let list = entriesByKey.get(key);
        if (!list) {
          list = [];
          entriesByKey.set(key, list);
        }
        for (const v of encoded) list.push(v);
      }
    }
  }
  const available = new Ints();
  const availableKeys = new Map<string, number>();
  for (const [key, rows] of availableRows) {
    availableKeys.set(key, pack(available.length / ROW, rows.length / ROW));
    available.push(...rows);
  }
  const entries = new Ints();
  const advisoryKeys = new Map<string, number>();
  for (const [key, list] of entriesByKey) {
    advisoryKeys.set(key, pack(entries.length, list.length));
    for (let i = 0; i < list.length; i += 4096) entries.push(...list.slice(i, i + 4096));
  }
  return new FeedIndex({
    strings: s.list,
    feeds: indexed,
    availableKeys,
    available: available.done(),
    advisoryKeys,
    entries: entries.done(),
    meta: meta.done(),
    metaOffsets: Int32Array.from(metaOffsets),
    withdrawnSkipped,
  });
}

function isTables(source: FeedIndexData | IndexTables): source is IndexTables {
  return 'entryStart' in source;
}

export class FeedIndex {
  /** What every reader goes through. */
  readonly tables: IndexTables;
  private materialized: FeedIndexData | undefined;
  private readonly metaCache = new Map<number, Omit<IndexedAdvisory, 'status' | 'ranges' | 'versions'>>();
  private rows: AdvisoryRows | undefined;
  private releaseList: string[] | undefined;
  private ecosystemList: string[] | undefined;

  /** From the plain body ({@link buildFeedIndex}, the version 1 document) or from tables (the binary format). */
  constructor(source: FeedIndexData | IndexTables) {
    if (isTables(source)) this.tables = source;
    else {
      this.tables = tablesFromData(source);
      this.materialized = source;
    }
  }

  /**
   * The plain body: every string in an array, keys in Maps. For an index read from the binary format
   * it is decoded whole on first use (tens of milliseconds for 100,000 advisories): scans do not use it.
   */
  get data(): FeedIndexData {
    this.materialized ??= dataFromTables(this.tables);
    return this.materialized;
  }

  private str(id: number): string | undefined {
    if (id < 0) return undefined;
    const s = this.tables.strings.get(id);
    if (s === undefined) throw new FeedFormatError('feed index', `string ${id} is missing`);
    return s;
  }

  get feeds(): IndexedFeed[] {
    return this.tables.feeds;
  }

  stats() {
    const t = this.tables;
    return {
      strings: t.strings.length,
      availableKeys: t.availableKeys.size,
      availableRows: t.available.length / ROW,
      advisoryKeys: t.advisoryKeys.size,
      advisories: t.metaOffsets.length,
      entryInts: t.entries.length,
      withdrawnSkipped: t.withdrawnSkipped,
    };
  }

  /** Versions offered for a binary package of a release (`Debian:12`, `Alpine:v3.20`, `Rocky Linux:9`). */
  availableVersions(release: string, name: string): AvailableVersion[] {
    const t = this.tables;
    const k = t.availableKeys.find(release, name);
    if (k < 0) return [];
    const start = t.availableStart[k]!;
    const count = t.availableCount[k]!;
    const a = t.available;
    if (!(start >= 0 && count >= 0 && (start + count) * ROW <= a.length))
      throw new FeedFormatError('feed index', `available key ${k} points past its table`);
    const out: AvailableVersion[] = [];
    for (let r = start; r < start + count; r++) {
      const o = r * ROW;
      const component = this.str(a[o + 3]!);
      const sourceVersion = this.str(a[o + 6]!);
      out.push({
        version: this.str(a[o]!)!,
        arch: this.str(a[o + 1]!)!,
        suite: this.str(a[o + 2]!)!,
        ...(component ? { component } : {}),
        classification: UPDATE_CLASSES[a[o + 4]!] ?? 'unknown',
        source: { name: this.str(a[o + 5]!)!, ...(sourceVersion ? { version: sourceVersion } : {}) },
      });
    }
    return out;
  }

  private metaOf(m: number) {
    const cached = this.metaCache.get(m);
    if (cached) return cached;
    const out = decodeMeta(this.tables.meta, this.tables.metaOffsets, (id) => this.str(id), m, true);
    if (this.metaCache.size > 10_000) this.metaCache.clear();
    this.metaCache.set(m, out);
    return out;
  }

  /** Advisories naming a package of an ecosystem (exact string; Debian/Ubuntu: the source package). */
  advisoriesFor(ecosystem: string, name: string): IndexedAdvisory[] {
    const t = this.tables;
    const k = t.advisoryKeys.find(ecosystem, name);
    if (k < 0) return [];
    const start = t.entryStart[k]!;
    const length = t.entryLength[k]!;
    const e = t.entries;
    if (!(start >= 0 && length >= 0 && start + length <= e.length))
      throw new FeedFormatError('feed index', `advisory key ${k} points past its table`);
    const out: IndexedAdvisory[] = [];
    let o = start;
    while (o < start + length) {
      const m = e[o++]!;
      const status = e[o++] === 0 ? 'affected' : 'not-affected';
      const ranges: AffectedRange[] = [];
      for (let n = e[o++]!; n > 0; n--) {
        const type = RANGE_TYPES[e[o++]!]!;
        const events: RangeEvent[] = [];
        for (let c = e[o++]!; c > 0; c--) {
          const kind = EVENT_KINDS[e[o++]!]!;
          events.push({ [kind]: this.str(e[o++]!)! } as RangeEvent);
        }
        ranges.push({ type, events });
      }
      const versions: string[] = [];
      for (let n = e[o++]!; n > 0; n--) versions.push(this.str(e[o++]!)!);
      if (o > start + length) throw new FeedFormatError('feed index', 'advisory entry runs past its span');
      if (!(m >= 0 && m < t.metaOffsets.length))
        throw new FeedFormatError('feed index', `advisory metadata ${m} is missing`);
      const meta = this.metaOf(m);
      out.push({ ...meta, aliases: [...meta.aliases], status, ranges, versions });
    }
    return out;
  }

  /**
   * The advisory entries as rows (see {@link AdvisoryRows}): the lean read path for matching many
   * packages. Made on first use and kept with the index; over the binary format a key's rows are read
   * when the key is first asked for.
   */
  advisoryRows(): AdvisoryRows {
    this.rows ??= new AdvisoryRows(this.tables);
    return this.rows;
  }

  /** Release keys and ecosystems the index knows. */
  releases(): string[] {
    this.releaseList ??= this.tables.availableKeys.prefixes();
    return [...this.releaseList];
  }

  ecosystems(): string[] {
    this.ecosystemList ??= this.tables.advisoryKeys.prefixes();
    return [...this.ecosystemList];
  }
}
