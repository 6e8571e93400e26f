/**
 * Deps for a function running on AWS, built from the environment infra sets (AWS_ENV, and one
 * OUTBOARD_QUEUE_URL_<QUEUE> per topology queue the function may send to).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EBSClient } from '@aws-sdk/client-ebs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { TenantId } from '../../contracts/common.ts';
import type { ConnectorKind } from '../../contracts/guest.ts';
import { AWS_ENV, type Deps, ESTATES, type TenancyConfig } from '../../deps.ts';
import { EbsSnapshotSource } from '../../disk/block/ebs-source.ts';
import type { Connector, Connectors, ObjectStore } from '../../ports.ts';
import { topology } from '../../topology.ts';
import { DynamoDbMonitorStateStore } from './dynamodb-monitor-state.ts';
import { DynamoDbRegistry } from './dynamodb-registry.ts';
import { Ec2Connector } from './ec2-connector.ts';
import { queueUrlEnvName } from './env.ts';
import { EventBridgePublisher } from './eventbridge-publisher.ts';
import { EventBridgeScheduleManager } from './eventbridge-scheduler.ts';
import { S3BucketReader } from './s3-bucket-reader.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import { SqsQueueSender } from './sqs-queue-sender.ts';

export class AwsEnvError extends Error {
  override name = 'AwsEnvError';
}

export class ConnectorUnavailableError extends Error {
  override name = 'ConnectorUnavailableError';
}

type Env = Record<string, string | undefined>;

const setting = z
  .string({ error: (issue) => (issue.input === undefined ? 'not set' : 'not a string') })
  .trim();
const nonEmpty = setting.min(1, 'empty');
const arn = (service: string, resource: string) =>
  nonEmpty.regex(
    new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}`),
    `not ${resource} ARN`,
  );

const AwsEnv = z.object({
  [AWS_ENV.tableName]: nonEmpty,
  [AWS_ENV.bucketName]: nonEmpty,
  [AWS_ENV.archiveBucketName]: setting.optional(),
  [AWS_ENV.busName]: nonEmpty,
  [AWS_ENV.busArn]: arn('events', 'event-bus/'),
  [AWS_ENV.scheduleGroup]: nonEmpty,
  [AWS_ENV.schedulerRoleArn]: arn('iam', 'role/'),
  [AWS_ENV.estate]: z.enum(ESTATES, { error: `not one of ${ESTATES.join(', ')}` }),
  [AWS_ENV.internalTenantId]: setting.optional(),
  [AWS_ENV.tenantClaim]: setting.optional(),
});

/** The variables the estate requires (checked apart, so every problem is reported at once). */
function tenancyProblems(env: Env): string[] {
  const problems: string[] = [];
  const tenantId = env[AWS_ENV.internalTenantId]?.trim();
  if (env[AWS_ENV.estate] === 'internal') {
    const tenant = TenantId.safeParse(tenantId);
    if (tenantId === undefined) {
      problems.push(`${AWS_ENV.internalTenantId}: not set (required when the estate is internal)`);
    } else if (!tenant.success) {
      problems.push(`${AWS_ENV.internalTenantId}: ${tenant.error.issues[0]?.message ?? 'not a tenant id'}`);
    }
  }
  if (env[AWS_ENV.estate] === 'provider' && !env[AWS_ENV.tenantClaim]?.trim()) {
    problems.push(`${AWS_ENV.tenantClaim}: not set (required when the estate is provider)`);
  }
  return problems;
}

export interface AwsConfig {
  tableName: string;
  bucketName: string;
  /** Set only for functions with archive access. */
  archiveBucketName: string | undefined;
  busName: string;
  busArn: string;
  scheduleGroup: string;
  schedulerRoleArn: string;
  tenancy: TenancyConfig;
  /** Topology queue name → URL, for the queues whose variable is set. */
  queueUrls: Record<string, string>;
  region: string | undefined;
}

/** Reads and checks the environment; AwsEnvError names every variable that is missing or wrong. */
export function readAwsEnv(env: Env = process.env): AwsConfig {
  const parsed = AwsEnv.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => `${String(i.path[0] ?? '(environment)')}: ${i.message}`)),
    ...tenancyProblems(env),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new AwsEnvError(
      `AWS environment is not usable (${problems.join('; ')}); no dependencies were built`,
    );
  }
  const e = parsed.data;
  const queueUrls: Record<string, string> = {};
  for (const fn of topology.functions) {
    if (fn.trigger.kind !== 'queue') continue;
    const url = env[queueUrlEnvName(fn.trigger.queue.name)]?.trim();
    if (url) queueUrls[fn.trigger.queue.name] = url;
  }
  return {
    tableName: e[AWS_ENV.tableName],
    bucketName: e[AWS_ENV.bucketName],
    archiveBucketName: e[AWS_ENV.archiveBucketName] || undefined,
    busName: e[AWS_ENV.busName],
    busArn: e[AWS_ENV.busArn],
    scheduleGroup: e[AWS_ENV.scheduleGroup],
    schedulerRoleArn: e[AWS_ENV.schedulerRoleArn],
    tenancy: {
      estate: e[AWS_ENV.estate],
      internalTenantId: e[AWS_ENV.internalTenantId] ?? '',
      tenantClaim: e[AWS_ENV.tenantClaim] ?? '',
    },
    queueUrls,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}

export function awsDeps(env: Env = process.env): Deps {
  const config = readAwsEnv(env);
  const clientConfig = config.region ? { region: config.region } : {};
  const ebs = new EBSClient(clientConfig);
  const ec2 = new Ec2Connector({
    client: new EC2Client(clientConfig),
    region: config.region,
    openEbsSnapshot: (snapshotId) => EbsSnapshotSource.open({ client: ebs, snapshotId }),
  });
  const connectors: Connectors = {
    get(kind: ConnectorKind): Connector {
      if (kind === 'aws-ec2') return ec2;
      throw new ConnectorUnavailableError(
        `connector "${kind}" is not available on AWS (it reads disk images on the machine that runs Outboard locally); nothing was done with it`,
      );
    },
  };
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client(clientConfig);
  return {
    clock: { now: () => new Date() },
    registry: new DynamoDbRegistry({ client: doc, tableName: config.tableName }),
    objects: new S3ObjectStore({ client: s3, bucket: config.bucketName }),
    archive: config.archiveBucketName
      ? new S3ObjectStore({ client: s3, bucket: config.archiveBucketName })
      : unavailableStore(`${AWS_ENV.archiveBucketName} is not set: this function has no archive access`),
    monitorState: new DynamoDbMonitorStateStore({ client: doc, tableName: config.tableName }),
    bus: new EventBridgePublisher({ client: new EventBridgeClient(clientConfig), busName: config.busName }),
    queues: new SqsQueueSender({ client: new SQSClient(clientConfig), queueUrls: config.queueUrls }),
    scheduler: new EventBridgeScheduleManager({
      client: new SchedulerClient(clientConfig),
      groupName: config.scheduleGroup,
      busArn: config.busArn,
      roleArn: config.schedulerRoleArn,
    }),
    connectors,
    buckets: new S3BucketReader({ client: s3 }),
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME || 'outboard' }),
    tenancy: config.tenancy,
  };
}

/** An object store for a function not granted one: every call fails with the reason. */
function unavailableStore(reason: string): ObjectStore {
  const fail = async (): Promise<never> => {
    throw new AwsEnvError(reason);
  };
  return { put: fail, get: fail, head: fail, list: fail, delete: fail };
}
