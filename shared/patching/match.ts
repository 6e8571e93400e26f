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
 */
import type { AvailableVersion, FeedIndex, IndexedAdvisory, IndexedFeed } from '../feeds/index.ts';
import type { UpdateClass, VersionScheme } from '../feeds/types.ts';
import { ecosystemCovers } from '../inventory/os.ts';
import type { InstalledPackage, Inventory } from '../inventory/types.ts';
import { fullReader, type LeanEntry, type LeanMeta, leanReader } from './lean-index.ts';
import {
  type Comparator,
  comparator,
  evaluatePrepared,
  type PreparedAdvisory,
  prepareAdvisory,
} from './ranges.ts';
import { highest, type Rating, ratingOfSeverity } from './severity.ts';
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
}

const CLASS_RANK: Record<Classification, number> = { unknown: 0, enhancement: 1, bugfix: 2, security: 3 };

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

  const comparators = new Map<VersionScheme, Comparator>();
  const comparatorOf = (scheme: VersionScheme) => {
    let c = comparators.get(scheme);
    if (!c) {
      c = comparator(scheme);
      comparators.set(scheme, c);
    }
    return c;
  };
  const reader = leanReader(index) ?? fullReader(index);
  /** Per (scheme, name): every advisory of the covered ecosystems, prepared once. */
  const preparedCache = new Map<string, { ecosystem: string; e: LeanEntry; p?: PreparedAdvisory }[]>();
  const preparedOf = (c: Comparator, name: string) => {
    const key = `${c.scheme}\u0000${name}`;
    let list = preparedCache.get(key);
    if (list) return list;
    list = [];
    for (const ecosystem of ecosystems)
      for (const e of reader.entries(ecosystem, name)) {
        if (e.status === 'not-affected') {
          list.push({ ecosystem, e });
          continue;
        }
        const p = prepareAdvisory(c, e);
        skippedRanges += p.skippedRanges;
        for (const v of p.invalid)
          bump(invalidFeed, `${ecosystem} ${reader.meta(e.meta).id} ${name} ${JSON.stringify(v)}`);
        list.push({ ecosystem, e, p });
      }
    preparedCache.set(key, list);
    return list;
  };

  const ratings = new Map<number, Rating>();
  const ratingOf = (handle: number, a: LeanMeta): Rating => {
    let r = ratings.get(handle);
    if (r === undefined) {
      r = ratingOfSeverity(a.severity);
      ratings.set(handle, r);
    }
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
    if (list.length === 0) return hits;
    if (!c.valid(version)) {
      bump(invalidInstalled, `source ${name} ${JSON.stringify(version)}`);
      return hits;
    }
    const suppressed = new Set<string>();
    const seen = new Map<string, AdvisoryHit>();
    for (const { ecosystem, e, p } of list) {
      if (!p) {
        const a = reader.meta(e.meta);
        suppressed.add(a.id);
        for (const alias of a.aliases) suppressed.add(alias);
        continue;
      }
      const verdict = evaluatePrepared(c, p, version);
      if (!verdict.affected) continue;
      const a = reader.meta(e.meta);
      const prior = seen.get(a.id);
      if (prior) {
        // The same advisory from two feeds (an OSV record and updateinfo): one entry, lowest fix.
        prior.advisory.aliases = [...new Set([...prior.advisory.aliases, ...a.aliases])];
        const pf = prior.advisory.fixedVersion;
        if (verdict.fixedVersion && (!pf || c.cmp(verdict.fixedVersion, pf) === -1))
          prior.advisory.fixedVersion = verdict.fixedVersion;
        const rating = ratingOf(e.meta, a);
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
      if (verdict.fixedVersion) advisory.fixedVersion = verdict.fixedVersion;
      const hit: AdvisoryHit = { advisory, kind: a.kind, rating: ratingOf(e.meta, a) };
      seen.set(a.id, hit);
      hits.push(hit);
    }
    if (suppressed.size === 0) return hits;
    const kept = hits.filter(
      (h) => !suppressed.has(h.advisory.id) && !h.advisory.aliases.some((x) => suppressed.has(x)),
    );
    adviceCache.set(key, kept);
    return kept;
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

    const fixes = hits
      .map((h) => h.advisory.fixedVersion)
      .filter((f): f is string => f !== undefined)
      .sort(c.cmp);
    const fixedVersion = candidate?.v.version ?? fixes[0];
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
