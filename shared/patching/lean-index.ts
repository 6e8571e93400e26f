/**
 * Readers of a FeedIndex's advisories with the metadata apart from the entries: the matcher needs
 * the ranges of every advisory of a package but the metadata only of the few that match.
 * {@link leanReader} reads through the index's own lean accessor ({@link FeedIndex.advisoryRows});
 * {@link fullReader} goes through `advisoriesFor` (the reference in tests). The matcher itself reads
 * rows without objects (match.ts); these readers are for tests and callers that want objects.
 */
import type { AdvisoryRowMeta, FeedIndex, IndexedAdvisory } from '../feeds/index.ts';
import type { AffectedRange } from '../feeds/types.ts';

export interface LeanEntry {
  /** Metadata handle for {@link LeanReader.meta}. */
  meta: number;
  status: IndexedAdvisory['status'];
  ranges: AffectedRange[];
  versions: string[];
}

export type LeanMeta = AdvisoryRowMeta;

export interface LeanReader {
  entries(ecosystem: string, name: string): LeanEntry[];
  meta(handle: number): LeanMeta;
}

/** A reader over the index's advisory rows (metadata decoded on demand, once per advisory). */
export function leanReader(index: FeedIndex): LeanReader {
  const rows = index.advisoryRows();
  return {
    entries(ecosystem, name) {
      const span = rows.span(ecosystem, name);
      const out: LeanEntry[] = [];
      for (let r = rows.start(span), end = r + rows.count(span); r < end; r++)
        out.push({ meta: rows.meta[r]!, ...rows.decode(r) });
      return out;
    },
    meta: (handle) => rows.metaOf(handle),
  };
}

/** The same interface over `advisoriesFor` (the reference in tests). */
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
