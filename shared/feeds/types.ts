/**
 * Records the feed parsers return: what a repository offers (available versions) and what advisory
 * databases say (affected ranges, fixes). Versions stay strings here; shared/versions compares them.
 * Every feed carries where it came from and how fresh it is.
 */

/** Where a feed was read from and how fresh it says it is. */
export interface FeedSource {
  /** URL or filesystem path of the file or folder read. */
  location: string;
  /** The index's own date (Release `Date:`, repomd revision, secdb/OSV newest `modified`), ISO 8601. */
  date?: string;
  /** Release `Valid-Until:`, ISO 8601. */
  validUntil?: string;
  /** File modification time (or HTTP Last-Modified) when the index has no date of its own, ISO 8601. */
  mtime?: string;
}

/**
 * Why a newer version is offered. Debian/Ubuntu: from the suite's pocket (`bookworm-security` →
 * security); RPM: from updateinfo (a package named in a security advisory); otherwise `unknown`.
 */
export const UPDATE_CLASSES = ['release', 'updates', 'security', 'backports', 'proposed', 'unknown'] as const;
export type UpdateClass = (typeof UPDATE_CLASSES)[number];

export type VersionScheme = 'dpkg' | 'rpm' | 'apk';

/** One binary package a repository offers. */
export interface AvailablePackage {
  name: string;
  /** As the package manager compares it: dpkg `[epoch:]upstream[-revision]`, rpm `[epoch:]ver-rel`, apk `ver-rN`. */
  version: string;
  arch: string;
  /** Source package (dpkg Source:, rpm sourcerpm's name, apk o:) and its version when it differs or is known. */
  source: { name: string; version?: string };
  /** Suite as laid out on the mirror (`bookworm-security`, `jammy-updates`); rpm/apk: the repository label. */
  suite: string;
  component?: string;
  classification: UpdateClass;
}

export interface ChecksummedFile {
  path: string;
  size: number;
  sha256: string;
}

/** A Debian/Ubuntu `Release` or `InRelease`. */
export interface DebianRelease {
  source: FeedSource;
  origin?: string;
  label?: string;
  suite?: string;
  codename?: string;
  version?: string;
  date?: string;
  validUntil?: string;
  components: string[];
  architectures: string[];
  acquireByHash: boolean;
  sha256: ChecksummedFile[];
  /** The file was clearsigned (InRelease); `notes` say whether its signature was verified. */
  clearsigned: boolean;
  notes: string[];
}

export interface RpmAdvisoryPackage {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  /** `[epoch:]version-release`, epoch only when not 0. */
  evr: string;
  src?: string;
}

/** One `<update>` of updateinfo.xml. */
export interface RpmAdvisory {
  id: string;
  type: 'security' | 'bugfix' | 'enhancement' | 'newpackage';
  severity?: string;
  title?: string;
  issued?: string;
  updated?: string;
  cves: string[];
  packages: RpmAdvisoryPackage[];
}

export type RangeEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

export const SEVERITY_RATINGS = ['None', 'Low', 'Medium', 'High', 'Critical'] as const;
export type SeverityRating = (typeof SEVERITY_RATINGS)[number];

export interface CvssScore {
  /** OSV type: CVSS_V2, CVSS_V3, CVSS_V4. */
  type: string;
  vector: string;
  /** Base score; absent when the vector could not be scored. */
  score?: number;
  rating?: SeverityRating;
}

export interface AdvisorySeverity {
  cvss: CvssScore[];
  /** Distribution wording: Debian urgency, Ubuntu priority, RPM `Important`, OSV `database_specific.severity`. */
  text?: string;
}

/**
 * One advisory as it applies to one package of one ecosystem. An OSV record with several `affected`
 * entries becomes several of these sharing id and metadata.
 */
export interface Advisory {
  id: string;
  /** CVE ids and other aliases (OSV aliases + upstream, RPM CVE references). */
  aliases: string[];
  /** OSV ecosystem string, exact: `Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`, `Rocky Linux:9`, … */
  ecosystem: string;
  /** Package name; for Debian/Ubuntu the SOURCE package. */
  package: string;
  kind: 'security' | 'bugfix' | 'enhancement' | 'newpackage';
  /** `not-affected`: Alpine secfixes `"0"`: the distribution says the package never was affected. */
  status: 'affected' | 'not-affected';
  ranges: AffectedRange[];
  /** Explicitly enumerated affected versions (OSV `versions`). */
  versions: string[];
  severity: AdvisorySeverity;
  summary?: string;
  published?: string;
  modified?: string;
  withdrawn?: string;
}

interface FeedBase {
  source: FeedSource;
  /** What was skipped or not understood (one bad record does not drop the feed). */
  notes: string[];
}

export interface DebRepoFeed extends FeedBase {
  kind: 'deb-repo';
  scheme: 'dpkg';
  /** Release key for the index (`Debian:12`, `Ubuntu:22.04:LTS`), from Origin + Version, else the codename. */
  release: string;
  releases: DebianRelease[];
  packages: AvailablePackage[];
}

export interface RpmRepoFeed extends FeedBase {
  kind: 'rpm-repo';
  scheme: 'rpm';
  release: string;
  revision?: string;
  packages: AvailablePackage[];
  advisories: Advisory[];
}

export interface ApkIndexFeed extends FeedBase {
  kind: 'apk-index';
  scheme: 'apk';
  release: string;
  packages: AvailablePackage[];
}

export interface AdvisoryFeed extends FeedBase {
  kind: 'alpine-secdb' | 'osv';
  advisories: Advisory[];
}

export type Feed = DebRepoFeed | RpmRepoFeed | ApkIndexFeed | AdvisoryFeed;

/** Thrown when a file is not what its parser understands. Names the format and, when known, where. */
export class FeedFormatError extends Error {
  override name = 'FeedFormatError';
  readonly format: string;
  readonly location: string | undefined;
  constructor(format: string, message: string, location?: string, options?: ErrorOptions) {
    super(`${format}${location === undefined ? '' : ` (${location})`}: ${message}`, options);
    this.format = format;
    this.location = location;
  }
}
