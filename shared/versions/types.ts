/** Shared types of the version schemes (dpkg, rpm, apk). */

export const VERSION_SCHEMES = ['dpkg', 'rpm', 'apk'] as const;
export type VersionScheme = (typeof VERSION_SCHEMES)[number];

/** The sign of a comparison: a < b → -1, a = b → 0, a > b → 1. */
export type Ordering = -1 | 0 | 1;

/** A version string the scheme's own parser rejects. */
export class InvalidVersionError extends Error {
  override name = 'InvalidVersionError';
  readonly scheme: VersionScheme;
  readonly version: string;
  readonly reason: string;

  constructor(scheme: VersionScheme, version: string, reason: string) {
    super(`invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`);
    this.scheme = scheme;
    this.version = version;
    this.reason = reason;
  }
}

export function isVersionScheme(value: unknown): value is VersionScheme {
  return value === 'dpkg' || value === 'rpm' || value === 'apk';
}

/** Sign of a number as an Ordering. */
export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
