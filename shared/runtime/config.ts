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
  return {
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
