/**
 * Matching an inventory against a feed index: pure and synchronous, no I/O.
 *
 * Repository updates — per installed binary package, the version the distribution's package manager
 * would install from the index's repositories for the guest's release (release key = the OS's
 * ecosystem, e.g. `Debian:12`; a feed keyed by the release codename also counts):
 *   - architectures: the installed one, or `all`/`noarch` (which the package manager treats as the
 *     native architecture, so an `all` package may become `amd64` and back);
 *   - dpkg: apt's candidate — the highest-priority version not below the installed one, ties to the
 *     higher version. Suites are priority 500 except backports and Ubuntu `-proposed`
 *     (NotAutomatic + ButAutomaticUpgrades: 100); the installed version counts at least 100. So
 *     backports are followed only for a package installed from backports.
 *   - rpm (dnf) and apk: the highest version.
 * Classification of an update: any newer version up to the candidate from a security pocket or
 * security erratum → `security`; from `-updates` or a bugfix erratum (Debian: also a point-release
 * update of the release suite) → `bugfix`; from an enhancement erratum → `enhancement`; else
 * `unknown`. An advisory with a security fix the update includes also makes it `security`.
 *
 * Advisories — looked up by the SOURCE package for dpkg (Debian/Ubuntu OSV records are per source,
 * compared with the source version) and apk (secdb and Alpine OSV records are per origin), by the
 * binary name for rpm (updateinfo and Rocky/Alma/Red Hat OSV records list binary packages), in every
 * ecosystem the OS's ecosystem covers. Alpine `not-affected` entries suppress the same id/alias.
 *
 * Advisories are read through the index's lean accessor (`FeedIndex.advisoryRows`): rows of flat
 * arrays with the common range shape (`introduced 0`, at most one fix) pre-parsed, so a package's
 * advisories are evaluated without an object per advisory; only the other shapes are decoded and
 * prepared (once per scheme and package), and metadata only for advisories that match. What depends
 * only on the index — version comparators with their parsed versions, the validity of each interned
 * string as a version, the rating of each advisory — is kept with the index's rows (see
 * {@link indexCaches}), so a second scan against the same index parses nothing twice.
 */
import {
  type AdvisoryRows,
  type AvailableVersion,
  type FeedIndex,
  type IndexedAdvisory,
  type IndexedFeed,
  ROW_NO_FIX,
} from '../feeds/index.ts';
import type { UpdateClass, VersionScheme } from '../feeds/types.ts';
import { ecosystemCovers } from '../inventory/os.ts';
import type { InstalledPackage, Inventory } from '../inventory/types.ts';
import type { LeanMeta } from './lean-index.ts';
import {
  type Comparator,
  comparator,
  evaluatePrepared,
  type PreparedAdvisory,
  prepareAdvisory,
} from './ranges.ts';
import { highest, RATING_ORDER, type Rating, ratingOfSeverity } from './severity.ts';
import type { Classification, Finding, FindingAdvisory, ScanFeedInfo, ScanResult } from './types.ts';

export interface MatchOptions {
  /** `ecosystem\0id` → feed location, from {@link advisoryOrigins}; without it the feed is inferred. */
  origins?: Map<string, string>;
  /** Clock for feed freshness checks (Valid-Until); default: no freshness check. */
  now?: Date;
}

const NEUTRAL = new Set(['all', 'noarch']);

/** apt pin priorities by pocket (see module comment). */
function aptPriority(v: AvailableVersion): number {
  if (v.classification === 'backports') return 100;
  if (v.classification === 'proposed' && !v.suite.endsWith('-proposed-updates')) return 100;
  return 500;
}

function nativeArch(inventory: Inventory): string | undefined {
  const manager = inventory.packages.find(
    (p) =>
      (p.name === 'dpkg' || p.name === 'rpm' || p.name === 'apk-tools') && p.arch && !NEUTRAL.has(p.arch),
  );
  if (manager) return manager.arch;
  const counts = new Map<string, number>();
  for (const p of inventory.packages)
    if (p.arch && !NEUTRAL.has(p.arch)) counts.set(p.arch, (counts.get(p.arch) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Feed information for the result. */
export function feedInfo(feeds: IndexedFeed[]): ScanFeedInfo[] {
  return feeds.map((f) => ({
    kind: f.kind,
    location: f.source.location,
    ...(f.release ? { release: f.release } : {}),
    ...(f.source.date ? { date: f.source.date } : {}),
    ...(f.source.validUntil ? { validUntil: f.source.validUntil } : {}),
    ...(f.source.mtime ? { mtime: f.source.mtime } : {}),
  }));
}

/** `ecosystem\0id` → location of the feed that carried the advisory (for {@link MatchOptions.origins}). */
export function advisoryOrigins(
  feeds: readonly { source: { location: string }; advisories?: { ecosystem: string; id: string }[] }[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of feeds)
    for (const a of f.advisories ?? []) {
      const key = `${a.ecosystem}\u0000${a.id}`;
      if (!out.has(key)) out.set(key, f.source.location);
    }
  return out;
}

interface Counter {
  count: number;
  examples: Set<string>;
}
const counter = (): Counter => ({ count: 0, examples: new Set() });
function bump(c: Counter, example: string) {
  c.count++;
  if (c.examples.size < 5) c.examples.add(example);
}
const examples = (c: Counter) => [...c.examples].join(', ');

function notAssessable(inventory: Inventory, feeds: ScanFeedInfo[], reasons: string[]): ScanResult {
  return {
    ...(inventory.os ? { os: inventory.os } : {}),
    assessable: false,
    reasons,
    findings: [],
    feeds,
    counts: { packages: inventory.packages.length, findings: 0, bySeverity: {} },
    inventory,
  };
}

interface AdvisoryHit {
  advisory: FindingAdvisory;
  kind: IndexedAdvisory['kind'];
  rating: Rating;
  /** The fixed version's rank in `ranking` when it came from a ranked row, else -1. */
  fixRank: number;
  ranking: Int32Array | undefined;
}

type FixOf = Pick<AdvisoryHit, 'fixRank' | 'ranking'> & { advisory: { fixedVersion?: string } };

/** Orders the fixed versions of two hits: by rank when both are ranked in one key, else compared. */
function compareFixes(c: Comparator, a: FixOf, b: FixOf): number {
  if (a.ranking !== undefined && a.ranking === b.ranking && a.fixRank >= 0 && b.fixRank >= 0)
    return a.fixRank < b.fixRank ? -1 : a.fixRank > b.fixRank ? 1 : 0;
  return c.cmp(a.advisory.fixedVersion!, b.advisory.fixedVersion!);
}

const CLASS_RANK: Record<Classification, number> = { unknown: 0, enhancement: 1, bugfix: 2, security: 3 };

/** What matching learns of one index, kept as long as the index (its rows) lives. */
interface IndexCaches {
  /** One comparator per scheme: each version string parsed once for every scan of the index. */
  comparators: Map<VersionScheme, Comparator>;
  /** Per scheme: validity of each interned string as a version (0 unknown, 1 valid, 2 not). */
  validity: Map<VersionScheme, Uint8Array>;
  /** Rating of each metadata handle: 1 + its index in RATING_ORDER, 0 not yet known. */
  ratings: Uint8Array;
}

const caches = new WeakMap<AdvisoryRows, IndexCaches>();

/** The caches kept with an index's rows (made on first use). */
export function indexCaches(rows: AdvisoryRows): IndexCaches {
  let c = caches.get(rows);
  if (!c) {
    c = { comparators: new Map(), validity: new Map(), ratings: new Uint8Array(rows.metaCount) };
    caches.set(rows, c);
  }
  return c;
}

function comparatorFor(cache: IndexCaches, scheme: VersionScheme): Comparator {
  let c = cache.comparators.get(scheme);
  if (!c) {
    c = comparator(scheme);
    cache.comparators.set(scheme, c);
  }
  return c;
}

/** Validity of interned strings as versions, through the comparator (which keeps what it parsed). */
function validityOf(rows: AdvisoryRows, cache: IndexCaches, c: Comparator): (id: number) => boolean {
  let known = cache.validity.get(c.scheme);
  if (!known) {
    known = new Uint8Array(rows.stringCount);
    cache.validity.set(c.scheme, known);
  }
  const table = known;
  return (id) => {
    let v = table[id]!;
    if (v === 0) {
      v = c.valid(rows.string(id)) ? 1 : 2;
      table[id] = v;
    }
    return v === 1;
  };
}

export function matchInventory(
  inventory: Inventory,
  index: FeedIndex,
  options: MatchOptions = {},
): ScanResult {
  const feeds = feedInfo(index.feeds);
  const os = inventory.os;
  if (!os)
    return notAssessable(inventory, feeds, ['the OS is unknown: no os-release or release file was read']);
  const eco = os.ecosystem;
  if (!eco) {
    const why = inventory.notes.filter((n) => /ecosystem/.test(n));
    return notAssessable(inventory, feeds, [
      `${os.prettyName ?? `${os.id} ${os.versionId ?? ''}`.trim()} maps to no advisory ecosystem, so no feed can be matched`,
      ...why,
    ]);
  }
  if (inventory.packages.length === 0)
    return notAssessable(inventory, feeds, [
      'no installed packages were found (no dpkg, rpm or apk database read)',
      ...inventory.notes.filter((n) => /packages|database|status/i.test(n)),
    ]);

  const releases = index
    .releases()
    .filter((r) => ecosystemCovers(eco, r) || (os.versionCodename !== undefined && r === os.versionCodename));
  const ecosystems = index.ecosystems().filter((e) => ecosystemCovers(eco, e));
  if (releases.length === 0 && ecosystems.length === 0) {
    return notAssessable(inventory, feeds, [
      `no feed covers ${eco}: the index has repositories for ${index.releases().join(', ') || 'none'} and advisories for ${index.ecosystems().join(', ') || 'none'}`,
    ]);
  }
  const reasons: string[] = [];
  if (releases.length === 0)
    reasons.push(
      `no repository feed for ${eco}: fixed versions come from advisories only; what the package manager would install is not known, and bug-fix updates are not seen`,
    );
  if (ecosystems.length === 0)
    reasons.push(
      `no advisory feed for ${eco}: findings are repository updates only, classified by pocket, without advisory ids or severities`,
    );
  for (const r of releases)
    if (r !== eco && !ecosystemCovers(eco, r))
      reasons.push(`repository feed keyed by codename "${r}" taken as ${eco}`);
  const formats = new Set(inventory.packages.map((p) => p.format));
  for (const f of index.feeds)
    if (f.release && releases.includes(f.release) && f.scheme && !formats.has(f.scheme))
      reasons.push(
        `feed ${f.source.location} is a ${f.scheme} repository but the guest has no ${f.scheme} packages`,
      );
  if (options.now)
    for (const f of index.feeds)
      if (f.source.validUntil && Date.parse(f.source.validUntil) < options.now.getTime())
        reasons.push(
          `feed ${f.source.location} expired (Valid-Until ${f.source.validUntil}): results may be stale`,
        );

  const repoFeedOf = new Map<string, string>();
  for (const r of releases)
    repoFeedOf.set(
      r,
      index.feeds
        .filter((f) => f.release === r && f.kind !== 'osv' && f.kind !== 'alpine-secdb')
        .map((f) => f.source.location)
        .join(', '),
    );
  const advisoryFeeds = index.feeds.filter(
    (f) => f.kind === 'osv' || f.kind === 'alpine-secdb' || f.kind === 'rpm-repo',
  );
  const secdbFeeds = advisoryFeeds.filter((f) => f.kind === 'alpine-secdb');
  const osvFeeds = advisoryFeeds.filter((f) => f.kind === 'osv');
  const osvLocations = (osvFeeds.length ? osvFeeds : advisoryFeeds).map((f) => f.source.location).join(', ');
  const rpmFeedOf = new Map(
    advisoryFeeds
      .filter((f) => f.kind === 'rpm-repo' && f.release)
      .map((f) => [f.release!, f.source.location]),
  );
  const feedOf = (ecosystem: string, id: string): string => {
    const known = options.origins?.get(`${ecosystem}\u0000${id}`);
    if (known) return known;
    const rpm = rpmFeedOf.get(ecosystem);
    if (rpm && /^[A-Z]+[SBE]A-\d/.test(id)) return rpm;
    if (ecosystem.startsWith('Alpine:') && !id.startsWith('ALPINE-') && secdbFeeds.length === 1)
      return secdbFeeds[0]!.source.location;
    return osvLocations;
  };

  const native = nativeArch(inventory);
  const effArch = (a: string | undefined) => (a && NEUTRAL.has(a) ? (native ?? a) : a);
  const invalidInstalled = counter();
  const invalidFeed = counter();
  let skippedRanges = 0;
  const adviceCache = new Map<string, AdvisoryHit[]>();

  const rows = index.advisoryRows();
  const cache = indexCaches(rows);
  const comparatorOf = (scheme: VersionScheme) => comparatorFor(cache, scheme);
  const rowMeta = rows.meta;
  const notAffected = rows.notAffected;
  const simpleFixed = rows.simpleFixed;
  const fixedRank = rows.fixedRank;
  /**
   * Per (scheme, name): the row spans of every covered ecosystem (ecosystem index, first row, count),
   * each span's fixed versions in order when the index has them under this scheme, and the rows that
   * are not the simple shape under this scheme, prepared once.
   */
  interface PreparedRows {
    spans: number[];
    rankings: (Int32Array | undefined)[];
    complex?: Map<number, PreparedAdvisory>;
  }
  const preparedCache = new Map<string, PreparedRows>();
  const validators = new Map<VersionScheme, (id: number) => boolean>();
  const validOf = (scheme: VersionScheme) => {
    let v = validators.get(scheme);
    if (!v) {
      v = validityOf(rows, cache, comparatorOf(scheme));
      validators.set(scheme, v);
    }
    return v;
  };
  const preparedOf = (c: Comparator, name: string): PreparedRows => {
    const key = `${c.scheme}\u0000${name}`;
    let list = preparedCache.get(key);
    if (list) return list;
    list = { spans: [], rankings: [] };
    for (let x = 0; x < ecosystems.length; x++) {
      const ecosystem = ecosystems[x]!;
      const k = rows.key(ecosystem, name);
      if (k < 0) continue;
      const span = rows.keySpan(k);
      const count = rows.count(span);
      if (count === 0) continue;
      const first = rows.start(span);
      const ranking = rows.ranking(k, c.scheme);
      list.spans.push(x, first, count);
      list.rankings.push(ranking);
      for (let r = first; r < first + count; r++) {
        if (notAffected[r]) continue;
        const f = simpleFixed[r]!;
        // A ranked fix is valid under the scheme it was ranked by.
        if (f === ROW_NO_FIX || (f >= 0 && ((ranking && fixedRank[r]! >= 0) || validOf(c.scheme)(f))))
          continue;
        const p = prepareAdvisory(c, rows.decode(r));
        skippedRanges += p.skippedRanges;
        for (const v of p.invalid)
          bump(invalidFeed, `${ecosystem} ${rows.metaOf(rowMeta[r]!).id} ${name} ${JSON.stringify(v)}`);
        list.complex ??= new Map();
        list.complex.set(r, p);
      }
    }
    preparedCache.set(key, list);
    return list;
  };

  const ratings = cache.ratings;
  const ratingOf = (handle: number, a: LeanMeta): Rating => {
    const known = ratings[handle]!;
    if (known !== 0) return RATING_ORDER[known - 1]!;
    const r = ratingOfSeverity(a.severity);
    ratings[handle] = RATING_ORDER.indexOf(r) + 1;
    return r;
  };

  const advisoriesOf = (pkg: InstalledPackage, c: Comparator): AdvisoryHit[] => {
    const name = pkg.format === 'rpm' ? pkg.name : pkg.source.name || pkg.name;
    const version = pkg.format === 'dpkg' ? (pkg.source.version ?? pkg.version) : pkg.version;
    const key = `${c.scheme}\u0000${name}\u0000${version}`;
    const cached = adviceCache.get(key);
    if (cached) return cached;
    const hits: AdvisoryHit[] = [];
    adviceCache.set(key, hits);
    const list = preparedOf(c, name);
    if (list.spans.length === 0) return hits;
    if (!c.valid(version)) {
      bump(invalidInstalled, `source ${name} ${JSON.stringify(version)}`);
      return hits;
    }
    const complex = list.complex;
    let suppressed: Set<string> | undefined;
    let seen: Map<string, AdvisoryHit> | undefined;
    const spans = list.spans;
    for (let s = 0; s < spans.length; s += 3) {
      const ecosystem = ecosystems[spans[s]!]!;
      const ranking = list.rankings[s / 3];
      // Ranked fixes from `above` on are newer than the installed version (one search per key).
      const above = ranking ? firstAbove(c, rows, ranking, version) : 0;
      for (let r = spans[s + 1]!, end = r + spans[s + 2]!; r < end; r++) {
        if (notAffected[r]) {
          const a = rows.metaOf(rowMeta[r]!);
          suppressed ??= new Set();
          suppressed.add(a.id);
          for (const alias of a.aliases) suppressed.add(alias);
          continue;
        }
        // The simple shape (introduced 0, at most one fix) without objects; else the prepared ranges.
        let fixedVersion: string | undefined;
        let fixRank = -1;
        const p = complex?.get(r);
        if (p) {
          const verdict = evaluatePrepared(c, p, version);
          if (!verdict.affected) continue;
          fixedVersion = verdict.fixedVersion;
        } else {
          const f = simpleFixed[r]!;
          if (f >= 0) {
            fixRank = ranking ? fixedRank[r]! : -1;
            if (fixRank >= 0) {
              if (fixRank < above) continue;
            } else if (c.cmp(version, rows.string(f)) >= 0) continue; // both valid (see preparedOf)
            fixedVersion = rows.string(f);
          }
        }
        const handle = rowMeta[r]!;
        const a = rows.metaOf(handle);
        const prior = seen?.get(a.id);
        if (prior) {
          // The same advisory from two feeds (an OSV record and updateinfo): one entry, lowest fix.
          prior.advisory.aliases = [...new Set([...prior.advisory.aliases, ...a.aliases])];
          const pf = prior.advisory.fixedVersion;
          if (fixedVersion) {
            const next: FixOf = {
              advisory: { fixedVersion },
              fixRank,
              ranking: fixRank >= 0 ? ranking : undefined,
            };
            if (!pf || compareFixes(c, next, prior) === -1) {
              prior.advisory.fixedVersion = fixedVersion;
              prior.fixRank = next.fixRank;
              prior.ranking = next.ranking;
            }
          }
          const rating = ratingOf(handle, a);
          if (highest([rating, prior.rating]) !== prior.rating) {
            prior.rating = rating;
            prior.advisory.severity = a.severity;
          }
          continue;
        }
        // Objects are shared between the findings of one source package (read-only from here on).
        const advisory: FindingAdvisory = {
          id: a.id,
          aliases: a.aliases,
          severity: a.severity,
          feed: feedOf(ecosystem, a.id),
          ecosystem,
        };
        if (fixedVersion) advisory.fixedVersion = fixedVersion;
        const hit: AdvisoryHit = {
          advisory,
          kind: a.kind,
          rating: ratingOf(handle, a),
          fixRank,
          ranking: fixRank >= 0 ? ranking : undefined,
        };
        seen ??= new Map();
        seen.set(a.id, hit);
        hits.push(hit);
      }
    }
    const gone = suppressed;
    const kept = gone
      ? hits.filter((h) => !gone.has(h.advisory.id) && !h.advisory.aliases.some((x) => gone.has(x)))
      : hits;
    const folded = foldRepublished(kept, c);
    if (folded !== hits) adviceCache.set(key, folded);
    return folded;
  };

  // The lowest advisory fix of a source package's hits (shared by its binary packages).
  const lowestFixes = new Map<AdvisoryHit[], string | undefined>();
  const lowestFixOf = (hits: AdvisoryHit[], c: Comparator): string | undefined => {
    if (lowestFixes.has(hits)) return lowestFixes.get(hits);
    // Sorted as the fixed versions themselves would be (ranks order exactly as the comparator does).
    const fix = hits
      .filter((h) => h.advisory.fixedVersion !== undefined)
      .sort((a, b) => compareFixes(c, a, b))[0]?.advisory.fixedVersion;
    lowestFixes.set(hits, fix);
    return fix;
  };

  const findings: Finding[] = [];
  for (const pkg of inventory.packages) {
    const scheme: VersionScheme = pkg.format;
    const c = comparatorOf(scheme);
    if (!c.valid(pkg.version)) {
      bump(invalidInstalled, `${pkg.name} ${JSON.stringify(pkg.version)}`);
      continue;
    }

    // Repository candidate.
    const arch = effArch(pkg.arch);
    const offered: { v: AvailableVersion; release: string; cmp: number }[] = [];
    for (const release of releases)
      for (const v of index.availableVersions(release, pkg.name)) {
        if (arch !== undefined && effArch(v.arch) !== arch) continue;
        const cmp = c.valid(v.version) ? c.cmp(v.version, pkg.version) : undefined;
        if (cmp === undefined) {
          bump(invalidFeed, `${release} ${pkg.name} ${JSON.stringify(v.version)}`);
          continue;
        }
        if (cmp >= 0) offered.push({ v, release, cmp });
      }
    let candidate: (typeof offered)[number] | undefined;
    if (scheme === 'dpkg') {
      // apt: highest priority among versions >= installed; installed counts at least 100.
      const installedPrio = Math.max(100, ...offered.filter((o) => o.cmp === 0).map((o) => aptPriority(o.v)));
      let best: { prio: number; o?: (typeof offered)[number] } = { prio: installedPrio };
      for (const o of offered) {
        if (o.cmp === 0) continue;
        const prio = aptPriority(o.v);
        if (
          prio > best.prio ||
          (prio === best.prio && (!best.o || c.cmp(o.v.version, best.o.v.version) === 1))
        )
          best = { prio, o };
      }
      candidate = best.o;
    } else {
      for (const o of offered)
        if (o.cmp > 0 && (!candidate || c.cmp(o.v.version, candidate.v.version) === 1)) candidate = o;
    }

    const hits = advisoriesOf(pkg, c);
    if (!candidate && hits.length === 0) continue;

    const classification = classify(c, os.id, candidate, offered, hits);

    const fixedVersion = candidate?.v.version ?? lowestFixOf(hits, c);
    const finding: Finding = {
      package: pkg.name,
      sourcePackage: pkg.source.name,
      ...(pkg.arch ? { arch: pkg.arch } : {}),
      installedVersion: pkg.version,
      ...(fixedVersion ? { fixedVersion } : {}),
      status: fixedVersion ? 'fix-available' : 'affected-no-fix',
      classification,
      severity: highest(hits.map((h) => h.rating)),
      advisories: hits.map((h) => h.advisory),
      ...(candidate
        ? {
            update: {
              version: candidate.v.version,
              suite: candidate.v.suite,
              classification: candidate.v.classification,
              feed: repoFeedOf.get(candidate.release) ?? '',
            },
          }
        : {}),
      evidence: pkg.evidence,
    };
    findings.push(finding);
  }

  if (invalidInstalled.count)
    reasons.push(
      `${invalidInstalled.count} installed package(s) have versions that do not parse and were not assessed: ${examples(invalidInstalled)}`,
    );
  if (invalidFeed.count)
    reasons.push(
      `${invalidFeed.count} feed version(s) do not parse; those comparisons were skipped: ${examples(invalidFeed)}`,
    );
  if (skippedRanges)
    reasons.push(
      `${skippedRanges} advisory range(s) of type SEMVER or GIT were not evaluated against package versions`,
    );

  findings.sort((a, b) =>
    a.package < b.package ? -1 : a.package > b.package ? 1 : (a.arch ?? '') < (b.arch ?? '') ? -1 : 1,
  );
  const bySeverity: Record<string, number> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return {
    os,
    assessable: true,
    reasons,
    findings,
    feeds,
    counts: { packages: inventory.packages.length, findings: findings.length, bySeverity },
    inventory,
  };
}

/** The first position in `ranking` (string ids of versions, ascending) whose version is newer than `version`. */
function firstAbove(c: Comparator, rows: AdvisoryRows, ranking: Int32Array, version: string): number {
  let lo = 0;
  let hi = ranking.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.cmp(rows.string(ranking[mid]!), version) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One entry per vulnerability. An advisory whose only alias is the id of another one found for the
 * same package republishes it (OSV's `ALPINE-CVE-…` records do so for the CVE entries of Alpine's
 * secdb): it is folded into that one, its id kept among the aliases, and the entry takes the lower
 * fixed version, the higher rating and the stronger classification of the two.
 */
function foldRepublished(hits: AdvisoryHit[], c: Comparator): AdvisoryHit[] {
  if (hits.length < 2) return hits;
  const byId = new Map(hits.map((h) => [h.advisory.id, h]));
  const folded = new Set<AdvisoryHit>();
  for (const hit of hits) {
    const { id, aliases } = hit.advisory;
    if (aliases.length !== 1) continue;
    const into = byId.get(aliases[0]!);
    if (into === undefined || into === hit || folded.has(into)) continue;
    const target = into.advisory;
    target.aliases = [...new Set([...target.aliases, id])];
    if (hit.advisory.fixedVersion && (!target.fixedVersion || compareFixes(c, hit, into) < 0)) {
      target.fixedVersion = hit.advisory.fixedVersion;
      into.fixRank = hit.fixRank;
      into.ranking = hit.ranking;
    }
    if (highest([hit.rating, into.rating]) !== into.rating) {
      into.rating = hit.rating;
      target.severity = hit.advisory.severity;
    }
    if (CLASS_RANK[KIND_CLASS[hit.kind]] > CLASS_RANK[KIND_CLASS[into.kind]]) into.kind = hit.kind;
    folded.add(hit);
  }
  return folded.size === 0 ? hits : hits.filter((h) => !folded.has(h));
}

const KIND_CLASS: Record<IndexedAdvisory['kind'], Classification> = {
  security: 'security',
  bugfix: 'bugfix',
  enhancement: 'enhancement',
  newpackage: 'unknown',
};

function classify(
  c: Comparator,
  osId: string,
  candidate: { v: AvailableVersion } | undefined,
  offered: { v: AvailableVersion; cmp: number }[],
  hits: AdvisoryHit[],
): Classification {
  const found: Classification[] = [];
  if (!candidate) return best(hits.map((h) => KIND_CLASS[h.kind]));
  const cand = candidate.v.version;
  // Advisories (and errata) whose fix the update brings.
  const brought = hits.filter((h) => {
    const f = h.advisory.fixedVersion;
    return f !== undefined && c.cmp(f, cand) !== 1;
  });
  found.push(...brought.map((h) => KIND_CLASS[h.kind]));
  let unexplained = false;
  for (const o of offered) {
    if (o.cmp <= 0 || c.cmp(o.v.version, cand) === 1) continue;
    if (c.scheme === 'dpkg' && aptPriority(o.v) < aptPriority(candidate.v)) continue;
    // rpm `updates` stands for a bugfix or enhancement erratum: the errata above say which.
    if (c.scheme === 'rpm' && o.v.classification === 'updates') unexplained = true;
    else found.push(pocketClass(o.v.classification, osId));
  }
  if (unexplained && !brought.some((h) => h.kind === 'bugfix' || h.kind === 'enhancement'))
    found.push('bugfix');
  return best(found);
}

function best(list: Classification[]): Classification {
  let out: Classification = 'unknown';
  for (const c of list) if (CLASS_RANK[c] > CLASS_RANK[out]) out = c;
  return out;
}

/** What a repository pocket says about an update (see module comment). */
export function pocketClass(c: UpdateClass, osId: string): Classification {
  if (c === 'security') return 'security';
  if (c === 'updates') return 'bugfix';
  // Debian point releases update the release suite itself; Ubuntu's release pocket never changes.
  if (c === 'release' && osId === 'debian') return 'bugfix';
  return 'unknown';
}
