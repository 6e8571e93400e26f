/**
 * Exact version semantics of the package managers Outboard patches: dpkg (Debian, Ubuntu), rpm (RHEL,
 * Fedora, SUSE…) and apk (Alpine). Each scheme module has `parse`, `compare`, `isValid`; this module gives
 * the common entry points.
 */
import * as apk from './apk.ts';
import * as dpkg from './dpkg.ts';
import * as rpm from './rpm.ts';
import type { Ordering, VersionScheme } from './types.ts';

export type { Ordering, VersionScheme } from './types.ts';
export { InvalidVersionError, isVersionScheme, VERSION_SCHEMES } from './types.ts';
export { apk, dpkg, rpm };

const SCHEMES = { dpkg, rpm, apk } as const;

/** Compares a and b under the scheme: -1, 0 or 1; throws InvalidVersionError when either is invalid. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): Ordering {
  return SCHEMES[scheme].compare(a, b);
}

/** As compareVersions, but undefined (not an exception) when either side is invalid. */
export function tryCompareVersions(scheme: VersionScheme, a: string, b: string): Ordering | undefined {
  return SCHEMES[scheme].compareOrUndefined(a, b);
}

/** True when the scheme's own tool accepts the version string. */
export function isValidVersion(scheme: VersionScheme, version: string): boolean {
  return SCHEMES[scheme].isValid(version);
}
