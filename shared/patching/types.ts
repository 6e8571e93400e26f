/**
 * What a patch scan concludes for one guest: per installed binary package, whether a newer version
 * is offered by the guest release's repositories and/or whether an advisory says the installed
 * version is affected — with the evidence for each.
 */
import type { AdvisorySeverity, FeedSource, SeverityRating, UpdateClass } from '../feeds/types.ts';
import type { Inventory, OsIdentity } from '../inventory/types.ts';

export type FindingStatus =
  /** A fixed or newer version is available (repositories and/or an advisory's fixed event). */
  | 'fix-available'
  /** An advisory says the installed version is affected and no fix is released. */
  | 'affected-no-fix';

export type Classification = 'security' | 'bugfix' | 'enhancement' | 'unknown';

export interface FindingAdvisory {
  id: string;
  /** CVE ids and other aliases. */
  aliases: string[];
  /** The first version that fixes it for this package, if the advisory names one. */
  fixedVersion?: string;
  severity: AdvisorySeverity;
  /** Where the advisory came from (feed location) and its ecosystem. */
  feed: string;
  ecosystem: string;
}

export interface Finding {
  package: string;
  sourcePackage: string;
  arch?: string;
  installedVersion: string;
  /**
   * For repository updates: the newest version the guest's repositories offer (what the distribution's
   * own package manager would install). Otherwise the lowest advisory fixed version above the installed one.
   */
  fixedVersion?: string;
  status: FindingStatus;
  classification: Classification;
  /** The highest rating among the advisories (CVSS where scored, else the distribution's wording). */
  severity: SeverityRating | 'Unknown';
  advisories: FindingAdvisory[];
  /** The repository entry offering the update, when there is one. */
  update?: { version: string; suite: string; classification: UpdateClass; feed: string };
  /** The inventory entry: file and collector. */
  evidence: { file: string; collector: string };
}

export interface ScanFeedInfo {
  kind: string;
  location: string;
  release?: string;
  date?: string;
  validUntil?: string;
  mtime?: string;
}

export interface ScanResult {
  os?: OsIdentity;
  /** False when the OS, its release or its package format has no feed: never reported as clean. */
  assessable: boolean;
  /** Why not assessable, or what limits the assessment. */
  reasons: string[];
  findings: Finding[];
  /** Every feed consulted, with its source and freshness. */
  feeds: ScanFeedInfo[];
  counts: { packages: number; findings: number; bySeverity: Record<string, number> };
  inventory: Inventory;
}

export type { FeedSource };
