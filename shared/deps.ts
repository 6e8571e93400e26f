/** What a function is given to do its work: ports only, never a concrete adapter. */
import type {
  BucketReader,
  Clock,
  Connectors,
  EventPublisher,
  MonitorStateStore,
  ObjectStore,
  QueueSender,
  Registry,
  ScheduleManager,
} from './ports.ts';

export interface Logger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
}

export const ESTATES = ['internal', 'provider'] as const;
export type Estate = (typeof ESTATES)[number];

export interface TenancyConfig {
  estate: Estate;
  /** internal: the one tenant every request belongs to. */
  internalTenantId: string;
  /** provider: the verified JWT claim that names the tenant. */
  tenantClaim: string;
}

export interface Deps {
  clock: Clock;
  registry: Registry;
  objects: ObjectStore;
  /** The monitoring event archive (a bucket of its own on AWS). */
  archive: ObjectStore;
  monitorState: MonitorStateStore;
  bus: EventPublisher;
  queues: QueueSender;
  scheduler: ScheduleManager;
  connectors: Connectors;
  /** The watched buckets whose new objects are scanned (tenants' buckets, not Outboard's store). */
  buckets: BucketReader;
  logger: Logger;
  tenancy: TenancyConfig;
}

/** Environment variable names shared by infra (which sets them) and the AWS deps factory (which reads them). */
export const AWS_ENV = {
  tableName: 'OUTBOARD_TABLE_NAME',
  bucketName: 'OUTBOARD_BUCKET_NAME',
  archiveBucketName: 'OUTBOARD_ARCHIVE_BUCKET_NAME',
  busName: 'OUTBOARD_BUS_NAME',
  scheduleGroup: 'OUTBOARD_SCHEDULE_GROUP',
  schedulerRoleArn: 'OUTBOARD_SCHEDULER_ROLE_ARN',
  busArn: 'OUTBOARD_BUS_ARN',
  estate: 'OUTBOARD_ESTATE',
  internalTenantId: 'OUTBOARD_TENANT_ID',
  tenantClaim: 'OUTBOARD_TENANT_CLAIM',
  /** Comma-separated feed URLs the feed-sync function imports (also read by the local runtime). */
  feedUrls: 'OUTBOARD_FEED_URLS',
} as const;
