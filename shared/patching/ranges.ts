/**
 * OSV `affected` evaluation for one installed version, exactly as the OSV schema specifies for
 * ECOSYSTEM ranges: per range, the events (limits aside) are sorted by version, `introduced: "0"`
 * lowest; walking them, `introduced <= v` sets affected, `fixed <= v` clears it, `last_affected < v`
 * clears it. With `limit` events the version must also be below one of them (`"*"`: no limit).
 * The version is affected when any range says so or it is one of the enumerated `versions`.
 * SEMVER and GIT ranges say nothing about distribution package versions and are not evaluated.
 */
import type { AffectedRange, VersionScheme } from '../feeds/types.ts';
import {
  dpkg,
  InvalidVersionError,
  isValidVersion,
  type Ordering,
  rpm,
  tryCompareVersions,
} from '../versions/index.ts';

export interface AffectedVerdict {
  affected: boolean;
  /** Lowest fixed event above the version that no range or listed version still covers. */
  fixedVersion?: string;
  /** Version strings that did not parse under the scheme (those comparisons were skipped). */
  invalid: string[];
  /** Ranges of other types (SEMVER, GIT) that were not evaluated. */
  skippedRanges: number;
}

interface Evaluable {
  ranges: AffectedRange[];
  versions: string[];
}

type Event = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; version: string };

/** Version comparison under one scheme with validity remembered (the hot path of a scan). */
export interface Comparator {
  scheme: VersionScheme;
  valid(v: string): boolean;
  /** Both sides must be valid. */
  cmp(a: string, b: string): Ordering;
}

export function comparator(scheme: VersionScheme): Comparator {
  if (scheme === 'apk') {
    const validity = new Map<string, boolean>();
    const valid = (v: string) => {
      let ok = validity.get(v);
      if (ok === undefined) {
        ok = isValidVersion(scheme, v);
        if (validity.size > 500_000) validity.clear();
        validity.set(v, ok);
      }
      return ok;
    };
    return { scheme, valid, cmp: (a, b) => tryCompareVersions(scheme, a, b) ?? 0 };
  }
  // dpkg and rpm: each version parsed once (null: invalid), then compared parsed.
  const parser = scheme === 'dpkg' ? dpkg : rpm;
  const parsed = new Map<string, object | null>();
  const tryParse = (v: string): object | null => {
    // One scan: parse refuses exactly what isValid refuses (and invalid versions are rare).
    try {
      return parser.parse(v);
    } catch (error) {
      if (error instanceof InvalidVersionError) return null;
      throw error;
    }
  };
  const parsedOf = (v: string): object | null => {
    let p = parsed.get(v);
    if (p === undefined) {
      p = tryParse(v);
      if (parsed.size > 500_000) parsed.clear();
      parsed.set(v, p);
    }
    return p;
  };
  const compareParsed = parser.compareParsed as (a: object, b: object) => Ordering;
  return {
    scheme,
    valid: (v) => parsedOf(v) !== null,
    cmp: (a, b) => (a === b ? 0 : compareParsed(parsedOf(a)!, parsedOf(b)!)),
  };
}

function eventOf(e: AffectedRange['events'][number]): Event {
  if ('introduced' in e) return { kind: 'introduced', version: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', version: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', version: e.last_affected };
  return { kind: 'limit', version: e.limit };
}

const isZero = (e: Event) => e.kind === 'introduced' && e.version === '0';

interface PreparedRange {
  events: Event[];
  limits: string[];
}

/** An advisory's ranges prepared once (events sorted, invalid ones found) for many versions. */
export interface PreparedAdvisory {
  ranges: PreparedRange[];
  versions: string[];
  /** Distinct fixed versions, ascending. */
  fixes: string[];
  invalid: string[];
  skippedRanges: number;
  /** One range `introduced 0 [, fixed X]` and no listed versions: the common case, one comparison. */
  simple?: Verdict;
}

const NONE: string[] = [];

export type Verdict = { affected: boolean; fixedVersion?: string };
const AFFECTED: Verdict = Object.freeze({ affected: true });
const UNAFFECTED: Verdict = Object.freeze({ affected: false });

/** `introduced 0` alone or with one `fixed`, in either order: the shape of most distribution records. */
function simpleShape(c: Comparator, advisory: Evaluable): PreparedAdvisory | undefined {
  if (advisory.ranges.length !== 1 || advisory.versions.length !== 0) return undefined;
  const r = advisory.ranges[0]!;
  if (r.type !== 'ECOSYSTEM' || r.events.length === 0 || r.events.length > 2) return undefined;
  let zero = false;
  let fixed: string | undefined;
  for (const e of r.events) {
    if ('introduced' in e && e.introduced === '0' && !zero) zero = true;
    else if ('fixed' in e && fixed === undefined) fixed = e.fixed;
    else return undefined;
  }
  if (!zero) return undefined;
  if (fixed !== undefined && !c.valid(fixed)) return undefined;
  return {
    ranges: NONE as unknown as PreparedRange[],
    versions: NONE,
    fixes: fixed === undefined ? NONE : [fixed],
    invalid: NONE,
    skippedRanges: 0,
    simple: fixed === undefined ? AFFECTED : { affected: true, fixedVersion: fixed },
  };
}

export function prepareAdvisory(c: Comparator, advisory: Evaluable): PreparedAdvisory {
  const quick = simpleShape(c, advisory);
  if (quick) return quick;
  const invalid: string[] = [];
  let skippedRanges = 0;
  const ranges: PreparedRange[] = [];
  for (const range of advisory.ranges) {
    if (range.type !== 'ECOSYSTEM') {
      skippedRanges++;
      continue;
    }
    const p = prepareRange(c, range, invalid);
    if (p) ranges.push(p);
  }
  const versions: string[] = [];
  for (const v of advisory.versions) {
    if (c.valid(v)) versions.push(v);
    else invalid.push(v);
  }
  const fixes = [
    ...new Set(ranges.flatMap((r) => r.events.filter((e) => e.kind === 'fixed').map((e) => e.version))),
  ].sort(c.cmp);
  return { ranges, versions, fixes, invalid, skippedRanges };
}

function prepareRange(c: Comparator, range: AffectedRange, invalid: string[]): PreparedRange | undefined {
  const events: Event[] = [];
  const limits: string[] = [];
  let bad = false;
  for (const raw of range.events) {
    const e = eventOf(raw);
    if (e.kind === 'limit') {
      if (e.version !== '*' && !c.valid(e.version)) {
        invalid.push(e.version);
        bad = true;
      } else limits.push(e.version);
      continue;
    }
    if (!isZero(e) && !c.valid(e.version)) {
      invalid.push(e.version);
      bad = true;
      continue;
    }
    events.push(e);
  }
  if (bad) return undefined;
  // Stable sort by version; introduced "0" is below everything.
  events.sort((a, b) => {
    if (isZero(a)) return isZero(b) ? 0 : -1;
    if (isZero(b)) return 1;
    return c.cmp(a.version, b.version);
  });
  return { events, limits };
}

/** Version v against a prepared range. `v` is known valid. */
function inRange(c: Comparator, v: string, r: PreparedRange): boolean {
  if (r.limits.length && !r.limits.some((l) => l === '*' || c.cmp(v, l) === -1)) return false;
  let affected = false;
  for (const e of r.events) {
    if (e.kind === 'introduced') {
      if (isZero(e) || c.cmp(e.version, v) <= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (c.cmp(e.version, v) <= 0) affected = false;
    } else if (e.kind === 'last_affected') {
      if (c.cmp(e.version, v) < 0) affected = false;
    }
  }
  return affected;
}

function covers(c: Comparator, p: PreparedAdvisory, v: string): boolean {
  return p.ranges.some((r) => inRange(c, v, r)) || p.versions.some((x) => c.cmp(v, x) === 0);
}

/** Evaluates a prepared advisory for one version (valid under the scheme). */
export function evaluatePrepared(
  c: Comparator,
  p: PreparedAdvisory,
  version: string,
): { affected: boolean; fixedVersion?: string } {
  const simple = p.simple;
  if (simple) {
    const f = simple.fixedVersion;
    return f === undefined || c.cmp(version, f) < 0 ? simple : UNAFFECTED;
  }
  if (!covers(c, p, version)) return UNAFFECTED;
  // The fix: the lowest fixed event above the version that nothing else still covers.
  for (const f of p.fixes)
    if (c.cmp(f, version) > 0 && !covers(c, p, f)) return { affected: true, fixedVersion: f };
  return AFFECTED;
}

/**
 * Whether `version` is affected by an advisory's ranges and enumerated versions, and the lowest
 * fixed version that leaves it unaffected. An invalid installed version is reported, never thrown.
 */
export function evaluateAffected(
  scheme: VersionScheme,
  version: string,
  advisory: Evaluable,
): AffectedVerdict {
  const c = comparator(scheme);
  if (!c.valid(version)) return { affected: false, invalid: [version], skippedRanges: 0 };
  const p = prepareAdvisory(c, advisory);
  const v = evaluatePrepared(c, p, version);
  return { ...v, invalid: p.invalid, skippedRanges: p.skippedRanges };
}
