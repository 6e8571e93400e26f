/**
 * The CDK context the app reads, validated into an `EstateConfig`. Every failure names the context key, what
 * was given and how to pass a valid value, so `cdk synth` fails with a message a person can act on.
 */
import { TenantId } from '../shared/contracts/common.ts';
import { ESTATES, type Estate } from '../shared/deps.ts';

/** Context keys read by the app (`-c key=value` or `context` in cdk.json). */
export const CONTEXT_KEYS = {
  estate: 'estate',
  tenantId: 'tenantId',
  jwtIssuer: 'jwtIssuer',
  jwtAudience: 'jwtAudience',
  tenantClaim: 'tenantClaim',
  /** Feed URLs the feed-sync function imports (list or comma-separated); empty: nothing to sync. */
  feedUrls: 'feedUrls',
} as const;

/** Tenant of an `internal` estate when the `tenantId` context is absent. */
export const DEFAULT_INTERNAL_TENANT_ID = 'internal';
/** JWT claim naming the tenant in a `provider` estate when the `tenantClaim` context is absent. */
export const DEFAULT_TENANT_CLAIM = 'tenant_id';

export interface InternalEstateConfig {
  readonly estate: 'internal';
  /** The one tenant every request belongs to. */
  readonly tenantId: string;
}

export interface ProviderEstateConfig {
  readonly estate: 'provider';
  /** https URL of the OIDC issuer whose JWTs the portal API accepts. */
  readonly jwtIssuer: string;
  /** Accepted `aud` values; at least one. */
  readonly jwtAudience: readonly string[];
  /** The verified claim that names the tenant. */
  readonly tenantClaim: string;
}

export type EstateConfig = InternalEstateConfig | ProviderEstateConfig;

export class InvalidContextError extends Error {
  override name = 'InvalidContextError';
  constructor(message: string) {
    super(`Invalid CDK context: ${message}`);
  }
}

type ContextReader = (key: string) => unknown;

const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

function optionalString(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InvalidContextError(`${key} must be a string (got ${show(value)})`);
  return value.trim();
}

/** A list from the context: a JSON array (cdk.json), a JSON array string or a comma-separated string (`-c`). */
function stringList(read: ContextReader, key: string): string[] {
  let value = read(key);
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidContextError(`${key} is not a valid JSON array (got ${show(value)})`);
    }
  }
  const items =
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : value == null ? [] : null;
  if (items === null || items.some((item) => typeof item !== 'string')) {
    throw new InvalidContextError(`${key} must be a list of strings (got ${show(value)})`);
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item.length > 0);
}

function parseEstate(value: unknown): Estate {
  if (typeof value === 'string' && (ESTATES as readonly string[]).includes(value)) return value as Estate;
  const given = value === undefined ? 'nothing' : show(value);
  throw new InvalidContextError(
    `${CONTEXT_KEYS.estate} must be one of ${ESTATES.join(', ')} (got ${given}); ` +
      `set it in cdk.json or pass -c ${CONTEXT_KEYS.estate}=internal`,
  );
}

function parseIssuer(value: string | undefined): string {
  const key = CONTEXT_KEYS.jwtIssuer;
  if (value === undefined) {
    throw new InvalidContextError(
      `estate provider requires ${key}, the https URL of the OIDC issuer (-c ${key}=https://issuer.example.com/)`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidContextError(`${key} must be an https URL (got ${show(value)})`);
  }
  if (url.protocol !== 'https:')
    throw new InvalidContextError(`${key} must be an https URL (got ${show(value)})`);
  return value;
}

/** Reads and validates the estate configuration; throws `InvalidContextError` with an actionable message. */
export function estateConfigFromContext(read: ContextReader): EstateConfig {
  const estate = parseEstate(read(CONTEXT_KEYS.estate));
  if (estate === 'internal') {
    const tenantId = optionalString(read, CONTEXT_KEYS.tenantId) ?? DEFAULT_INTERNAL_TENANT_ID;
    const parsed = TenantId.safeParse(tenantId);
    if (!parsed.success) {
      throw new InvalidContextError(
        `${CONTEXT_KEYS.tenantId} ${show(tenantId)} is not a tenant id: ${parsed.error.issues[0]?.message}`,
      );
    }
    return { estate, tenantId };
  }
  const jwtIssuer = parseIssuer(optionalString(read, CONTEXT_KEYS.jwtIssuer));
  const jwtAudience = stringList(read, CONTEXT_KEYS.jwtAudience);
  if (jwtAudience.length === 0) {
    throw new InvalidContextError(
      `estate provider requires ${CONTEXT_KEYS.jwtAudience}, the accepted JWT audiences ` +
        `(-c ${CONTEXT_KEYS.jwtAudience}=portal-api or a list in cdk.json)`,
    );
  }
  const tenantClaim = optionalString(read, CONTEXT_KEYS.tenantClaim) ?? DEFAULT_TENANT_CLAIM;
  if (!/^[A-Za-z0-9_:./-]{1,256}$/.test(tenantClaim)) {
    throw new InvalidContextError(
      `${CONTEXT_KEYS.tenantClaim} must be a JWT claim name (got ${show(tenantClaim)})`,
    );
  }
  return { estate, jwtIssuer, jwtAudience, tenantClaim };
}

/** The `feedUrls` context: https or http URLs (a Lambda function has no local feed files to read). */
export function feedUrlsFromContext(read: ContextReader): string[] {
  const urls = stringList(read, CONTEXT_KEYS.feedUrls);
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || url.includes(',')) {
      throw new InvalidContextError(
        `${CONTEXT_KEYS.feedUrls} must list http(s) URLs of feeds (got ${show(url)}); ` +
          `e.g. -c ${CONTEXT_KEYS.feedUrls}=https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip`,
      );
    }
  }
  return urls;
}
