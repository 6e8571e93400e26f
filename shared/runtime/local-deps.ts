/** Builds a function's Deps from the local adapters, all rooted in OUTBOARD_HOME. */
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Logger } from '@aws-lambda-powertools/logger';
import { LocalBucketReader } from '../adapters/local/bucket-reader.ts';
import { LocalBus } from '../adapters/local/bus.ts';
import { LocalConnector } from '../adapters/local/connector.ts';
import { FsObjectStore } from '../adapters/local/object-store.ts';
import { openDatabase } from '../adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../adapters/local/sqlite-monitor-state.ts';
import { SqliteQueue } from '../adapters/local/sqlite-queue.ts';
import { SqliteRegistry } from '../adapters/local/sqlite-registry.ts';
import { SqliteScheduleManager } from '../adapters/local/sqlite-scheduler.ts';
import type { ConnectorKind } from '../contracts/guest.ts';
import type { Deps } from '../deps.ts';
import type { Connector, Connectors } from '../ports.ts';
import { busRules, topology as defaultTopology, type Topology } from '../topology.ts';
import type { RuntimeConfig } from './config.ts';
import { queueConfigs } from './queues.ts';

export class ConnectorUnavailableError extends Error {
  override name = 'ConnectorUnavailableError';
}

export interface LocalParts {
  db: DatabaseSync;
  monitorDb: DatabaseSync;
  queue: SqliteQueue;
  bus: LocalBus;
  scheduler: SqliteScheduleManager;
  registry: SqliteRegistry;
  objects: FsObjectStore;
  archive: FsObjectStore;
  monitorState: SqliteMonitorStateStore;
  connector: LocalConnector;
}

/** Page size of a new outboard.db and monitor.db (SQLite's default is 4 KiB; see openLocalParts). */
const DB_PAGE_BYTES = 16_384;
/** monitor.db: measured fastest for claims shared by two workers (4 KiB: ~40% slower, 64 KiB slower). */
const MONITOR_DB_PAGE_BYTES = DB_PAGE_BYTES;
/** WAL size at which monitor.db checkpoints (SQLite counts it in pages of the file's own size). */
const MONITOR_WAL_CHECKPOINT_BYTES = 64 << 20;

export function homePaths(home: string) {
  return {
    database: join(home, 'outboard.db'),
    /** Monitoring state (event claims, rule windows): written at the rate events arrive, so in a file of
     * its own, whose write lock the queues, bus and registry never wait for. */
    monitorDatabase: join(home, 'monitor.db'),
    objects: join(home, 'objects'),
    archive: join(home, 'archive'),
    snapshots: join(home, 'snapshots'),
    /** Watched buckets, locally: `<bucket>/<key>` files (shared/runtime/bucket-events.ts reports new ones). */
    buckets: join(home, 'buckets'),
    lock: join(home, 'runtime.lock'),
  };
}

export interface LocalPartsOptions {
  receiverId?: string;
  onSent?: (queues: string[]) => void;
  /** The topology whose queues and rules to serve (default: Outboard's). */
  topology?: Topology;
}

export function openLocalParts(config: RuntimeConfig, options: LocalPartsOptions = {}): LocalParts {
  const paths = homePaths(config.home);
  const topology = options.topology ?? defaultTopology;
  // The queues keep whole message bodies (record batches of up to 256 KiB) in this file: larger pages
  // mean a quarter of the overflow pages to write, read back and free per message.
  const db = openDatabase(paths.database, { pageSize: DB_PAGE_BYTES });
  // Event claims are random inserts at receipt rate, by two or more workers whose commits empty each
  // other's page caches: larger pages (fewer to read back), a larger page cache and fewer checkpoints
  // (each one fsyncs) keep them cheap; a crash still loses nothing committed (WAL).
  const monitorDb = openDatabase(paths.monitorDatabase, { pageSize: MONITOR_DB_PAGE_BYTES });
  monitorDb.exec('PRAGMA cache_size = -65536');
  const pageBytes = Number((monitorDb.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
  monitorDb.exec(`PRAGMA wal_autocheckpoint = ${Math.round(MONITOR_WAL_CHECKPOINT_BYTES / pageBytes)}`);
  const queue = new SqliteQueue(db, queueConfigs(topology), {
    ...(options.receiverId ? { receiverId: options.receiverId } : {}),
    ...(options.onSent ? { onSent: options.onSent } : {}),
  });
  return {
    db,
    monitorDb,
    queue,
    bus: new LocalBus(db, queue, busRules(topology)),
    scheduler: new SqliteScheduleManager(db),
    registry: new SqliteRegistry(db),
    objects: new FsObjectStore(paths.objects),
    archive: new FsObjectStore(paths.archive),
    monitorState: new SqliteMonitorStateStore(monitorDb),
    connector: new LocalConnector({ root: paths.snapshots, discoverRoots: config.imageRoots }),
  };
}

/** Closes the databases of `openLocalParts`. */
export function closeLocalParts(parts: LocalParts): void {
  parts.monitorDb.close();
  parts.db.close();
}

export function createLogger(config: RuntimeConfig, serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: config.logLevel });
}

export function createLocalDeps(
  config: RuntimeConfig,
  options: LocalPartsOptions & { functionName: string },
): Deps {
  const parts = openLocalParts(config, options);
  const connectors: Connectors = {
    get(kind: ConnectorKind): Connector {
      if (kind === 'local') return parts.connector;
      throw new ConnectorUnavailableError(
        `connector "${kind}" is not available in the local runtime; guests of this kind are served by the AWS deployment`,
      );
    },
  };
  return {
    clock: { now: () => new Date() },
    registry: parts.registry,
    objects: parts.objects,
    archive: parts.archive,
    monitorState: parts.monitorState,
    bus: parts.bus,
    queues: parts.queue,
    scheduler: parts.scheduler,
    connectors,
    buckets: new LocalBucketReader(homePaths(config.home).buckets),
    logger: createLogger(config, options.functionName),
    tenancy: {
      estate: config.estate,
      internalTenantId: config.internalTenantId,
      tenantClaim: config.tenantClaim,
    },
  };
}
