/**
 * The advisory entries of a feed index as rows of flat typed arrays: the lean read path the matcher
 * uses (shared/patching/match.ts). See {@link AdvisoryRows}.
 */

import { RANK_SCHEMES } from './fixed-ranks.ts';
import type { IndexedAdvisory } from './index.ts';
import { decodeMeta, EVENT_KINDS, pack, RANGE_TYPES, SPAN } from './index-records.ts';
import type { FixedRanks, IndexTables } from './index-tables.ts';
import type { AffectedRange, RangeEvent, VersionScheme } from './types.ts';
import { FeedFormatError } from './types.ts';

/** {@link AdvisoryRows.simpleFixed}: one range `introduced 0` and nothing else. */
export const ROW_NO_FIX = -1;
/** {@link AdvisoryRows.simpleFixed}: any other shape; read the row with {@link AdvisoryRows.decode}. */
export const ROW_COMPLEX = -2;

/** What matching needs of an advisory's metadata. */
export type AdvisoryRowMeta = Pick<IndexedAdvisory, 'id' | 'aliases' | 'kind' | 'severity'>;

const bad = (what: string) => new FeedFormatError('feed index', what);

/**
 * Every advisory entry of an index as a row of flat typed arrays, rows of one (ecosystem, package)
 * key contiguous and in the order {@link FeedIndex.advisoriesFor} returns them. Reading a key's rows
 * allocates nothing: {@link span} gives the first row and the count; per row, {@link meta} is the
 * metadata handle, {@link notAffected} the status, and {@link simpleFixed} the range pre-parsed for
 * the shape of nearly every distribution record — one ECOSYSTEM range of `introduced: "0"` and at
 * most one `fixed` (either order) and no listed versions: the fixed version's string id,
 * {@link ROW_NO_FIX} without one, {@link ROW_COMPLEX} for any other shape. {@link decode} and
 * {@link metaOf} build objects for the few rows that need them (metadata decoded once per handle and
 * kept; its objects are shared, so treat them as read-only).
 *
 * The rows are made in one pass over the entry table, or, for an index read from the binary format,
 * read where they are stored: then a key's rows are checked the first time {@link span} is asked for
 * it, so a scan pays only for the packages the guest has.
 *
 * The binary format also carries each key's fixed versions in order (fixed-ranks.ts): then
 * {@link ranking} gives them and {@link fixedRank} each simple row's place among them.
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
  /** Per row: the rank of its fixed version in its key's {@link ranking}, -1 when not ranked. */
  readonly fixedRank: Int32Array;
  /** Per row: where its entry starts in the index's entry table. */
  readonly offsets: Int32Array;
  private readonly t: IndexTables;
  private readonly rowStart: Int32Array;
  private readonly rowCount: Int32Array;
  /** Stored rows: per key, 1 once its rows are checked; undefined when the rows were read here. */
  private readonly checked: Uint8Array | undefined;
  private readonly metas = new Map<number, AdvisoryRowMeta>();
  private readonly ranks: FixedRanks | undefined;

  constructor(t: IndexTables) {
    this.t = t;
    const keys = t.advisoryKeys.size;
    if (t.rows && t.rowCount) {
      const stored = t.rows;
      const n = stored.offsets.length;
      if (stored.meta.length !== n || stored.notAffected.length !== n || stored.simpleFixed.length !== n)
        throw bad('the stored advisory rows differ in length');
      if (t.ranks && t.ranks.rank.length !== n)
        throw bad(`the ranks have ${t.ranks.rank.length} rows for ${n} entries`);
      if (stored.firstRow.length !== keys || t.rowCount.length !== keys)
        throw bad(`the stored advisory rows do not have one span per key`);
      this.length = n;
      this.offsets = stored.offsets;
      this.meta = stored.meta;
      this.notAffected = stored.notAffected;
      this.simpleFixed = stored.simpleFixed;
      this.rowStart = stored.firstRow;
      this.rowCount = t.rowCount;
      this.ranks = t.ranks;
      this.fixedRank = t.ranks?.rank ?? new Int32Array(n).fill(-1);
      this.checked = new Uint8Array(keys);
      return;
    }
    // Every entry is at least 4 ints (meta, status, range count, version count).
    const cap = Math.ceil(t.entries.length / 4);
    this.offsets = new Int32Array(cap);
    this.meta = new Int32Array(cap);
    this.notAffected = new Uint8Array(cap);
    this.simpleFixed = new Int32Array(cap);
    this.rowStart = new Int32Array(keys);
    this.rowCount = new Int32Array(keys);
    let n = 0;
    for (let k = 0; k < keys; k++) {
      this.rowStart[k] = n;
      const count = this.fill(k, n, cap - n);
      this.rowCount[k] = count;
      n += count;
    }
    this.length = n;
    this.offsets = this.offsets.slice(0, n);
    this.meta = this.meta.slice(0, n);
    this.notAffected = this.notAffected.slice(0, n);
    this.simpleFixed = this.simpleFixed.slice(0, n);
    this.fixedRank = new Int32Array(n).fill(-1);
  }

  /** Reads the entries of key `k` into rows `first` …, at most `limit` of them; returns the count. */
  private fill(k: number, first: number, limit: number): number {
    const t = this.t;
    const e = t.entries;
    const strings = t.strings;
    const stringCount = strings.length;
    const metaCount = t.metaOffsets.length;
    const checkString = (id: number) => {
      if (!(id >= 0 && id < stringCount)) throw bad(`string ${id} is missing`);
    };
    const start = t.entryStart[k]!;
    const end = start + t.entryLength[k]!;
    if (!(start >= 0 && start <= end && end <= e.length))
      throw bad(`advisory key ${k} points past its table`);
    let o = start;
    let n = first;
    while (o < end) {
      if (n - first >= limit) throw bad(`advisory key ${k} has more entries than its table records`);
      this.offsets[n] = o;
      const m = e[o++]!;
      if (!(m >= 0 && m < metaCount)) throw bad(`advisory metadata ${m} is missing`);
      this.meta[n] = m;
      this.notAffected[n] = e[o++] === 0 ? 0 : 1;
      const ranges = e[o++]!;
      let fixed = ROW_COMPLEX;
      if (ranges === 1 && e[o] === 0 && (e[o + 1] === 1 || e[o + 1] === 2)) {
        let zero = false;
        let f = ROW_NO_FIX;
        let simple = true;
        for (let c = e[o + 1]!, p = o + 2; c > 0; c--, p += 2) {
          const kind = e[p]!;
          const value = e[p + 1]!;
          checkString(value);
          if (kind === 0 && !zero && strings.get(value) === '0') zero = true;
          else if (kind === 1 && f === ROW_NO_FIX) f = value;
          else simple = false;
        }
        if (simple && zero) fixed = f;
      }
      for (let r = ranges; r > 0; r--) {
        o++; // type
        for (let c = e[o++]!; c > 0; c--) {
          o++; // kind
          checkString(e[o++]!);
        }
      }
      const versions = e[o++]!;
      if (versions !== 0) fixed = ROW_COMPLEX;
      for (let v = versions; v > 0; v--) checkString(e[o++]!);
      this.simpleFixed[n] = fixed;
      n++;
      if (o > end) throw bad('advisory entry runs past its span');
    }
    return n - first;
  }

  /**
   * The stored rows of key `k` within their tables: the span, each row's entry offset, metadata
   * handle, status, fixed version id and rank (string ids inside entries are checked when decoded).
   */
  private checkStored(k: number) {
    const t = this.t;
    const first = this.rowStart[k]!;
    const count = this.rowCount[k]!;
    if (!(first >= 0 && count >= 0 && first + count <= this.length))
      throw bad(`advisory key ${k} rows point past their table`);
    const entryStart = t.entryStart[k]!;
    const entryEnd = entryStart + t.entryLength[k]!;
    if (!(entryStart >= 0 && entryStart <= entryEnd && entryEnd <= t.entries.length))
      throw bad(`advisory key ${k} points past its table`);
    // Every entry is at least 4 ints, and a key with entries has rows.
    if (count * 4 > entryEnd - entryStart || (count === 0) !== (entryEnd === entryStart))
      throw bad(`advisory key ${k} has ${count} rows for ${entryEnd - entryStart} ints of entries`);
    const metaCount = t.metaOffsets.length;
    const stringCount = t.strings.length;
    for (let r = first; r < first + count; r++) {
      const o = this.offsets[r]!;
      const m = this.meta[r]!;
      const f = this.simpleFixed[r]!;
      if (!(o >= entryStart && o < entryEnd)) throw bad(`advisory row ${r} points outside its key's entries`);
      if (!(m >= 0 && m < metaCount)) throw bad(`advisory metadata ${m} is missing`);
      if (this.notAffected[r]! > 1) throw bad(`advisory row ${r} has status ${this.notAffected[r]}`);
      if (!(f >= ROW_COMPLEX && f < stringCount)) throw bad(`string ${f} is missing`);
    }
    if (this.ranks) this.checkRanks(k, first, first + count);
  }

  /** Ranks of key `k` (rows first … end - 1) within bounds and only on simple affected rows. */
  private checkRanks(k: number, first: number, end: number) {
    const ranks = this.ranks!;
    const scheme = ranks.scheme[k]!;
    const start = ranks.start[k]!;
    const count = ranks.count[k]!;
    if (!(scheme >= 0 && scheme <= RANK_SCHEMES.length))
      throw bad(`advisory key ${k} is ordered by unknown scheme ${scheme}`);
    if (!(start >= 0 && count >= 0 && start + count <= ranks.ranked.length))
      throw bad(`advisory key ${k} ranking points past its table`);
    const stringCount = this.t.strings.length;
    for (let i = start; i < start + count; i++) {
      const id = ranks.ranked[i]!;
      if (!(id >= 0 && id < stringCount)) throw bad(`string ${id} is missing`);
    }
    for (let r = first; r < end; r++) {
      const rank = ranks.rank[r]!;
      if (rank === -1) continue;
      if (!(rank >= 0 && rank < count) || this.simpleFixed[r]! < 0 || this.notAffected[r] || scheme === 0)
        throw bad(`advisory row ${r} has rank ${rank} it cannot have`);
    }
  }

  /** Per advisory key, its first row (key number order; what the binary format stores). */
  get keyRowStarts(): Int32Array {
    return this.rowStart;
  }

  /** Number of entries of each advisory key, in key number order (what the binary format records). */
  get keyRowCounts(): Int32Array {
    return this.rowCount;
  }

  /** The interned string table (ids index it); materialised for an index read from the binary format. */
  get strings(): readonly string[] {
    return this.t.strings.all();
  }

  /** Number of metadata handles (handles are 0 … metaCount - 1). */
  get metaCount(): number {
    return this.t.metaOffsets.length;
  }

  /** Number of interned strings (ids are 0 … stringCount - 1). */
  get stringCount(): number {
    return this.t.strings.length;
  }

  /** The interned string with this id. */
  string(id: number): string {
    const s = this.t.strings.get(id);
    if (s === undefined) throw bad(`string ${id} is missing`);
    return s;
  }

  /** The rows of an (ecosystem, package) key as one number (see {@link start}, {@link count}); -1 when none. */
  span(ecosystem: string, name: string): number {
    const k = this.t.advisoryKeys.find(ecosystem, name);
    return k < 0 ? -1 : this.keySpan(k);
  }

  /** The number of an (ecosystem, package) key, -1 when none (for {@link keySpan} and {@link ranking}). */
  key(ecosystem: string, name: string): number {
    return this.t.advisoryKeys.find(ecosystem, name);
  }

  /** The rows of key number `k` as a span (see {@link span}). */
  keySpan(k: number): number {
    const checked = this.checked;
    if (checked && checked[k] === 0) {
      this.checkStored(k);
      checked[k] = 1;
    }
    return pack(this.rowStart[k]!, this.rowCount[k]!);
  }

  /**
   * The string ids of key `k`'s distinct fixed versions in ascending order under `scheme`, when the
   * index has them ordered by that scheme (rows of the key must have been read: {@link keySpan}).
   */
  ranking(k: number, scheme: VersionScheme): Int32Array | undefined {
    const ranks = this.ranks;
    if (!ranks) return undefined;
    const s = ranks.scheme[k]!;
    if (s === 0 || RANK_SCHEMES[s - 1] !== scheme) return undefined;
    const start = ranks.start[k]!;
    return ranks.ranked.subarray(start, start + ranks.count[k]!);
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
    const e = this.t.entries;
    let o = this.offsets[row]! + 1;
    // Reads past the table are refused (the counts of a damaged entry could be anything).
    const at = (i: number): number => {
      const v = e[i];
      if (v === undefined) throw bad(`advisory row ${row} runs past the entry table`);
      return v;
    };
    const status = at(o++) === 0 ? 'affected' : 'not-affected';
    const ranges: AffectedRange[] = [];
    for (let n = at(o++); n > 0; n--) {
      const type = RANGE_TYPES[at(o++)];
      if (!type) throw bad(`advisory row ${row} has a range of unknown type`);
      const events: RangeEvent[] = [];
      for (let k = at(o++); k > 0; k--) {
        const kind = EVENT_KINDS[at(o++)];
        if (!kind) throw bad(`advisory row ${row} has an event of unknown kind`);
        events.push({ [kind]: this.string(at(o++)) } as RangeEvent);
      }
      ranges.push({ type, events });
    }
    const versions: string[] = [];
    for (let n = at(o++); n > 0; n--) versions.push(this.string(at(o++)));
    return { status, ranges, versions };
  }

  /** Id, aliases, kind and severity of a metadata handle (decoded once, then shared). */
  metaOf(handle: number): AdvisoryRowMeta {
    let out = this.metas.get(handle);
    if (!out) {
      if (!(handle >= 0 && handle < this.t.metaOffsets.length))
        throw bad(`advisory metadata ${handle} is missing`);
      const strings = this.t.strings;
      const str = (id: number): string | undefined => {
        if (id < 0) return undefined;
        const s = strings.get(id);
        if (s === undefined) throw bad(`string ${id} is missing`);
        return s;
      };
      // Without `full`, exactly id, aliases, kind and severity.
      out = decodeMeta(this.t.meta, this.t.metaOffsets, str, handle, false) as AdvisoryRowMeta;
      this.metas.set(handle, out);
    }
    return out;
  }
}
