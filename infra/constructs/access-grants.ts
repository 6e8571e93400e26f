/**
 * Turns a function's declared `access` and `emits` (shared/topology.ts) into one inline IAM policy of
 * resource-scoped statements, with conditions wherever the service supports them. Nothing is granted that the
 * topology does not declare.
 */

import { type Acknowledgment, ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MONITOR_STATE_PREFIXES } from '../../shared/adapters/aws/registry-keys.ts';
import { EVENT_SOURCE } from '../../shared/contracts/events.ts';
import type { FunctionSpec } from '../../shared/topology.ts';
import { nagResource } from './naming.ts';

/** Tag every snapshot Outboard creates carries; its presence gates tagging and deletion. */
export const SNAPSHOT_TENANT_TAG = 'outboard:tenant';
/** The one tag the connector may add to an existing (tenant-tagged) snapshot. */
export const SNAPSHOT_DEVICE_TAG = 'outboard:device';

export const REGISTRY_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
} as const;

/**
 * What the monitoring state store (shared/adapters/aws/dynamodb-monitor-state.ts) does to the registry table:
 * event claims are conditional PutItems, rule state is written in TransactWriteItems of conditional Puts (each
 * authorized as dynamodb:PutItem; there is no TransactWriteItems action) and read with BatchGetItem, last-seen
 * times are conditional UpdateItems and listed with a Query on `MONITOR_STATE_INDEX`.
 */
export const MONITOR_STATE_ACTIONS = {
  read: ['dynamodb:BatchGetItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  index: ['dynamodb:Query'],
} as const;

/** Partition key patterns of the monitoring state's items: event claims, rule state, last-seen times. */
export const MONITOR_STATE_KEY_PATTERNS = Object.values(MONITOR_STATE_PREFIXES).map((p) => `${p}*`);

/** The registry index the monitoring state lists last-seen items from. */
export const MONITOR_STATE_INDEX = 'gsi1';

/** Keys the archive's objects start with (shared/monitoring/archive/keys.ts: `retention=<days>d/…`). */
export const ARCHIVE_KEY_PATTERN = 'retention=*';

export const SCHEDULE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

export interface AccessResources {
  readonly table: ITable;
  /** Names of the table's global secondary indexes (queried by readers). */
  readonly indexNames: readonly string[];
  readonly bucket: IBucket;
  /** The monitoring event archive bucket. */
  readonly archiveBucket: IBucket;
  readonly bus: IEventBus;
  readonly scheduleGroup: IScheduleGroup;
  /** The role schedules assume; functions managing schedules pass it to EventBridge Scheduler. */
  readonly schedulerRole: IRole;
  /** The work queue of a topology queue name (for `sendsTo`); throws if there is none. */
  queue(name: string): IQueue;
}

function statementsFor(scope: Construct, spec: FunctionSpec, r: AccessResources) {
  const stack = Stack.of(scope);
  const statements: PolicyStatement[] = [];
  const acknowledgments: Acknowledgment[] = [];
  const { access } = spec;

  if (access.registry !== 'none') {
    const indexArns = r.indexNames.map((name) => `${r.table.tableArn}/index/${name}`);
    statements.push(
      new PolicyStatement({
        sid: access.registry === 'read' ? 'RegistryRead' : 'RegistryReadWrite',
        actions: [
          ...REGISTRY_ACTIONS.read,
          ...(access.registry === 'readwrite' ? REGISTRY_ACTIONS.write : []),
        ],
        resources: [r.table.tableArn, ...indexArns],
      }),
    );
  }

  if (access.objects !== 'none') {
    const objectArns = r.bucket.arnForObjects('*');
    statements.push(
      new PolicyStatement({
        sid: access.objects === 'read' ? 'ObjectsRead' : 'ObjectsReadWrite',
        actions: [
          's3:GetObject',
          ...(access.objects === 'readwrite' ? ['s3:PutObject', 's3:DeleteObject'] : []),
        ],
        resources: [objectArns],
      }),
      new PolicyStatement({
        sid: 'ObjectsList',
        actions: ['s3:ListBucket'],
        resources: [r.bucket.bucketArn],
      }),
    );
    acknowledgments.push({
      id: `AwsSolutions-IAM5[Resource::${nagResource(scope, objectArns)}]`,
      reason:
        'Object keys are chosen at run time (tenant-prefixed); object-level S3 actions need the bucket/* ' +
        'ARN. Scoped to the one Outboard objects bucket.',
    });
  }

  if (access.watchedBuckets) {
    // The tenants' buckets are registered at run time (PUT /v1/watched-buckets/{bucket}), so no bucket ARN
    // is known at synth: any object of a bucket owned by this account, read only.
    const watchedObjects = `arn:${Aws.PARTITION}:s3:::*/*`;
    statements.push(
      new PolicyStatement({
        sid: 'WatchedBucketsRead',
        actions: ['s3:GetObject'],
        resources: [watchedObjects],
        conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    acknowledgments.push({
      id: `AwsSolutions-IAM5[Resource::${nagResource(scope, watchedObjects)}]`,
      reason:
        'Watched buckets are registered by tenants at run time, so their names are unknown at synth. Read ' +
        'only (s3:GetObject), and only of buckets this account owns (s3:ResourceAccount); scope it to the ' +
        "tenants' buckets at deploy where they are known.",
    });
  }

  if (access.archive !== 'none') {
    const archiveObjects = r.archiveBucket.arnForObjects(ARCHIVE_KEY_PATTERN);
    statements.push(
      new PolicyStatement({
        sid: access.archive === 'read' ? 'ArchiveRead' : 'ArchiveReadWrite',
        actions: [
          's3:GetObject',
          ...(access.archive === 'readwrite' ? ['s3:PutObject', 's3:DeleteObject'] : []),
        ],
        resources: [archiveObjects],
      }),
      // The archive is only ever listed under a retention class's prefix.
      new PolicyStatement({
        sid: 'ArchiveList',
        actions: ['s3:ListBucket'],
        resources: [r.archiveBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ARCHIVE_KEY_PATTERN } },
      }),
    );
    acknowledgments.push({
      id: `AwsSolutions-IAM5[Resource::${nagResource(scope, archiveObjects)}]`,
      reason:
        'Archive object keys are made at run time (retention class, tenant, guest, receive hour, writer); ' +
        'object-level S3 actions need a key pattern. Scoped to the retention-class prefixes of the one ' +
        'archive bucket.',
    });
  }

  if (access.monitorState) {
    statements.push(...monitorStateStatements(spec, r));
  }

  if (access.sendsTo.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'SendToQueues',
        // SendMessageBatch is authorized as sqs:SendMessage.
        actions: ['sqs:SendMessage'],
        resources: [...new Set(access.sendsTo)].map((name) => r.queue(name).queueArn),
      }),
    );
  }

  if (spec.emits.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'PublishEvents',
        actions: ['events:PutEvents'],
        resources: [r.bus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': EVENT_SOURCE, 'events:detail-type': [...spec.emits] },
        },
      }),
    );
  }

  if (access.scheduler) {
    const scheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${r.scheduleGroup.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    statements.push(
      new PolicyStatement({
        sid: 'ManageSchedules',
        actions: [...SCHEDULE_ACTIONS],
        resources: [scheduleArns],
      }),
      new PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [r.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgments.push({
      id: `AwsSolutions-IAM5[Resource::${nagResource(scope, scheduleArns)}]`,
      reason:
        'Schedule names are per tenant x guest x service and made at run time; the statement is limited ' +
        "to schedules of Outboard's own schedule group.",
    });
  }

  if (access.connector) {
    // Guests may live in any region of the account (ConnectorRef.region), hence region "*".
    const ec2 = (resource: string, account: string = Aws.ACCOUNT_ID) =>
      `arn:${Aws.PARTITION}:ec2:*:${account}:${resource}`;
    const snapshots = ec2('snapshot/*', '');
    statements.push(
      new PolicyStatement({
        sid: 'SnapshotInstances',
        actions: ['ec2:CreateSnapshots'],
        resources: [ec2('instance/*'), ec2('volume/*')],
      }),
      new PolicyStatement({
        sid: 'CreateTenantSnapshots',
        actions: ['ec2:CreateSnapshots'],
        resources: [snapshots],
        conditions: { Null: { [`aws:RequestTag/${SNAPSHOT_TENANT_TAG}`]: 'false' } },
      }),
      new PolicyStatement({
        sid: 'TagSnapshotsOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [snapshots],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
      }),
      // The connector records a volume's device on snapshots it made earlier (an interrupted create):
      // only that one tag, and only on snapshots that already carry the tenant tag.
      new PolicyStatement({
        sid: 'TagTenantSnapshotDevices',
        actions: ['ec2:CreateTags'],
        resources: [snapshots],
        conditions: {
          Null: { [`aws:ResourceTag/${SNAPSHOT_TENANT_TAG}`]: 'false' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [SNAPSHOT_DEVICE_TAG] },
        },
      }),
      new PolicyStatement({
        sid: 'DeleteTenantSnapshots',
        actions: ['ec2:DeleteSnapshot'],
        resources: [snapshots],
        conditions: { Null: { [`aws:ResourceTag/${SNAPSHOT_TENANT_TAG}`]: 'false' } },
      }),
      // Reading snapshot blocks through the EBS direct APIs, only of snapshots Outboard made.
      new PolicyStatement({
        sid: 'ReadTenantSnapshotBlocks',
        actions: ['ebs:ListSnapshotBlocks', 'ebs:GetSnapshotBlock'],
        resources: [snapshots],
        conditions: { Null: { [`aws:ResourceTag/${SNAPSHOT_TENANT_TAG}`]: 'false' } },
      }),
      new PolicyStatement({
        sid: 'DescribeGuests',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
        resources: ['*'],
      }),
    );
    acknowledgments.push({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeInstances, ec2:DescribeVolumes and ec2:DescribeSnapshots support no resource-level ' +
        'permissions; they must use Resource "*".',
    });
    const ec2Reason =
      'Guests are registered at run time, in any region of the account: CreateSnapshots must be allowed ' +
      "on the account's instances and volumes. Snapshot ids are made by EC2, so snapshot ARNs are " +
      `wildcards; creation requires the ${SNAPSHOT_TENANT_TAG} tag, tagging is only allowed while ` +
      `creating (or of ${SNAPSHOT_DEVICE_TAG} alone on tenant-tagged snapshots), and deletion only of ` +
      'snapshots that carry the tenant tag.';
    for (const arn of [ec2('instance/*'), ec2('volume/*'), snapshots]) {
      acknowledgments.push({
        id: `AwsSolutions-IAM5[Resource::${nagResource(scope, arn)}]`,
        reason: ec2Reason,
      });
    }
  }
  return { statements, acknowledgments };
}

/**
 * The monitoring state's grants, less what the registry grant already allows. Writes are limited to the
 * monitoring state's own items (`dynamodb:LeadingKeys`), so a function that only reads the registry cannot
 * write registry records through them.
 */
function monitorStateStatements(spec: FunctionSpec, r: AccessResources): PolicyStatement[] {
  if (!r.indexNames.includes(MONITOR_STATE_INDEX)) {
    throw new Error(
      `access: the monitoring state of ${spec.name} lists from index "${MONITOR_STATE_INDEX}", which the ` +
        `registry table does not have (it has ${r.indexNames.join(', ') || 'none'})`,
    );
  }
  const granted = new Set<string>(
    spec.access.registry === 'none'
      ? []
      : [...REGISTRY_ACTIONS.read, ...(spec.access.registry === 'readwrite' ? REGISTRY_ACTIONS.write : [])],
  );
  const ownItems = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...MONITOR_STATE_KEY_PATTERNS] } };
  const statements: PolicyStatement[] = [];
  const missing = (actions: readonly string[]) => actions.filter((a) => !granted.has(a));
  const write = missing(MONITOR_STATE_ACTIONS.write);
  if (write.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'MonitorStateWrite',
        actions: write,
        resources: [r.table.tableArn],
        conditions: ownItems,
      }),
    );
  }
  const read = missing(MONITOR_STATE_ACTIONS.read);
  if (read.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'MonitorStateRead',
        actions: read,
        resources: [r.table.tableArn],
        conditions: ownItems,
      }),
    );
  }
  const index = missing(MONITOR_STATE_ACTIONS.index);
  if (index.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'MonitorStateListLastSeen',
        actions: index,
        resources: [`${r.table.tableArn}/index/${MONITOR_STATE_INDEX}`],
      }),
    );
  }
  return statements;
}

/**
 * Attaches `<id>` (an inline policy with the function's declared access) to `role`; returns it, or undefined
 * when the function declares no access at all.
 */
export function grantDeclaredAccess(
  scope: Construct,
  id: string,
  role: IRole,
  spec: FunctionSpec,
  resources: AccessResources,
): Policy | undefined {
  const { statements, acknowledgments } = statementsFor(scope, spec, resources);
  if (statements.length === 0) return undefined;
  const policy = new Policy(scope, id, { statements, roles: [role] });
  if (acknowledgments.length > 0) Validations.of(policy).acknowledge(...acknowledgments);
  return policy;
}
