import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ESTATES } from '../deps.ts';

/** Everything the local runtime reads from its environment, validated in one place. */
export const RuntimeEnv = z.object({
  OUTBOARD_HOME: z.string().min(1).optional(),
  OUTBOARD_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  OUTBOARD_BIND: z.string().min(1).default('127.0.0.1'),
  OUTBOARD_ESTATE: z.enum(ESTATES).default('internal'),
  OUTBOARD_TENANT_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default('internal'),
  OUTBOARD_TENANT_CLAIM: z.string().min(1).default('tenant_id'),
  OUTBOARD_JWT_ISSUER: z.string().min(1).optional(),
  OUTBOARD_JWT_AUDIENCE: z.string().min(1).optional(),
  /** A JWKS document (JSON file) with the public keys bearer tokens are signed with. */
  OUTBOARD_JWT_JWKS_FILE: z.string().min(1).optional(),
  /** Folders whose raw images the local connector offers as guests to register. */
  OUTBOARD_IMAGE_ROOTS: z.string().optional(),
  OUTBOARD_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /** `0`: do not seed the demo estate into a new home (shared/runtime/demo-estate.ts). */
  OUTBOARD_DEMO: z.string().optional(),
  /** Syslog over UDP and TCP, both on this port (0: any free port; `off`: no syslog listener). */
  OUTBOARD_SYSLOG_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65_535)]).default(5514),
  /** Syslog over TLS (RFC 5425); needs OUTBOARD_SYSLOG_TLS_CERT and OUTBOARD_SYSLOG_TLS_KEY. */
  OUTBOARD_SYSLOG_TLS_PORT: z.coerce.number().int().min(0).max(65_535).default(6514),
  OUTBOARD_SYSLOG_TLS_CERT: z.string().min(1).optional(),
  OUTBOARD_SYSLOG_TLS_KEY: z.string().min(1).optional(),
  /** CA bundle that client certificates must chain to; when set, clients must present one. */
  OUTBOARD_SYSLOG_TLS_CA: z.string().min(1).optional(),
  /** Longest syslog message kept whole; longer ones are truncated and flagged. */
  OUTBOARD_SYSLOG_MAX_MESSAGE_BYTES: z.coerce.number().int().min(480).max(1_048_576).default(65_536),
  /** `:`-separated ClamAV signature files or folders for the built-in engine (default: antivirus-db/). */
  OUTBOARD_AV_DB: z.string().min(1).optional(),
  /** clamd for policies with engine "clamd": `tcp://host:port` or `unix:/path`. */
  OUTBOARD_CLAMD: z
    .string()
    .regex(/^(tcp:\/\/.+:\d+|unix:\/.+)$/, 'tcp://host:port or unix:/path')
    .optional(),
  /** Whether BSD (RFC 3164) lines on the network listeners carry a hostname (`false` for relays that strip it). */
  OUTBOARD_SYSLOG_BSD_HOSTNAME: z.enum(['true', 'false']).default('true'),
});

export interface RuntimeConfig {
  home: string;
  httpPort: number;
  bind: string;
  estate: 'internal' | 'provider';
  internalTenantId: string;
  tenantClaim: string;
  jwt?: { issuer: string; audience: string; jwksFile: string };
  imageRoots: string[];
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Seed the demo estate into a new home at `outboard up` (OUTBOARD_DEMO is not `0`). */
  demo: boolean;
  syslog?: {
    port: number;
    maxMessageBytes: number;
    expectHostname: boolean;
    tls?: { port: number; certFile: string; keyFile: string; caFile?: string };
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function defaultHome(): string {
  const xdg = process.env.XDG_DATA_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'outboard') : join(homedir(), '.outboard');
}

export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = RuntimeEnv.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let jwt: RuntimeConfig['jwt'];
  if (e.OUTBOARD_ESTATE === 'provider') {
    if (!e.OUTBOARD_JWT_ISSUER || !e.OUTBOARD_JWT_AUDIENCE || !e.OUTBOARD_JWT_JWKS_FILE) {
      throw new ConfigError(
        'OUTBOARD_ESTATE=provider needs OUTBOARD_JWT_ISSUER, OUTBOARD_JWT_AUDIENCE and OUTBOARD_JWT_JWKS_FILE to verify bearer tokens',
      );
    }
    jwt = {
      issuer: e.OUTBOARD_JWT_ISSUER,
      audience: e.OUTBOARD_JWT_AUDIENCE,
      jwksFile: resolve(e.OUTBOARD_JWT_JWKS_FILE),
    };
  }
  if (Boolean(e.OUTBOARD_SYSLOG_TLS_CERT) !== Boolean(e.OUTBOARD_SYSLOG_TLS_KEY))
    throw new ConfigError('OUTBOARD_SYSLOG_TLS_CERT and OUTBOARD_SYSLOG_TLS_KEY must be set together');
  const syslog: RuntimeConfig['syslog'] =
    e.OUTBOARD_SYSLOG_PORT === 'off'
      ? undefined
      : {
          port: e.OUTBOARD_SYSLOG_PORT,
          maxMessageBytes: e.OUTBOARD_SYSLOG_MAX_MESSAGE_BYTES,
          expectHostname: e.OUTBOARD_SYSLOG_BSD_HOSTNAME === 'true',
          ...(e.OUTBOARD_SYSLOG_TLS_CERT && e.OUTBOARD_SYSLOG_TLS_KEY
            ? {
                tls: {
                  port: e.OUTBOARD_SYSLOG_TLS_PORT,
                  certFile: resolve(e.OUTBOARD_SYSLOG_TLS_CERT),
                  keyFile: resolve(e.OUTBOARD_SYSLOG_TLS_KEY),
                  ...(e.OUTBOARD_SYSLOG_TLS_CA ? { caFile: resolve(e.OUTBOARD_SYSLOG_TLS_CA) } : {}),
                },
              }
            : {}),
        };
  return {
    ...(syslog ? { syslog } : {}),
    home: resolve(e.OUTBOARD_HOME ?? defaultHome()),
    httpPort: e.OUTBOARD_HTTP_PORT,
    bind: e.OUTBOARD_BIND,
    estate: e.OUTBOARD_ESTATE,
    internalTenantId: e.OUTBOARD_TENANT_ID,
    tenantClaim: e.OUTBOARD_TENANT_CLAIM,
    ...(jwt ? { jwt } : {}),
    imageRoots: (e.OUTBOARD_IMAGE_ROOTS ?? '')
      .split(':')
      .filter(Boolean)
      .map((p) => resolve(p)),
    logLevel: e.OUTBOARD_LOG_LEVEL,
    demo: e.OUTBOARD_DEMO?.trim() !== '0',
  };
}
