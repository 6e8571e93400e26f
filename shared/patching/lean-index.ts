/**
 * A faster read of a FeedIndex's advisories for the matcher. `FeedIndex.advisoriesFor` builds every
 * advisory's full metadata (id, aliases, CVSS, summary…) for every package looked up; a scan needs
 * the ranges of all of them but the metadata only of the few that match. This reader decodes the
 * entry runs (ranges, events, versions) straight from `index.data` and the metadata only on demand.
 *
 * It depends on the layout `buildFeedIndex` writes (shared/feeds/index.ts, encodeEntry/encodeMeta).
 * So that a change there can never silently corrupt results, {@link leanReader} first checks the
 * layout against `advisoriesFor` on a sample of keys and returns undefined when it differs; the
 * matcher then uses `advisoriesFor`.
 */
import type { FeedIndex, IndexedAdvisory } from '../feeds/index.ts';
import type {
  AdvisorySeverity,
  AffectedRange,
  CvssScore,
  RangeEvent,
  SeverityRating,
} from '../feeds/types.ts';
import { SEVERITY_RATINGS } from '../feeds/types.ts';

const KINDS = ['security', 'bugfix', 'enhancement', 'newpackage'] as const;
const RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const SPAN = 2 ** 24;

export interface LeanEntry {
  /** Metadata handle for {@link LeanReader.meta}. */
  meta: number;
  status: IndexedAdvisory['status'];
  ranges: AffectedRange[];
  versions: string[];
}

export type LeanMeta = Pick<IndexedAdvisory, 'id' | 'aliases' | 'kind' | 'severity'>;

export interface LeanReader {
  entries(ecosystem: string, name: string): LeanEntry[];
  meta(handle: number): LeanMeta;
}

function makeReader(index: FeedIndex): LeanReader {
  const d = index.data;
  const strings = d.strings;
  const str = (id: number): string | undefined => (id < 0 ? undefined : strings[id]);
  const metas = new Map<number, LeanMeta>();
  return {
    entries(ecosystem, name) {
      const packed = d.advisoryKeys.get(`${ecosystem}\u0000${name}`);
      if (packed === undefined) return [];
      const start = Math.floor(packed / SPAN);
      const end = start + (packed % SPAN);
      const e = d.entries;
      const out: LeanEntry[] = [];
      let o = start;
      while (o < end) {
        const meta = e[o++]!;
        const status = e[o++] === 0 ? 'affected' : 'not-affected';
        const ranges: AffectedRange[] = [];
        for (let n = e[o++]!; n > 0; n--) {
          const type = RANGE_TYPES[e[o++]!]!;
          const events: RangeEvent[] = [];
          for (let k = e[o++]!; k > 0; k--) {
            const kind = EVENT_KINDS[e[o++]!]!;
            const v = strings[e[o++]!]!;
            events.push(
              kind === 'introduced'
                ? { introduced: v }
                : kind === 'fixed'
                  ? { fixed: v }
                  : kind === 'last_affected'
                    ? { last_affected: v }
                    : { limit: v },
            );
          }
          ranges.push({ type, events });
        }
        const versions: string[] = [];
        for (let n = e[o++]!; n > 0; n--) versions.push(strings[e[o++]!]!);
        out.push({ meta, status, ranges, versions });
      }
      return out;
    },
    meta(handle) {
      const cached = metas.get(handle);
      if (cached) return cached;
      const m = d.meta;
      let o = d.metaOffsets[handle]!;
      const id = str(m[o++]!)!;
      const kind = KINDS[m[o++]!] ?? 'security';
      const text = str(m[o++]!);
      o += 4; // summary, published, modified, withdrawn
      const aliases: string[] = [];
      for (let n = m[o++]!; n > 0; n--) aliases.push(str(m[o++]!)!);
      const cvss: CvssScore[] = [];
      for (let n = m[o++]!; n > 0; n--) {
        const type = str(m[o++]!)!;
        const vector = str(m[o++]!)!;
        const score = m[o++]!;
        const rating = m[o++]!;
        cvss.push({
          type,
          vector,
          ...(score >= 0 ? { score: score / 10 } : {}),
          ...(rating >= 0 ? { rating: SEVERITY_RATINGS[rating] as SeverityRating } : {}),
        });
      }
      const severity: AdvisorySeverity = { cvss, ...(text ? { text } : {}) };
      const out = { id, aliases, kind, severity };
      metas.set(handle, out);
      return out;
    },
  };
}

function sameAs(reader: LeanReader, index: FeedIndex, key: string): boolean {
  const at = key.indexOf('\u0000');
  const ecosystem = key.slice(0, at);
  const name = key.slice(at + 1);
  const full = index.advisoriesFor(ecosystem, name);
  const lean = reader.entries(ecosystem, name);
  if (full.length !== lean.length) return false;
  return full.every((f, i) => {
    const l = lean[i]!;
    const m = reader.meta(l.meta);
    return (
      JSON.stringify([f.id, f.aliases, f.kind, f.severity, f.status, f.ranges, f.versions]) ===
      JSON.stringify([m.id, m.aliases, m.kind, m.severity, l.status, l.ranges, l.versions])
    );
  });
}

const checked = new WeakMap<FeedIndex, LeanReader | null>();

/** A lean reader for the index, or undefined when its layout is not the one this reader knows. */
export function leanReader(index: FeedIndex): LeanReader | undefined {
  const known = checked.get(index);
  if (known !== undefined) return known ?? undefined;
  let reader: LeanReader | null = null;
  try {
    const candidate = makeReader(index);
    const keys = [...index.data.advisoryKeys.keys()];
    const step = Math.max(1, Math.floor(keys.length / 16));
    let ok = true;
    for (let i = 0; i < keys.length && ok; i += step) ok = sameAs(candidate, index, keys[i]!);
    if (ok && keys.length) ok = sameAs(candidate, index, keys.at(-1)!);
    if (ok) reader = candidate;
  } catch {
    reader = null;
  }
  checked.set(index, reader);
  return reader ?? undefined;
}

/** The same interface over `advisoriesFor` (the fallback, and the reference in tests). */
export function fullReader(index: FeedIndex): LeanReader {
  const metas: LeanMeta[] = [];
  return {
    entries(ecosystem, name) {
      return index.advisoriesFor(ecosystem, name).map((a) => {
        metas.push({ id: a.id, aliases: a.aliases, kind: a.kind, severity: a.severity });
        return { meta: metas.length - 1, status: a.status, ranges: a.ranges, versions: a.versions };
      });
    },
    meta: (handle) => metas[handle]!,
  };
}
