/**
 * The interfaces the domain and the function adapters talk to. Each has a local implementation
 * (shared/adapters/local) and an AWS one (shared/adapters/aws). Nothing here knows which.
 */
import type { PageOf, PageRequest } from './contracts/common.ts';
import type { OutboardEvent } from './contracts/events.ts';
import type { ConnectorKind, ConnectorRef, Guest, Subscription, Tenant } from './contracts/guest.ts';
import type { Job, RestorePoint, SnapshotDisk } from './contracts/job.ts';
import type { Service } from './contracts/service.ts';

/** Why a restore point is marked infected: the scan that found malware, how many files, when. */
export type RestorePointInfection = NonNullable<RestorePoint['infected']>;

export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------- object store

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
  contentType: string;
  metadata: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** `'*'`: create only if no object has this key (S3 `If-None-Match: *`); else PreconditionFailedError. */
  ifNoneMatch?: '*';
}

export interface ObjectStore {
  /** Atomic: readers see the old object or the whole new one, never a part. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>;
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<Omit<StoredObject, 'body'> | undefined>;
  /** Keys in lexicographic (UTF-8 byte) order, as S3 lists them. `limit` at most 1000. */
  list(prefix: string, page?: Partial<PageRequest>): Promise<PageOf<ObjectInfo>>;
  /** Deleting a missing key is not an error (S3 semantics). */
  delete(key: string): Promise<void>;
}

// ---------------------------------------------------------------- watched buckets

/** One object of a watched bucket, opened for reading. `etag` without quotes. */
export interface BucketObject {
  size: number;
  etag: string;
  body: AsyncIterable<Uint8Array>;
}

/**
 * Reads objects of the buckets tenants ask to have scanned (not Outboard's own store): S3 GetObject on
 * AWS, `<home>/buckets/<bucket>/<key>` locally. Undefined when the object does not exist (any more);
 * other failures (access denied, network) throw.
 */
export interface BucketReader {
  open(bucket: string, key: string): Promise<BucketObject | undefined>;
}

// ---------------------------------------------------------------- messaging

export interface OutgoingMessage {
  body: string;
  delaySeconds?: number;
  attributes?: Record<string, string>;
}

export interface QueueSender {
  send(queue: string, messages: OutgoingMessage[]): Promise<void>;
}

export interface EventPublisher {
  /**
   * Publishes, or throws. Entries the bus would refuse (size, shape, contract) fail the call before
   * anything is sent. On AWS, an entry that still fails after retries throws too, but others of the
   * same call may already be out: events are at-least-once, and every consumer is idempotent.
   */
  publish(events: OutboardEvent[]): Promise<void>;
}

// ---------------------------------------------------------------- scheduler

export interface ScheduleDefinition {
  /** Deterministic name, unique per tenant × guest × service. */
  name: string;
  expression: string;
  timezone: string;
  /** The event the schedule puts on the bus each time it fires. */
  target: {
    detailType: string;
    /** Detail JSON; the string `<aws.scheduler.scheduled-time>` is replaced by the fire time. */
    detail: Record<string, unknown>;
  };
}

export interface ScheduleManager {
  /** Create or replace. Idempotent. */
  upsert(schedule: ScheduleDefinition): Promise<void>;
  /** Deleting a missing schedule is not an error. */
  delete(name: string): Promise<void>;
  get(name: string): Promise<ScheduleDefinition | undefined>;
}

// ---------------------------------------------------------------- registry

export class ConditionFailedError extends Error {
  override name = 'ConditionFailedError';
}

export interface JobUpdate {
  status?: Job['status'];
  startedAt?: string;
  finishedAt?: string;
  error?: Job['error'] | null;
  result?: Job['result'];
  attempts?: number;
  updatedAt: string;
}

export interface Registry {
  putTenant(tenant: Tenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | undefined>;

  /** Conditional create: ConditionFailedError if the id exists. */
  createGuest(guest: Guest): Promise<void>;
  getGuest(tenantId: string, guestId: string): Promise<Guest | undefined>;
  listGuests(tenantId: string, page: PageRequest): Promise<PageOf<Guest>>;
  /** Removes the guest and all its subscriptions in one step; returns the subscriptions removed. */
  deleteGuest(tenantId: string, guestId: string): Promise<Subscription[] | undefined>;

  putSubscription(subscription: Subscription): Promise<void>;
  getSubscription(tenantId: string, guestId: string, service: Service): Promise<Subscription | undefined>;
  listSubscriptions(tenantId: string, guestId: string): Promise<Subscription[]>;
  deleteSubscription(tenantId: string, guestId: string, service: Service): Promise<boolean>;
  /**
   * Every tenant's subscriptions to one service (the monitoring receivers attribute senders with it,
   * and sweeps run over it). Ordered by tenant, then guest. May lag a write by a moment on AWS.
   */
  listSubscriptionsOfService(service: Service, page: PageRequest): Promise<PageOf<Subscription>>;

  /** Conditional create; returns false (and writes nothing) if the job exists. */
  createJob(job: Job): Promise<boolean>;
  getJob(tenantId: string, jobId: string): Promise<Job | undefined>;
  /** ConditionFailedError unless the job's status is one of `expected`. Returns the updated job. */
  updateJob(tenantId: string, jobId: string, update: JobUpdate, expected: Job['status'][]): Promise<Job>;

  /** Conditional create; returns false if a restore point with this id exists. */
  createRestorePoint(restorePoint: RestorePoint): Promise<boolean>;
  getRestorePoint(tenantId: string, id: string): Promise<RestorePoint | undefined>;
  /** Newest first. */
  listRestorePoints(tenantId: string, guestId: string, page: PageRequest): Promise<PageOf<RestorePoint>>;
  /**
   * Marks a restore point infected (an anti-virus scan found malware in it), so it is not offered for
   * restore without an explicit override. Idempotent, and the first mark stays: marking a restore point
   * that already carries one (a redelivery, or a later scan) changes nothing and returns it with its
   * first mark — the job that first found malware in it. Undefined if the restore point does not exist.
   */
  markRestorePointInfected(
    tenantId: string,
    id: string,
    mark: RestorePointInfection,
  ): Promise<RestorePoint | undefined>;
}

// ---------------------------------------------------------------- hypervisor / cloud connector

export interface SnapshotRequest {
  tenantId: string;
  guestId: string;
  /** Deterministic (derived from the job), so a repeated request finds the snapshot it already made. */
  snapshotId: string;
  ref: ConnectorRef;
  tags: Record<string, string>;
}

export interface SnapshotInfo {
  connector: ConnectorKind;
  snapshotId: string;
  tenantId: string;
  guestId: string;
  disks: SnapshotDisk[];
  tags: Record<string, string>;
  createdAt: string;
  state: 'pending' | 'completed';
}

/** Random-access reads of one disk of a snapshot. */
export interface DiskReader {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (fewer only at the end of the disk), or an error. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface DiscoveredGuest {
  name: string;
  ref: ConnectorRef;
}

export interface Connector {
  readonly kind: ConnectorKind;
  /** Guests the hypervisor or cloud knows about, for registration. */
  listGuests(): Promise<DiscoveredGuest[]>;
  /** Crash-consistent snapshot of every disk of the guest at one moment. Idempotent on snapshotId. */
  createSnapshot(request: SnapshotRequest): Promise<SnapshotInfo>;
  getSnapshot(tenantId: string, snapshotId: string): Promise<SnapshotInfo | undefined>;
  listSnapshots(tenantId: string, guestId?: string): Promise<SnapshotInfo[]>;
  openDisk(tenantId: string, snapshotId: string, diskIndex: number): Promise<DiskReader>;
  /** Deleting a missing snapshot is not an error. */
  deleteSnapshot(tenantId: string, snapshotId: string): Promise<void>;
}

/**
 * Connector errors that no retry can mend (a source disk that is gone, a request the connector refuses)
 * carry `retryable: false`; the caller records the failure at once instead of retrying.
 */
export function isRetryable(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}

export interface Connectors {
  get(kind: ConnectorKind): Connector;
}

// ---------------------------------------------------------------- monitoring state

/** A rule-state entry: its serialized value and the version a conditional write expects. */
export interface RuleStateEntry {
  key: string;
  value: string;
  /** 0 for an entry that does not exist yet. */
  version: number;
}

export interface LastSeen {
  tenantId: string;
  guestId: string;
  /** Epoch ms of the newest event received from the guest. */
  at: number;
}

/**
 * The monitoring service's small mutable state, kept apart from the archive: who already archived an
 * event (so a sender's retransmission or a replayed Windows channel is archived once), detection-rule
 * windows and suppressions, and when each guest was last heard from.
 */
export interface MonitorStateStore {
  /**
   * Claims event ids for `owner` (the ingest message that carries them) and returns the ids `owner`
   * now holds: those nobody had claimed and those it had claimed on an earlier delivery. An id held by
   * another owner was archived by it and is left out. Claims are kept until `expiresAt` (epoch ms).
   */
  claimEvents(owner: string, ids: string[], expiresAt: number): Promise<Set<string>>;
  /** `claimEvents` for several owners at once (one write, where the store can); results by owner. */
  claimEventsOfMany(
    claims: readonly { owner: string; ids: string[] }[],
    expiresAt: number,
  ): Promise<Map<string, Set<string>>>;
  getRuleState(keys: string[]): Promise<Map<string, RuleStateEntry>>;
  /**
   * Writes every entry if each still has the version read (0: still absent), else none and returns
   * false (another evaluation got there first; read again and re-evaluate). Versions go up by one.
   */
  putRuleState(entries: RuleStateEntry[], expiresAt: number): Promise<boolean>;
  /** Keeps the newest time per guest. */
  recordLastSeen(entries: LastSeen[]): Promise<void>;
  listLastSeen(): Promise<LastSeen[]>;
}
