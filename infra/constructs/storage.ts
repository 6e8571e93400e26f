/**
 * Outboard's state: the registry table (single-table design), the objects bucket with its access-log bucket,
 * and the EventBridge Scheduler schedule group with the role schedules assume to put events on the bus.
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { REGISTRY_INDEXES, REGISTRY_KEYS } from '../../shared/adapters/aws/registry-keys.ts';
import { EVENT_SOURCE } from '../../shared/contracts/events.ts';

export interface StorageProps {
  /** The bus schedules put their events on. */
  readonly bus: IEventBus;
  /** Removal policy of the table, the buckets and the schedule group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days after which non-current object versions expire. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

export class Storage extends Construct {
  readonly table: Table;
  /** Names of the table's global secondary indexes. */
  readonly indexNames: readonly string[];
  readonly bucket: Bucket;
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
        'This bucket is the server access log destination of the objects bucket; logging its own access ' +
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
