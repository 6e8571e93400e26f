/**
 * The engine a policy names, built from the environment and kept for the life of the process (a
 * signature database is loaded once per worker or Lambda container, not once per file or task):
 *
 * - `builtin`: the ClamAV signature files in `OUTBOARD_AV_DB` — directories or files, several separated
 *   by `:` — read like `clamscan -d`; unset, the small EICAR-only database shipped in `antivirus-db/`.
 *   Database kinds the engine cannot read are not silently dropped: `onLoad` hears the load report
 *   (unsupported and skipped files, with reasons) the one time the database is loaded;
 * - `clamd`: the clamd at `OUTBOARD_CLAMD`, `tcp://host:port` (`tcp://[::1]:3310`) or `unix:/path`;
 *   `OUTBOARD_CLAMD_STREAM_MAX` (bytes, optional) is clamd's StreamMaxLength, so larger files are
 *   reported too large without being sent.
 *
 * A failed load is not kept: the next call tries again.
 */
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AvEngineKind } from '../../contracts/antivirus.ts';
import type { Logger } from '../../deps.ts';
import type { ClamdAddress } from '../clamd/connection.ts';
import { ClamdEngine } from '../clamd/engine.ts';
import { BuiltinEngine } from '../engine/builtin-engine.ts';
import type { ScanEngine } from '../engine/types.ts';
import type { LoadReport } from '../signatures/types.ts';
import { EngineConfigError } from './errors.ts';

/** The database shipped with Outboard (EICAR only), used when OUTBOARD_AV_DB is not set. */
export const DEFAULT_AV_DB_DIR = fileURLToPath(new URL('../../../antivirus-db/', import.meta.url));

export const ENGINE_ENV = {
  database: 'OUTBOARD_AV_DB',
  clamd: 'OUTBOARD_CLAMD',
  clamdStreamMax: 'OUTBOARD_CLAMD_STREAM_MAX',
} as const;

export type EngineEnv = Partial<Record<(typeof ENGINE_ENV)[keyof typeof ENGINE_ENV], string | undefined>>;

export interface CreateEngineOptions {
  /** Hears the signature database's load report, once, when it is loaded. */
  onLoad?: (report: LoadReport, paths: readonly string[]) => void;
}

const cache = new Map<string, Promise<ScanEngine>>();

/** The engine `kind` as `env` configures it; the same configuration gives the same (cached) engine. */
export function createEngine(
  kind: AvEngineKind,
  env: EngineEnv = process.env,
  options: CreateEngineOptions = {},
): Promise<ScanEngine> {
  const key = kind === 'builtin' ? `builtin\u0000${databasePaths(env).join('\u0000')}` : clamdKey(env);
  const cached = cache.get(key);
  if (cached) return cached;
  const made = kind === 'builtin' ? loadBuiltin(env, options) : (async () => makeClamd(env))();
  cache.set(key, made);
  made.catch(() => {
    if (cache.get(key) === made) cache.delete(key);
  });
  return made;
}

/** Closes and forgets every cached engine (tests; a process that reconfigures). */
export async function resetEngines(): Promise<void> {
  const engines = [...cache.values()];
  cache.clear();
  await Promise.allSettled(engines.map(async (e) => (await e).close()));
}

/** The database paths `OUTBOARD_AV_DB` names, or the shipped one. */
export function databasePaths(env: EngineEnv): string[] {
  const value = env[ENGINE_ENV.database]?.trim();
  if (!value) return [DEFAULT_AV_DB_DIR];
  const paths = value
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return paths.length > 0 ? paths : [DEFAULT_AV_DB_DIR];
}

async function loadBuiltin(env: EngineEnv, options: CreateEngineOptions): Promise<ScanEngine> {
  const paths = databasePaths(env);
  let engine: BuiltinEngine;
  try {
    engine = await BuiltinEngine.load(paths);
  } catch (error) {
    throw new EngineConfigError(
      `the built-in engine could not load its signature database from ${paths.join(', ')} (${ENGINE_ENV.database}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { report } = engine.database;
  if (engine.database.hashes.length + engine.database.bodies.length === 0) {
    throw new EngineConfigError(
      `the signature database at ${paths.join(', ')} (${ENGINE_ENV.database}) holds no signature this engine reads` +
        `${report.unsupported.length ? ` (unsupported: ${report.unsupported.map((u) => u.file).join(', ')})` : ''}; nothing would ever be found`,
    );
  }
  options.onLoad?.(report, paths);
  return engine;
}

function clamdKey(env: EngineEnv): string {
  return `clamd\u0000${env[ENGINE_ENV.clamd] ?? ''}\u0000${env[ENGINE_ENV.clamdStreamMax] ?? ''}`;
}

function makeClamd(env: EngineEnv): ScanEngine {
  const where = env[ENGINE_ENV.clamd]?.trim();
  if (!where) {
    throw new EngineConfigError(
      `the antivirus policy names the clamd engine but ${ENGINE_ENV.clamd} is not set (tcp://host:port or unix:/path)`,
    );
  }
  const address = parseClamdAddress(where);
  const max = env[ENGINE_ENV.clamdStreamMax]?.trim();
  let streamMaxLength: number | undefined;
  if (max) {
    streamMaxLength = Number(max);
    if (!Number.isSafeInteger(streamMaxLength) || streamMaxLength < 1) {
      throw new EngineConfigError(
        `${ENGINE_ENV.clamdStreamMax} must be a whole number of bytes ≥ 1, not ${JSON.stringify(max)}`,
      );
    }
  }
  return new ClamdEngine({ address, ...(streamMaxLength === undefined ? {} : { streamMaxLength }) });
}

/** `tcp://host:port`, `tcp://[v6]:port` or `unix:/absolute/path` (also `unix:///absolute/path`). */
export function parseClamdAddress(value: string): ClamdAddress {
  const bad = (why: string) =>
    new EngineConfigError(
      `${ENGINE_ENV.clamd} ${JSON.stringify(value)} ${why}; expected tcp://host:port or unix:/path`,
    );
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/')) throw bad('is not an absolute socket path');
    return { path };
  }
  if (value.startsWith('tcp://')) {
    const rest = value.slice('tcp://'.length).replace(/\/$/, '');
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(rest);
    if (!m) throw bad('has no host and port');
    const port = Number(m[3]);
    if (port < 1 || port > 65_535) throw bad(`has port ${port}, outside 1-65535`);
    return { host: (m[1] ?? m[2])!, port };
  }
  throw bad('names no scheme');
}

/**
 * An engine factory for a function: `createEngine` with the database load report logged once per
 * load (a warning when the database holds kinds or constructs the engine does not use).
 */
export function loggingEngines(
  logger: Pick<Logger, 'info' | 'warn'>,
  env: EngineEnv = process.env,
): (kind: AvEngineKind) => Promise<ScanEngine> {
  return (kind) =>
    createEngine(kind, env, {
      onLoad: (report, paths) => {
        const level = report.unsupported.length + report.skipped.length > 0 ? 'warn' : 'info';
        logger[level]('signature database loaded', {
          paths,
          loaded: report.loaded,
          unsupported: report.unsupported,
          skipped: report.skipped,
        });
      },
    });
}
