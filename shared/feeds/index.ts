/**
 * The feed index: built once per feed set, then asked (release, package) → versions a repository
 * offers, and (ecosystem, package) → advisories with their ranges. Compact: every string is interned
 * once in a table and records are runs of int32 in two flat typed arrays, so 100,000 advisories cost
 * tens of megabytes, not hundreds. `saveFeedIndex`/`loadFeedIndex` (index-store.ts) write it as one
 * gzipped JSON document for the object store.
 */
import type {
  Advisory,
  AdvisorySeverity,
  AffectedRange,
  CvssScore,
  Feed,
  FeedSource,
  RangeEvent,
  SeverityRating,
  UpdateClass,
  VersionScheme,
} from './types.ts';
import { FeedFormatError, SEVERITY_RATINGS, UPDATE_CLASSES } from './types.ts';

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

const KINDS = ['security', 'bugfix', 'enhancement', 'newpackage'] as const;
const RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const ROW = 7;
const SPAN = 2 ** 24;

const pack = (start: number, count: number) => start * SPAN + count;
const unpack = (v: number): [number, number] => [Math.floor(v / SPAN), v % SPAN];
const keyOf = (a: string, b: string) => `${a}\u0000${b}`;

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

/** Advisory metadata record `m` (the layout `encodeMeta` writes). */
function decodeMeta(d: FeedIndexData, str: (id: number) => string | undefined, m: number) {
  const t = d.meta;
  let o = d.metaOffsets[m]!;
  const id = str(t[o++]!)!;
  const kind = KINDS[t[o++]!] ?? 'security';
  const text = str(t[o++]!);
  const summary = str(t[o++]!);
  const published = str(t[o++]!);
  const modified = str(t[o++]!);
  const withdrawn = str(t[o++]!);
  const aliases: string[] = [];
  for (let n = t[o++]!; n > 0; n--) aliases.push(str(t[o++]!)!);
  const cvss: CvssScore[] = [];
  for (let n = t[o++]!; n > 0; n--) {
    const type = str(t[o++]!)!;
    const vector = str(t[o++]!)!;
    const score = t[o++]!;
    const rating = t[o++]!;
    cvss.push({
      type,
      vector,
      ...(score >= 0 ? { score: score / 10 } : {}),
      ...(rating >= 0 ? { rating: SEVERITY_RATINGS[rating] as SeverityRating } : {}),
    });
  }
  const severity: AdvisorySeverity = { cvss, ...(text ? { text } : {}) };
  return {
    id,
    aliases,
    kind,
    severity,
    ...(summary ? { summary } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(withdrawn ? { withdrawn } : {}),
  };
}

export class FeedIndex {
  readonly data: FeedIndexData;
  private readonly metaCache = new Map<number, Omit<IndexedAdvisory, 'status' | 'ranges' | 'versions'>>();
  private rows: AdvisoryRows | undefined;

  constructor(data: FeedIndexData) {
    this.data = data;
  }

  private str(id: number): string | undefined {
    if (id < 0) return undefined;
    const s = this.data.strings[id];
    if (s === undefined) throw new FeedFormatError('feed index', `string ${id} is missing`);
    return s;
  }

  get feeds(): IndexedFeed[] {
    return this.data.feeds;
  }

  stats() {
    const d = this.data;
    return {
      strings: d.strings.length,
      availableKeys: d.availableKeys.size,
      availableRows: d.available.length / ROW,
      advisoryKeys: d.advisoryKeys.size,
      advisories: d.metaOffsets.length,
      entryInts: d.entries.length,
      withdrawnSkipped: d.withdrawnSkipped,
    };
  }

  /** Versions offered for a binary package of a release (`Debian:12`, `Alpine:v3.20`, `Rocky Linux:9`). */
  availableVersions(release: string, name: string): AvailableVersion[] {
    const packed = this.data.availableKeys.get(keyOf(release, name));
    if (packed === undefined) return [];
    const [start, count] = unpack(packed);
    const a = this.data.available;
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
    const out = decodeMeta(this.data, (id) => this.str(id), m);
    if (this.metaCache.size > 10_000) this.metaCache.clear();
    this.metaCache.set(m, out);
    return out;
  }

  /** Advisories naming a package of an ecosystem (exact string; Debian/Ubuntu: the source package). */
  advisoriesFor(ecosystem: string, name: string): IndexedAdvisory[] {
    const packed = this.data.advisoryKeys.get(keyOf(ecosystem, name));
    if (packed === undefined) return [];
    const [start, length] = unpack(packed);
    const e = this.data.entries;
    const out: IndexedAdvisory[] = [];
    let o = start;
    while (o < start + length) {
      const m = e[o++]!;
      const status = e[o++] === 0 ? 'affected' : 'not-affected';
      const ranges: AffectedRange[] = [];
      for (let n = e[o++]!; n > 0; n--) {
        const type = RANGE_TYPES[e[o++]!]!;
        const events: RangeEvent[] = [];
        for (let k = e[o++]!; k > 0; k--) {
          const kind = EVENT_KINDS[e[o++]!]!;
          events.push({ [kind]: this.str(e[o++]!)! } as RangeEvent);
        }
        ranges.push({ type, events });
      }
      const versions: string[] = [];
      for (let n = e[o++]!; n > 0; n--) versions.push(this.str(e[o++]!)!);
      if (o > start + length) throw new FeedFormatError('feed index', 'advisory entry runs past its span');
      const meta = this.metaOf(m);
      out.push({ ...meta, aliases: [...meta.aliases], status, ranges, versions });
    }
    return out;
  }

  /**
   * The advisory entries as rows (see {@link AdvisoryRows}): the lean read path for matching many
   * packages. Built on first use, in one pass over the entry table, and kept with the index.
   */
  advisoryRows(): AdvisoryRows {
    this.rows ??= new AdvisoryRows(this.data);
    return this.rows;
  }

  /** Release keys and ecosystems the index knows. */
  releases(): string[] {
    return [
      ...new Set([...this.data.availableKeys.keys()].map((k) => k.slice(0, k.indexOf('\u0000')))),
    ].sort();
  }

  ecosystems(): string[] {
    return [
      ...new Set([...this.data.advisoryKeys.keys()].map((k) => k.slice(0, k.indexOf('\u0000')))),
    ].sort();
  }
}

/** {@link AdvisoryRows.simpleFixed}: one range `introduced 0` and nothing else. */
export const ROW_NO_FIX = -1;
/** {@link AdvisoryRows.simpleFixed}: any other shape; read the row with {@link AdvisoryRows.decode}. */
export const ROW_COMPLEX = -2;

/** What matching needs of an advisory's metadata. */
export type AdvisoryRowMeta = Pick<IndexedAdvisory, 'id' | 'aliases' | 'kind' | 'severity'>;

/**
 * Every advisory entry of an index as a row of flat typed arrays, rows of one (ecosystem, package)
 * key contiguous and in the order {@link FeedIndex.advisoriesFor} returns them. Reading a key's rows
 * allocates nothing: {@link span} gives the first row and the count; per row, {@link meta} is the
 * metadata handle, {@link notAffected} the status, and {@link simpleFixed} the range pre-parsed at
 * build time for the shape of nearly every distribution record — one ECOSYSTEM range of
 * `introduced: "0"` and at most one `fixed` (either order) and no listed versions: the fixed
 * version's string id, {@link ROW_NO_FIX} without one, {@link ROW_COMPLEX} for any other shape.
 * {@link decode} and {@link metaOf} build objects for the few rows that need them (metadata decoded
 * once per handle and kept; its objects are shared, so treat them as read-only).
 */
export class AdvisoryRows {
  /** Number of rows. */
  readonly length: number;
  /** Metadata handle of each row (for {@link metaOf}). */
  readonly meta: Int32Array;
  /** 1 for a `not-affected` entry (Alpine secdb suppressions), else 0. */
  readonly notAffected: Uint8Array;
  /** Fixed version string id of a simple row, or {@link ROW_NO_FIX} / {@link ROW_COMPLEX}. */
  readonly simpleFixed: Int32Array;
  /** The interned string table (ids index it). */
  readonly strings: readonly string[];
  private readonly offsets: Int32Array;
  private readonly keyRows = new Map<string, number>();
  private readonly data: FeedIndexData;
  private readonly metas: (AdvisoryRowMeta | undefined)[];

  constructor(data: FeedIndexData) {
    this.data = data;
    this.strings = data.strings;
    this.metas = new Array(data.metaOffsets.length);
    const e = data.entries;
    const strings = data.strings;
    const metaCount = data.metaOffsets.length;
    const bad = (what: string) => new FeedFormatError('feed index', what);
    const checkString = (id: number) => {
      if (!(id >= 0 && id < strings.length)) throw bad(`string ${id} is missing`);
    };
    // Every entry is at least 4 ints (meta, status, range count, version count).
    const cap = Math.ceil(e.length / 4);
    const offsets = new Int32Array(cap);
    const meta = new Int32Array(cap);
    const notAffected = new Uint8Array(cap);
    const simpleFixed = new Int32Array(cap);
    let n = 0;
    for (const [key, packed] of data.advisoryKeys) {
      const [start, length] = unpack(packed);
      const end = start + length;
      const first = n;
      let o = start;
      while (o < end) {
        offsets[n] = o;
        const m = e[o++]!;
        if (!(m >= 0 && m < metaCount)) throw bad(`advisory metadata ${m} is missing`);
        meta[n] = m;
        notAffected[n] = e[o++] === 0 ? 0 : 1;
        const ranges = e[o++]!;
        let fixed = ROW_COMPLEX;
        if (ranges === 1 && e[o] === 0 && (e[o + 1] === 1 || e[o + 1] === 2)) {
          let zero = false;
          let f = ROW_NO_FIX;
          let simple = true;
          for (let k = e[o + 1]!, p = o + 2; k > 0; k--, p += 2) {
            const kind = e[p]!;
            const value = e[p + 1]!;
            checkString(value);
            if (kind === 0 && strings[value] === '0' && !zero) zero = true;
            else if (kind === 1 && f === ROW_NO_FIX) f = value;
            else simple = false;
          }
          if (simple && zero) fixed = f;
        }
        for (let r = ranges; r > 0; r--) {
          o++; // type
          for (let k = e[o++]!; k > 0; k--) {
            o++; // kind
            checkString(e[o++]!);
          }
        }
        const versions = e[o++]!;
        if (versions !== 0) fixed = ROW_COMPLEX;
        for (let v = versions; v > 0; v--) checkString(e[o++]!);
        simpleFixed[n] = fixed;
        n++;
        if (o > end) throw bad('advisory entry runs past its span');
      }
      this.keyRows.set(key, pack(first, n - first));
    }
    this.length = n;
    this.offsets = offsets.slice(0, n);
    this.meta = meta.slice(0, n);
    this.notAffected = notAffected.slice(0, n);
    this.simpleFixed = simpleFixed.slice(0, n);
  }

  /** The rows of an (ecosystem, package) key as one number (see {@link start}, {@link count}); -1 when none. */
  span(ecosystem: string, name: string): number {
    return this.keyRows.get(keyOf(ecosystem, name)) ?? -1;
  }

  /** First row of a {@link span}. */
  start(span: number): number {
    return span < 0 ? 0 : Math.floor(span / SPAN);
  }

  /** Row count of a {@link span}. */
  count(span: number): number {
    return span < 0 ? 0 : span % SPAN;
  }

  /** A row's status, ranges and versions as objects (as {@link FeedIndex.advisoriesFor} has them). */
  decode(row: number): Pick<IndexedAdvisory, 'status' | 'ranges' | 'versions'> {
    const e = this.data.entries;
    const strings = this.strings;
    let o = this.offsets[row]! + 1;
    const status = e[o++] === 0 ? 'affected' : 'not-affected';
    const ranges: AffectedRange[] = [];
    for (let n = e[o++]!; n > 0; n--) {
      const type = RANGE_TYPES[e[o++]!]!;
      const events: RangeEvent[] = [];
      for (let k = e[o++]!; k > 0; k--) {
        const kind = EVENT_KINDS[e[o++]!]!;
        events.push({ [kind]: strings[e[o++]!]! } as RangeEvent);
      }
      ranges.push({ type, events });
    }
    const versions: string[] = [];
    for (let n = e[o++]!; n > 0; n--) versions.push(strings[e[o++]!]!);
    return { status, ranges, versions };
  }

  /** Id, aliases, kind and severity of a metadata handle (decoded once, then shared). */
  metaOf(handle: number): AdvisoryRowMeta {
    let out = this.metas[handle];
    if (!out) {
      const strings = this.strings;
      const str = (id: number): string | undefined => {
        if (id < 0) return undefined;
        const s = strings[id];
        if (s === undefined) throw new FeedFormatError('feed index', `string ${id} is missing`);
        return s;
      };
      const m = decodeMeta(this.data, str, handle);
      out = { id: m.id, aliases: m.aliases, kind: m.kind, severity: m.severity };
      this.metas[handle] = out;
    }
    return out;
  }
}
