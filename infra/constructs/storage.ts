/**
 * Outboard's state: the registry table (single-table design, with the monitoring state's TTL), the objects
 * bucket, the monitoring event archive bucket (one expiration rule per retention class), the access-log bucket
 * both log to, and the EventBridge Scheduler schedule group with the role schedules assume to put events on the
 * bus.
 */

import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { REGISTRY_INDEXES, REGISTRY_KEYS, TTL_ATTRIBUTE } from '../../shared/adapters/aws/registry-keys.ts';
import { EVENT_SOURCE } from '../../shared/contracts/events.ts';
import { RETENTION_CLASSES } from '../../shared/monitoring/archive/keys.ts';

/**
 * The registry table's TTL attribute (epoch seconds). Only the monitoring state's items carry it
 * (shared/adapters/aws/dynamodb-monitor-state.ts: event claims and rule state); DynamoDB deletes an item some
 * time after it passes, and the store reads it as absent until then.
 */
export const REGISTRY_TTL_ATTRIBUTE = TTL_ATTRIBUTE;

/** The archive key prefix of a retention class (shared/monitoring/archive/keys.ts): `retention=<days>d/`. */
export const archiveRetentionPrefix = (days: number) => `retention=${days}d/`;

export interface StorageProps {
  /** The bus schedules put their events on. */
  readonly bus: IEventBus;
  /** Removal policy of the table, the buckets and the schedule group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days after which non-current object versions expire. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
  /**
   * Retention classes of the event archive, in days: objects under `retention=<days>d/` expire after that many
   * days. @default RETENTION_CLASSES (the monitoring policy's classes and the unattributed class)
   */
  readonly archiveRetentionDays?: readonly number[];
}

export class Storage extends Construct {
  readonly table: Table;
  /** Names of the table's global secondary indexes. */
  readonly indexNames: readonly string[];
  readonly bucket: Bucket;
  /** The monitoring event archive: write-once objects, each deleted when its retention class runs out. */
  readonly archiveBucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly scheduleGroup: ScheduleGroup;
  /** Assumed by EventBridge Scheduler (schedules of `scheduleGroup` only) to put events on the bus. */
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new Table(this, 'Registry', {
      partitionKey: { name: REGISTRY_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: REGISTRY_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: REGISTRY_TTL_ATTRIBUTE,
      removalPolicy,
    });
    for (const index of REGISTRY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: index.sortKey ? { name: index.sortKey, type: AttributeType.STRING } : undefined,
      });
    }
    this.indexNames = REGISTRY_INDEXES.map((index) => index.indexName);

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to a bucket with SSE-S3 default encryption.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server access log destination of the objects and archive buckets; logging its own access ' +
        'would log into itself (or need yet another log bucket).',
    });

    this.bucket = new Bucket(this, 'Objects', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'objects/',
      lifecycleRules: [
        {
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 90),
        },
      ],
      removalPolicy,
    });

    // Unversioned, deliberately: the retention class is a promise in both directions. An archived object is
    // written once under a key of its own (receive time and writer) and must be gone when its class runs out;
    // with versioning, expiration would only add a delete marker and keep the data as a noncurrent version
    // for as long again as a noncurrent-expiration rule says. Deletion is guarded by IAM instead: only the
    // functions the topology grants `archive: readwrite` may delete.
    this.archiveBucket = new Bucket(this, 'Archive', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'archive/',
      lifecycleRules: archiveLifecycleRules(props.archiveRetentionDays ?? RETENTION_CLASSES),
      removalPolicy,
    });

    this.scheduleGroup = new ScheduleGroup(this, 'ScheduleGroup', { removalPolicy });
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to put scheduled Outboard events on the bus',
      // Confused-deputy protection: only schedules of this account's Outboard schedule group.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': this.scheduleGroup.scheduleGroupArn,
          },
        },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PutScheduledEvents',
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
      }),
    );
  }
}

/**
 * One rule per retention class: what is under `retention=<days>d/` expires after `days` days (and an upload
 * left incomplete under it is aborted after a day). The prefixes end in `d/`, so no class's prefix is a prefix of
 * another's (`retention=7d/` does not cover `retention=730d/`).
 */
export function archiveLifecycleRules(retentionDays: readonly number[]): LifecycleRule[] {
  const classes = [...new Set(retentionDays)].sort((a, b) => a - b);
  if (classes.length === 0) throw new Error('archive: at least one retention class is required');
  for (const days of classes) {
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`archive: retention class ${days} is not a whole number of days of at least 1`);
    }
  }
  return classes.map((days) => ({
    id: `retention-${days}d`,
    prefix: archiveRetentionPrefix(days),
    expiration: Duration.days(days),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  }));
}
