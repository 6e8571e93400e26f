/**
 * The synthesized stack against the topology: every function, queue, rule and route declared in
 * shared/topology.ts, per estate. One synth per estate (bundling runs esbuild), shared by all tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Stage } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCHIVE_KEY_PATTERN,
  MONITOR_STATE_INDEX,
  MONITOR_STATE_KEY_PATTERNS,
} from '../../infra/constructs/access-grants.ts';
import { CONTAINER_HANDLER } from '../../infra/constructs/container-image.ts';
import { isAwsServiceRule } from '../../infra/constructs/event-fabric.ts';
import { DEFAULT_PUBLIC_ROUTES, RECEIPT_STATUS, routeKey } from '../../infra/constructs/portal-api.ts';
import { archiveRetentionPrefix, REGISTRY_TTL_ATTRIBUTE } from '../../infra/constructs/storage.ts';
import { PROJECT_ROOT } from '../../infra/outboard-stack.ts';
import { queueUrlEnvName } from '../../shared/adapters/aws/env.ts';
import { REGISTRY_INDEXES, REGISTRY_KEYS } from '../../shared/adapters/aws/registry-keys.ts';
import { EVENT_SOURCE } from '../../shared/contracts/events.ts';
import { INGEST_ATTRIBUTES } from '../../shared/contracts/ingest.ts';
import { RETENTION_DAYS } from '../../shared/contracts/service.ts';
import { AWS_ENV } from '../../shared/deps.ts';
import { busRules, type FunctionSpec, topology } from '../../shared/topology.ts';
import {
  actionsOf,
  arnOf,
  type Built,
  build,
  INTERNAL_CONTEXT,
  PROVIDER_CONTEXT,
  ref,
  resourcesOf,
  type Statement,
  statementsOfRole,
} from './support.ts';

const run = promisify(execFile);

let internal: Built;
let provider: Built;

beforeAll(() => {
  internal = build(INTERNAL_CONTEXT);
  provider = build(PROVIDER_CONTEXT);
});

const fnIds = (b: Built, name: string) => {
  const fn = b.stack.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return { fn: b.id(fn), role: b.id(fn.executionRole), logGroup: b.id(fn.functionLogGroup) };
};
const props = (b: Built, logicalId: string) => {
  const resource = b.resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties;
};
const envOf = (b: Built, name: string) =>
  (props(b, fnIds(b, name).fn).Environment as { Variables: Record<string, unknown> }).Variables;

const queueFunctions = topology.functions.filter((f) => f.trigger.kind === 'queue');
const httpRoutes = topology.functions.flatMap((f) =>
  f.trigger.kind === 'http' ? f.trigger.routes.map((route) => ({ fn: f, route })) : [],
);
const functionRoutes = httpRoutes.filter(({ route }) => route.sendToQueue === undefined);
const receiptRoutes = httpRoutes.filter(({ route }) => route.sendToQueue !== undefined);
const containerFunctions = topology.functions.filter((f) => f.packaging === 'container');
const zipFunctions = topology.functions.filter((f) => f.packaging === 'zip');
const queueOf = (b: Built, name: string) => {
  const work = b.stack.workQueues.get(name);
  if (!work) throw new Error(`no work queue ${name}`);
  return b.id(work.queue);
};
/** The logical id an `Fn::Join` integration target (`integrations/<id>`) points at. */
const targetIntegration = (target: unknown) =>
  (target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;

describe.each(topology.functions.map((f) => [f.name, f] as const))('function %s', (name, spec) => {
  it('is an arm64 function sized as the topology says', () => {
    expect(props(internal, fnIds(internal, name).fn)).toMatchObject({
      Architectures: ['arm64'],
      MemorySize: spec.memoryMb,
      Timeout: spec.timeoutSeconds,
      ReservedConcurrentExecutions: spec.concurrency,
      TracingConfig: { Mode: 'Active' },
      Description: spec.description,
    });
  });

  it('logs JSON to its own log group with a retention', () => {
    const ids = fnIds(internal, name);
    expect(props(internal, ids.fn).LoggingConfig).toMatchObject({
      LogFormat: 'JSON',
      LogGroup: ref(ids.logGroup),
    });
    expect(internal.resources[ids.logGroup]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90 },
    });
  });

  it('is told where every resource is (AWS_ENV) and who it is; the archive only if it may use it', () => {
    const env = envOf(internal, name);
    const s = internal.stack.storage;
    expect(env[AWS_ENV.archiveBucketName]).toEqual(
      spec.access.archive === 'none' ? undefined : ref(internal.id(s.archiveBucket)),
    );
    expect(env).toMatchObject({
      [AWS_ENV.tableName]: ref(internal.id(s.table)),
      [AWS_ENV.bucketName]: ref(internal.id(s.bucket)),
      [AWS_ENV.busName]: ref(internal.id(internal.stack.fabric.bus)),
      [AWS_ENV.busArn]: arnOf(internal.id(internal.stack.fabric.bus)),
      [AWS_ENV.scheduleGroup]: expect.anything(),
      [AWS_ENV.schedulerRoleArn]: arnOf(internal.id(s.schedulerRole)),
      [AWS_ENV.estate]: 'internal',
      POWERTOOLS_SERVICE_NAME: name,
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const q of queueFunctions) {
      if (q.trigger.kind !== 'queue') continue;
      const queue = internal.stack.workQueues.get(q.trigger.queue.name)!;
      expect(env[queueUrlEnvName(q.trigger.queue.name)]).toEqual(ref(internal.id(queue.queue)));
    }
  });

  it('has a role of its own with no managed policies', () => {
    const role = props(internal, fnIds(internal, name).role);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
  });
});

describe.each(zipFunctions.map((f) => [f.name, f] as const))('zip function %s', (name) => {
  it('runs the Node.js 24 runtime with the bundle handler', () => {
    const p = props(internal, fnIds(internal, name).fn);
    expect(p).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
    expect(p.PackageType).toBeUndefined();
  });
});

describe.each(containerFunctions.map((f) => [f.name, f] as const))('container function %s', (name, spec) => {
  it('is an image function whose command is the bundle handler; no runtime of its own', () => {
    const p = props(internal, fnIds(internal, name).fn);
    expect(p).toMatchObject({ PackageType: 'Image', ImageConfig: { Command: [CONTAINER_HANDLER] } });
    expect(p.Runtime).toBeUndefined();
    expect(p.Handler).toBeUndefined();
    expect(JSON.stringify((p.Code as { ImageUri: unknown }).ImageUri)).toContain('container-assets');
  });

  it('is built from its Dockerfile for arm64, around the handler bundle, only at deploy time', () => {
    const assembly = Stage.of(internal.stack)!.synth();
    const manifest = JSON.parse(
      readFileSync(path.join(assembly.directory, `${internal.stack.artifactId}.assets.json`), 'utf8'),
    ) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };
    const uri = JSON.stringify(
      (props(internal, fnIds(internal, name).fn).Code as { ImageUri: unknown }).ImageUri,
    );
    const tag = Object.keys(manifest.dockerImages).find((hash) => uri.includes(`:${hash}`));
    expect(tag, 'image asset of the function').toBeDefined();
    const source = manifest.dockerImages[tag!]!.source;
    expect(source).toMatchObject({ dockerFile: 'Dockerfile', platform: 'linux/arm64' });
    const context = path.join(assembly.directory, source.directory);
    for (const file of ['Dockerfile', 'index.mjs', 'index.mjs.map']) {
      expect(existsSync(path.join(context, file)), file).toBe(true);
    }
    const dockerfile = readFileSync(path.join(context, 'Dockerfile'), 'utf8');
    expect(dockerfile).toBe(
      readFileSync(path.join(PROJECT_ROOT, path.dirname(spec.entry), 'Dockerfile'), 'utf8'),
    );
  });

  it('Dockerfile: a Node.js 24 Lambda base image, ClamAV, the database at OUTBOARD_AV_DB, the bundle', () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, path.dirname(spec.entry), 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((line) => !line.startsWith('#') && line.trim() !== '');
    expect(instructions).toContain('ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile syntax, matched literally
    expect(instructions.filter((line) => line.startsWith('FROM ${BASE_IMAGE}'))).toHaveLength(2);
    expect(dockerfile).toMatch(/dnf install -y "\$\{CLAMAV_PACKAGE\}"/);
    expect(instructions).toContain('ENV OUTBOARD_AV_DB=/var/task/antivirus-db');
    expect(instructions).toContain('COPY --from=signatures /antivirus-db/ /var/task/antivirus-db/');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile syntax, matched literally
    expect(instructions).toContain('COPY index.mjs index.mjs.map ${LAMBDA_TASK_ROOT}/');
    expect(instructions.at(-1)).toBe(`CMD ["${CONTAINER_HANDLER}"]`);
  });

  it('scales on its queue up to its concurrency, which is also reserved', () => {
    if (spec.trigger.kind !== 'queue') throw new Error('not a queue trigger');
    const queue = queueOf(internal, spec.trigger.queue.name);
    const [mapping] = internal
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(arnOf(queue)));
    expect(mapping![1].Properties).toMatchObject({
      FunctionName: ref(fnIds(internal, name).fn),
      ScalingConfig: { MaximumConcurrency: spec.concurrency },
    });
    expect(props(internal, fnIds(internal, name).fn).ReservedConcurrentExecutions).toBe(spec.concurrency);
  });
});

describe.each(queueFunctions.map((f) => [f.name, f] as const))('queue trigger of %s', (name, spec) => {
  const q = () => {
    if (spec.trigger.kind !== 'queue') throw new Error('not a queue trigger');
    const work = internal.stack.workQueues.get(spec.trigger.queue.name)!;
    return {
      spec: spec.trigger.queue,
      queue: internal.id(work.queue),
      dlq: internal.id(work.deadLetters.queue),
      alarm: internal.id(work.deadLetters.alarm),
    };
  };

  it('has the visibility timeout, retention and redrive policy of the topology', () => {
    const { spec: qs, queue, dlq } = q();
    expect(props(internal, queue)).toEqual({
      VisibilityTimeout: qs.visibilityTimeoutSeconds,
      MessageRetentionPeriod: qs.retentionSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: qs.maxReceiveCount },
    });
    expect(props(internal, dlq)).toEqual({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it('denies requests without TLS on the queue and its DLQ', () => {
    const { queue, dlq } = q();
    for (const id of [queue, dlq]) {
      internal.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(id)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the function in batches with partial batch responses', () => {
    const { spec: qs, queue } = q();
    const mappings = internal
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(arnOf(queue)));
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]![1].Properties!;
    expect(mapping).toMatchObject({
      FunctionName: ref(fnIds(internal, name).fn),
      BatchSize: qs.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: spec.concurrency },
    });
    expect(mapping.MaximumBatchingWindowInSeconds).toBe(
      qs.maxBatchingWindowSeconds > 0 ? qs.maxBatchingWindowSeconds : undefined,
    );
  });

  it('alarms as soon as one message is in the DLQ', () => {
    const { dlq, alarm } = q();
    expect(props(internal, alarm)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  it('lets only the function consume it', () => {
    const { queue } = q();
    for (const f of topology.functions) {
      const consumes = statementsOfRole(internal, fnIds(internal, f.name).role).some(
        (s) => actionsOf(s).includes('sqs:ReceiveMessage') && JSON.stringify(s.Resource).includes(queue),
      );
      expect(consumes, f.name).toBe(f.name === name);
    }
  });
});

describe('event fabric', () => {
  it('has one custom bus', () => {
    expect(internal.ofType('AWS::Events::EventBus')).toHaveLength(1);
  });

  it('archives every outboard event for 365 days', () => {
    internal.template.resourceCountIs('AWS::Events::Archive', 1);
    internal.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: arnOf(internal.id(internal.stack.fabric.bus)),
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: 365,
    });
  });

  it('has exactly the rules of the topology', () => {
    expect(internal.ofType('AWS::Events::Rule')).toHaveLength(busRules().length);
  });

  it.each(busRules().map((r) => [r.rule.name, r] as const))(
    'rule %s has the exact pattern and target',
    (name, r) => {
      const rule = internal.stack.fabric.rules.get(name)!;
      const p = props(internal, internal.id(rule));
      expect(p.EventPattern).toEqual(r.rule.pattern);
      // S3's events arrive on the account's default bus; everything else on Outboard's.
      expect(p.EventBusName).toEqual(
        isAwsServiceRule(r.rule) ? 'default' : ref(internal.id(internal.stack.fabric.bus)),
      );
      expect(p.Description).toBe(r.rule.description);
      const targets = p.Targets as Record<string, unknown>[];
      expect(targets).toHaveLength(1);
      const expectedArn =
        r.target.kind === 'queue'
          ? arnOf(internal.id(internal.stack.workQueues.get(r.target.queue)!.queue))
          : arnOf(fnIds(internal, r.target.function).fn);
      expect(targets[0]).toMatchObject({
        Arn: expectedArn,
        DeadLetterConfig: { Arn: arnOf(internal.id(internal.stack.fabric.deliveryDeadLetters.queue)) },
      });
    },
  );

  it("takes S3's Object Created events from the default bus to the av-object-events queue", () => {
    internal.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'] },
      Targets: [
        Match.objectLike({
          Arn: arnOf(internal.id(internal.stack.workQueues.get('av-object-events')!.queue)),
        }),
      ],
    });
    const reads = statementsOfRole(internal, fnIds(internal, 'av-object-scan').role).filter(
      (s) => s.Sid === 'WatchedBucketsRead',
    );
    expect(reads).toHaveLength(1);
    expect(actionsOf(reads[0]!)).toEqual(['s3:GetObject']);
    expect(reads[0]!.Condition).toEqual({
      StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('has an alarmed, encrypted DLQ for undeliverable events', () => {
    const dl = internal.stack.fabric.deliveryDeadLetters;
    expect(props(internal, internal.id(dl.queue))).toMatchObject({ SqsManagedSseEnabled: true });
    expect(props(internal, internal.id(dl.alarm))).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });
});

describe('storage', () => {
  it('has the registry table: single-table keys, on demand, PITR, protected from deletion', () => {
    const id = internal.id(internal.stack.storage.table);
    expect(internal.resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const p = props(internal, id);
    expect(p).toMatchObject({
      KeySchema: [
        { AttributeName: REGISTRY_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: REGISTRY_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(p.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: REGISTRY_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: REGISTRY_KEYS.sortKey, AttributeType: 'S' },
      ]),
    );
    const indexes = (p.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown[] }[];
    expect(indexes.map((i) => i.IndexName)).toEqual(REGISTRY_INDEXES.map((i) => i.indexName));
    for (const index of REGISTRY_INDEXES) {
      expect(indexes.find((i) => i.IndexName === index.indexName)).toMatchObject({
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
  });

  it('has the objects bucket: private, encrypted, versioned, TLS only, access-logged', () => {
    const s = internal.stack.storage;
    const id = internal.id(s.bucket);
    expect(internal.resources[id]).toMatchObject({ DeletionPolicy: 'Retain' });
    expect(props(internal, id)).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: ref(internal.id(s.accessLogsBucket)) },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    for (const bucket of [s.bucket, s.accessLogsBucket]) {
      internal.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(internal.id(bucket)),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    expect(props(internal, internal.id(s.accessLogsBucket))).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  it('expires the monitoring state by TTL on the registry table', () => {
    expect(props(internal, internal.id(internal.stack.storage.table)).TimeToLiveSpecification).toEqual({
      AttributeName: REGISTRY_TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(REGISTRY_TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('has the archive bucket: private, encrypted, unversioned, TLS only, access-logged, retained', () => {
    const s = internal.stack.storage;
    const id = internal.id(s.archiveBucket);
    expect(internal.resources[id]).toMatchObject({ DeletionPolicy: 'Retain' });
    const p = props(internal, id);
    expect(p).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: ref(internal.id(s.accessLogsBucket)),
        LogFilePrefix: 'archive/',
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(p.VersioningConfiguration).toBeUndefined();
    internal.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(id),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('expires archived events by retention class: one rule per class, prefix retention=<d>d/, d days', () => {
    const rules = (
      props(internal, internal.id(internal.stack.storage.archiveBucket)).LifecycleConfiguration as {
        Rules: { Id: string; Prefix: string; ExpirationInDays: number; Status: string }[];
      }
    ).Rules;
    const classes = [...new Set([...RETENTION_DAYS, 30])].sort((a, b) => a - b);
    expect(rules.map((r) => r.ExpirationInDays)).toEqual(classes);
    for (const days of classes) {
      expect(
        rules.filter((r) => r.Prefix === `retention=${days}d/`),
        `${days}d`,
      ).toEqual([
        expect.objectContaining({
          Prefix: archiveRetentionPrefix(days),
          ExpirationInDays: days,
          Status: 'Enabled',
        }),
      ]);
    }
    expect(new Set(rules.map((r) => r.Id)).size).toBe(rules.length);
  });

  it('has the schedule group and a role only EventBridge Scheduler (this group) can assume', () => {
    const s = internal.stack.storage;
    internal.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const group = internal.id(s.scheduleGroup);
    expect(props(internal, internal.id(s.schedulerRole)).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId'), 'aws:SourceArn': arnOf(group) },
          },
        },
      ],
    });
    const statements = statementsOfRole(internal, internal.id(s.schedulerRole));
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'events:PutEvents',
        Resource: arnOf(internal.id(internal.stack.fabric.bus)),
        Condition: { StringEquals: { 'events:source': EVENT_SOURCE } },
      }),
    ]);
  });
});

describe('IAM follows the declared access, nothing more', () => {
  const statementsOf = (name: string) => statementsOfRole(internal, fnIds(internal, name).role);
  const allActions = (name: string) => statementsOf(name).flatMap(actionsOf);

  it.each(topology.functions.map((f) => [f.name, f] as const))('%s: no wildcard actions', (name) => {
    for (const action of allActions(name)) expect(action).not.toMatch(/\*/);
  });

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: Resource "*" only for X-Ray and EC2 Describe*',
    (name, spec) => {
      const star = statementsOf(name).filter((s) => resourcesOf(s).includes('*'));
      const allowed = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
      if (spec.access.connector)
        allowed.push('ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots');
      expect(star.flatMap(actionsOf).sort()).toEqual(allowed.sort());
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))('%s: registry access', (name, spec) => {
    const dynamo = statementsOf(name)
      .filter((s) => s.Sid?.startsWith('Registry'))
      .flatMap(actionsOf);
    const read = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
    ];
    const write = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    const expected = { none: [], read, readwrite: [...read, ...write] }[spec.access.registry];
    expect(dynamo.sort()).toEqual([...expected].sort());
    expect(allActions(name)).not.toContain('dynamodb:Scan');
    // Every DynamoDB grant is the registry's or the monitoring state's.
    const other = statementsOf(name).filter(
      (s) =>
        actionsOf(s).some((a) => a.startsWith('dynamodb:')) &&
        !s.Sid?.startsWith('Registry') &&
        !s.Sid?.startsWith('MonitorState'),
    );
    expect(other).toEqual([]);
  });

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: monitoring state as declared; writes beyond the registry grant only to its own items',
    (name, spec) => {
      const statements = statementsOf(name);
      const own = statements.filter((s) => s.Sid?.startsWith('MonitorState'));
      if (!spec.access.monitorState) {
        expect(own).toEqual([]);
        return;
      }
      const table = JSON.stringify(arnOf(internal.id(internal.stack.storage.table)));
      const allowedOn = (action: string, onIndex: boolean) =>
        statements.filter(
          (s) =>
            actionsOf(s).includes(action) &&
            resourcesOf(s).some((r) =>
              onIndex
                ? JSON.stringify(r).includes(`/index/${MONITOR_STATE_INDEX}`)
                : JSON.stringify(r) === table,
            ),
        );
      for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']) {
        expect(allowedOn(action, false), action).not.toEqual([]);
      }
      expect(allowedOn('dynamodb:Query', true)).not.toEqual([]);
      const leadingKeys = {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...MONITOR_STATE_KEY_PATTERNS] },
      };
      for (const s of own.filter((x) => x.Sid !== 'MonitorStateListLastSeen')) {
        expect(s.Condition, s.Sid).toEqual(leadingKeys);
      }
      if (spec.access.registry === 'read') {
        // The registry grant reads; the monitoring state adds its writes, conditioned.
        expect(own).toEqual([
          {
            Sid: 'MonitorStateWrite',
            Effect: 'Allow',
            Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            Resource: arnOf(internal.id(internal.stack.storage.table)),
            Condition: leadingKeys,
          },
        ]);
      }
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))('%s: objects access', (name, spec) => {
    const s3 = statementsOf(name)
      .filter((s) => s.Sid?.startsWith('Objects'))
      .flatMap(actionsOf);
    const expected = {
      none: [],
      read: ['s3:GetObject', 's3:ListBucket'],
      readwrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
    }[spec.access.objects];
    expect(s3.sort()).toEqual([...expected].sort());
  });

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: archive access as declared, only under the retention-class prefixes',
    (name, spec) => {
      const archive = internal.id(internal.stack.storage.archiveBucket);
      const touching = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(archive));
      const expected = {
        none: [],
        read: ['s3:GetObject', 's3:ListBucket'],
        readwrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
      }[spec.access.archive];
      expect(touching.flatMap(actionsOf).sort()).toEqual([...expected].sort());
      if (spec.access.archive === 'none') return;
      expect(touching.map((s) => s.Sid).sort()).toEqual(
        ['ArchiveList', spec.access.archive === 'read' ? 'ArchiveRead' : 'ArchiveReadWrite'].sort(),
      );
      const objects = touching.find((s) => s.Sid !== 'ArchiveList')!;
      expect(objects.Resource).toEqual({ 'Fn::Join': ['', [arnOf(archive), `/${ARCHIVE_KEY_PATTERN}`]] });
      const list = touching.find((s) => s.Sid === 'ArchiveList')!;
      expect(list).toMatchObject({
        Action: 's3:ListBucket',
        Resource: arnOf(archive),
        Condition: { StringLike: { 's3:prefix': ARCHIVE_KEY_PATTERN } },
      });
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: sends only to the queues it declares (sendsTo)',
    (name, spec) => {
      const sends = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:Send')));
      if (spec.access.sendsTo.length === 0) {
        expect(sends).toEqual([]);
        return;
      }
      expect(sends).toHaveLength(1);
      expect(sends[0]).toMatchObject({ Sid: 'SendToQueues', Action: 'sqs:SendMessage' });
      expect(resourcesOf(sends[0]!)).toEqual(spec.access.sendsTo.map((q) => arnOf(queueOf(internal, q))));
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: puts only its declared detail types, only on the bus',
    (name, spec) => {
      const put = statementsOf(name).filter((s) => actionsOf(s).includes('events:PutEvents'));
      if (spec.emits.length === 0) {
        expect(put).toEqual([]);
        return;
      }
      expect(put).toHaveLength(1);
      expect(put[0]).toMatchObject({
        Resource: arnOf(internal.id(internal.stack.fabric.bus)),
        Condition: { StringEquals: { 'events:source': EVENT_SOURCE, 'events:detail-type': spec.emits } },
      });
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: scheduler access only if declared',
    (name, spec: FunctionSpec) => {
      const statements = statementsOf(name);
      const passRole = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
      const schedules = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
      if (!spec.access.scheduler) {
        expect(passRole).toEqual([]);
        expect(schedules).toEqual([]);
        return;
      }
      expect(passRole).toEqual([
        expect.objectContaining({
          Resource: arnOf(internal.id(internal.stack.storage.schedulerRole)),
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ]);
      expect(schedules).toHaveLength(1);
      expect(actionsOf(schedules[0]!).sort()).toEqual(
        [
          'scheduler:CreateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
          'scheduler:UpdateSchedule',
        ].sort(),
      );
      const groupName = props(internal, internal.id(internal.stack.storage.scheduleGroup)).Name as string;
      expect(JSON.stringify(schedules[0]!.Resource)).toContain(`:schedule/${groupName}/*`);
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: EC2 access only if it uses the connector, with tag conditions',
    (name, spec) => {
      const ec2 = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('ec2:')));
      if (!spec.access.connector) {
        expect(ec2).toEqual([]);
        return;
      }
      const by = (sid: string) => ec2.find((s) => s.Sid === sid) as Statement;
      expect(ec2.flatMap(actionsOf).sort()).toEqual(
        [
          'ec2:CreateSnapshots',
          'ec2:CreateSnapshots',
          'ec2:CreateTags',
          'ec2:CreateTags',
          'ec2:DeleteSnapshot',
          'ec2:DescribeInstances',
          'ec2:DescribeSnapshots',
          'ec2:DescribeVolumes',
        ].sort(),
      );
      expect(by('CreateTenantSnapshots').Condition).toEqual({
        Null: { 'aws:RequestTag/outboard:tenant': 'false' },
      });
      expect(by('TagSnapshotsOnCreate').Condition).toEqual({
        StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' },
      });
      expect(by('TagTenantSnapshotDevices').Condition).toEqual({
        Null: { 'aws:ResourceTag/outboard:tenant': 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['outboard:device'] },
      });
      expect(by('DeleteTenantSnapshots').Condition).toEqual({
        Null: { 'aws:ResourceTag/outboard:tenant': 'false' },
      });
      for (const sid of ['CreateTenantSnapshots', 'TagSnapshotsOnCreate', 'DeleteTenantSnapshots']) {
        expect(JSON.stringify(by(sid).Resource)).toContain(':ec2:*::snapshot/*');
      }
    },
  );

  it.each(topology.functions.map((f) => [f.name, f] as const))(
    '%s: EBS direct API block reads only with the connector, only of tenant-tagged snapshots',
    (name, spec) => {
      const ebs = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('ebs:')));
      if (!spec.access.connector) {
        expect(ebs).toEqual([]);
        return;
      }
      expect(ebs).toHaveLength(1);
      expect(actionsOf(ebs[0]!).sort()).toEqual(['ebs:GetSnapshotBlock', 'ebs:ListSnapshotBlocks']);
      expect(ebs[0]!.Condition).toEqual({ Null: { 'aws:ResourceTag/outboard:tenant': 'false' } });
      expect(JSON.stringify(ebs[0]!.Resource)).toContain(':ec2:*::snapshot/*');
    },
  );

  it('api can pass the scheduler role; backup-trigger cannot', () => {
    const schedulerRole = JSON.stringify(arnOf(internal.id(internal.stack.storage.schedulerRole)));
    const canPass = (name: string) =>
      statementsOf(name).some(
        (s) => actionsOf(s).includes('iam:PassRole') && JSON.stringify(s.Resource) === schedulerRole,
      );
    expect(canPass('api')).toBe(true);
    expect(canPass('backup-trigger')).toBe(false);
  });
});

describe.each([
  ['internal', () => internal],
  ['provider', () => provider],
] as const)('portal API (%s)', (estate, get) => {
  it('has one route per topology route, integrated (payload 2.0) with its function unless it is a receipt', () => {
    const b = get();
    const routes = b.ofType('AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      httpRoutes.map((r) => routeKey(r.route)).sort(),
    );
    for (const { fn, route } of functionRoutes) {
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === routeKey(route))!;
      expect(props(b, targetIntegration(r.Properties.Target))).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(fnIds(b, fn.name).fn),
      });
    }
  });

  it.each(receiptRoutes.map(({ route }) => [routeKey(route), route] as const))(
    '%s sends the body to its queue (SQS-SendMessage), with no function in the path, and answers 202',
    (key, route) => {
      const b = get();
      const [, r] = b.ofType('AWS::ApiGatewayV2::Route').find(([, x]) => x.Properties.RouteKey === key)!;
      const role = b.id(b.stack.portalApi!.receiptRoles.get(route.sendToQueue!)!);
      const integration = props(b, targetIntegration(r.Properties.Target));
      expect(integration).toEqual({
        ApiId: ref(b.id(b.stack.portalApi!.api)),
        IntegrationType: 'AWS_PROXY',
        IntegrationSubtype: 'SQS-SendMessage',
        PayloadFormatVersion: '1.0',
        ConnectionType: 'INTERNET',
        CredentialsArn: arnOf(role),
        RequestParameters: {
          QueueUrl: ref(queueOf(b, route.sendToQueue!)),
          MessageBody: '$request.body',
          MessageAttributes: expect.any(String),
        },
        ResponseParameters: {
          '200': {
            ResponseParameters: [{ Destination: 'overwrite:statuscode', Source: String(RECEIPT_STATUS) }],
          },
        },
      });
      const attributes = JSON.parse(
        (integration.RequestParameters as { MessageAttributes: string }).MessageAttributes,
      );
      const mapped = (expression: string) => ({ DataType: 'String', StringValue: `\${${expression}}` });
      const expected: Record<string, { DataType: string; StringValue: string }> = {
        [INGEST_ATTRIBUTES.contentType]: mapped('request.header.content-type'),
        [INGEST_ATTRIBUTES.sourceIp]: mapped('context.identity.sourceIp'),
        [INGEST_ATTRIBUTES.requestId]: mapped('context.requestId'),
      };
      if (estate === 'provider') {
        expected[INGEST_ATTRIBUTES.tenantId] = mapped(
          `context.authorizer.claims.${PROVIDER_CONTEXT.tenantClaim}`,
        );
      }
      expect(attributes).toEqual(expected);
      // The verified tenant comes last (see receiptMessageAttributes).
      expect(Object.keys(attributes)).toEqual(Object.keys(expected));
      // No Lambda integration or invoke permission for the route.
      const permissions = b
        .ofType('AWS::Lambda::Permission')
        .map(([, p]) => JSON.stringify(p.Properties.SourceArn));
      expect(permissions.filter((arn) => arn.includes(route.path))).toEqual([]);
    },
  );

  it.each(receiptRoutes.map(({ route }) => [routeKey(route), route] as const))(
    '%s: API Gateway assumes a role that may only send to that one queue',
    (_key, route) => {
      const b = get();
      const role = b.id(b.stack.portalApi!.receiptRoles.get(route.sendToQueue!)!);
      expect(props(b, role).AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
        ],
      });
      expect(props(b, role).ManagedPolicyArns).toBeUndefined();
      expect(statementsOfRole(b, role)).toEqual([
        {
          Sid: 'SendReceipts',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: arnOf(queueOf(b, route.sendToQueue!)),
        },
      ]);
    },
  );

  it('authorizes every route as the estate requires', () => {
    const b = get();
    const authorizers = b.ofType('AWS::ApiGatewayV2::Authorizer');
    for (const [, r] of b.ofType('AWS::ApiGatewayV2::Route')) {
      const key = r.Properties.RouteKey as string;
      if (estate === 'internal') {
        expect(r.Properties, key).toMatchObject({ AuthorizationType: 'AWS_IAM' });
      } else if ((DEFAULT_PUBLIC_ROUTES as readonly string[]).includes(key)) {
        expect(r.Properties.AuthorizationType ?? 'NONE', key).toBe('NONE');
      } else {
        expect(r.Properties, key).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: ref(authorizers[0]![0]),
        });
      }
    }
    if (estate === 'internal') {
      expect(authorizers).toEqual([]);
    } else {
      expect(authorizers).toHaveLength(1);
      expect(authorizers[0]![1].Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: PROVIDER_CONTEXT.jwtIssuer, Audience: [...PROVIDER_CONTEXT.jwtAudience] },
      });
    }
  });

  it('logs access as JSON and throttles the default stage', () => {
    const b = get();
    const stage = b.ofType('AWS::ApiGatewayV2::Stage')[0]![1];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: arnOf(b.id(b.stack.portalApi!.accessLogs)) },
    });
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey' });
  });
});

describe('estates', () => {
  it('tell functions the estate and its tenancy setting', () => {
    for (const f of topology.functions) {
      expect(envOf(internal, f.name)).toMatchObject({
        [AWS_ENV.estate]: 'internal',
        [AWS_ENV.internalTenantId]: 'internal',
      });
      expect(envOf(internal, f.name)[AWS_ENV.tenantClaim]).toBeUndefined();
      expect(envOf(provider, f.name)).toMatchObject({
        [AWS_ENV.estate]: 'provider',
        [AWS_ENV.tenantClaim]: PROVIDER_CONTEXT.tenantClaim,
      });
      expect(envOf(provider, f.name)[AWS_ENV.internalTenantId]).toBeUndefined();
    }
  });

  it('differ only in the authorizer, the routes, the function environment and the stack description', () => {
    const a = internal.template.toJSON();
    const b = provider.template.toJSON();
    const ids = (t: typeof a) => Object.keys(t.Resources).sort();
    const added = ids(b).filter((id) => !ids(a).includes(id));
    expect(added.map((id) => b.Resources[id].Type)).toEqual(['AWS::ApiGatewayV2::Authorizer']);
    expect(ids(a).filter((id) => !ids(b).includes(id))).toEqual([]);
    const changed = ids(a).filter(
      (id) => JSON.stringify(a.Resources[id]) !== JSON.stringify(b.Resources[id]),
    );
    expect([...new Set(changed.map((id) => a.Resources[id].Type))].sort()).toEqual([
      'AWS::ApiGatewayV2::Integration',
      'AWS::ApiGatewayV2::Route',
      'AWS::Lambda::Function',
    ]);
    // Of the integrations, only the receipts' message attributes differ (the tenant claim).
    for (const id of changed.filter((x) => a.Resources[x].Type === 'AWS::ApiGatewayV2::Integration')) {
      expect(a.Resources[id].Properties.IntegrationSubtype).toBe('SQS-SendMessage');
      const { MessageAttributes: _a, ...requestA } = a.Resources[id].Properties.RequestParameters;
      const { MessageAttributes: _b, ...requestB } = b.Resources[id].Properties.RequestParameters;
      expect(requestB).toEqual(requestA);
      expect({ ...b.Resources[id].Properties, RequestParameters: {} }).toEqual({
        ...a.Resources[id].Properties,
        RequestParameters: {},
      });
    }
    for (const id of changed.filter((x) => a.Resources[x].Type === 'AWS::Lambda::Function')) {
      const { Environment: _a, ...restA } = a.Resources[id].Properties;
      const { Environment: _b, ...restB } = b.Resources[id].Properties;
      expect(restB).toEqual(restA);
    }
    expect(a.Description).toContain('estate: internal');
    expect(b.Description).toContain('estate: provider');
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['internal', () => internal],
    ['provider', () => provider],
  ] as const)('%s: no unacknowledged errors or warnings', (_estate, get) => {
    const report = new AwsSolutionsChecks().validateScope(get().stack);
    expect(
      report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgment names its construct and gives a real reason', () => {
    const acknowledged: string[] = [];
    for (const node of provider.stack.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          const text = typeof reason === 'string' ? reason : JSON.stringify(reason);
          expect(text.length, id).toBeGreaterThan(60);
          acknowledged.push(`${node.node.path} ${id.replace(/^annotation::/i, '')}`);
        }
      }
    }
    expect(acknowledged.every((a) => a.startsWith('Outboard/'))).toBe(true);
    expect(acknowledged.map((a) => a.replace(/\[.*\]$/, '[…]').split(' ')[1]).sort()).toEqual(
      expect.arrayContaining(['AwsSolutions-APIG4', 'AwsSolutions-S1', 'AwsSolutions-SQS3']),
    );
  });
});

describe('synthesis', () => {
  it('is deterministic', () => {
    const again = build(INTERNAL_CONTEXT);
    expect(again.template.toJSON()).toEqual(internal.template.toJSON());
  });

  it('produces ESM bundles (zip or image context) that load on Node 24 and export handler', async () => {
    const assembly = Stage.of(internal.stack)!.synth();
    const manifest = JSON.parse(
      readFileSync(path.join(assembly.directory, `${internal.stack.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, { source: { directory: string } }> };
    for (const f of topology.functions) {
      const code = props(internal, fnIds(internal, f.name).fn).Code as { S3Key?: string; ImageUri?: unknown };
      const image = Object.entries(manifest.dockerImages).find(([hash]) =>
        JSON.stringify(code.ImageUri ?? '').includes(`:${hash}`),
      );
      const bundle =
        f.packaging === 'container'
          ? path.join(assembly.directory, image![1].source.directory, 'index.mjs')
          : path.join(assembly.directory, `asset.${code.S3Key!.replace(/\.zip$/, '')}`, 'index.mjs');
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'eu-west-1',
            [AWS_ENV.tableName]: 'table',
            [AWS_ENV.bucketName]: 'bucket',
            [AWS_ENV.busName]: 'bus',
            [AWS_ENV.busArn]: 'arn:aws:events:eu-west-1:123456789012:event-bus/bus',
            [AWS_ENV.scheduleGroup]: 'group',
            [AWS_ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/scheduler',
            [AWS_ENV.estate]: 'internal',
            [AWS_ENV.internalTenantId]: 'internal',
          },
        },
      );
      expect(stdout.trim(), f.name).toBe('function');
    }
  });
});
