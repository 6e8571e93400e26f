/**
 * The int32 record layouts of the feed index, shared by the builder (index.ts), the row reader
 * (advisory-rows.ts) and both saved formats (index-store.ts, index-binary.ts):
 *
 * - available row, 7 ints: version, arch, suite, component, classification, source name, source
 *   version (string ids, -1 for none; classification indexes UPDATE_CLASSES);
 * - advisory entry: metadata handle, status (0 affected, 1 not-affected), range count, per range
 *   its type and event count and per event its kind and version, then the listed version count and
 *   the versions;
 * - metadata record: id, kind, severity text, summary, published, modified, withdrawn, alias count
 *   and aliases, CVSS count and per score its type, vector, score × 10 (-1 none) and rating (-1 none).
 *
 * A span (rows of a key) packs its start and count into one number: start × 2^24 + count.
 */
import type { AdvisorySeverity, CvssScore, SeverityRating } from './types.ts';
import { FeedFormatError, SEVERITY_RATINGS } from './types.ts';

export const KINDS = ['security', 'bugfix', 'enhancement', 'newpackage'] as const;
export const RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
export const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
/** Ints in an available row. */
export const ROW = 7;
export const SPAN = 2 ** 24;

export const pack = (start: number, count: number) => start * SPAN + count;
export const unpack = (v: number): [number, number] => [Math.floor(v / SPAN), v % SPAN];
export const keyOf = (a: string, b: string) => `${a}\u0000${b}`;

/** The metadata of an advisory as decoded; `full` adds summary, dates and withdrawn. */
export interface DecodedMeta {
  id: string;
  aliases: string[];
  kind: (typeof KINDS)[number];
  severity: AdvisorySeverity;
  summary?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
}

/**
 * Metadata record `m`. `str` resolves a string id (-1: undefined) and throws for a missing one;
 * a record that runs past the table is refused. Without `full`, summary and dates are skipped
 * (matching needs id, aliases, kind and severity only).
 */
export function decodeMeta(
  table: Int32Array,
  offsets: Int32Array,
  str: (id: number) => string | undefined,
  m: number,
  full: boolean,
): DecodedMeta {
  let o = offsets[m]!;
  const at = (i: number): number => {
    const v = table[i];
    if (v === undefined)
      throw new FeedFormatError('feed index', `advisory metadata ${m} runs past its table`);
    return v;
  };
  const id = str(at(o));
  if (id === undefined) throw new FeedFormatError('feed index', `advisory metadata ${m} has no id`);
  const kind = KINDS[at(o + 1)] ?? 'security';
  const text = str(at(o + 2));
  const summary = full ? str(at(o + 3)) : undefined;
  const published = full ? str(at(o + 4)) : undefined;
  const modified = full ? str(at(o + 5)) : undefined;
  const withdrawn = full ? str(at(o + 6)) : undefined;
  o += 7;
  const aliases: string[] = [];
  for (let n = at(o++); n > 0; n--) aliases.push(str(at(o++))!);
  const cvss: CvssScore[] = [];
  for (let n = at(o++); n > 0; n--) {
    const type = str(at(o++))!;
    const vector = str(at(o++))!;
    const score = at(o++);
    const rating = at(o++);
    cvss.push({
      type,
      vector,
      ...(score >= 0 ? { score: score / 10 } : {}),
      ...(rating >= 0 ? { rating: SEVERITY_RATINGS[rating] as SeverityRating } : {}),
    });
  }
  const severity: AdvisorySeverity = text ? { cvss, text } : { cvss };
  if (!full) return { id, aliases, kind, severity };
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
