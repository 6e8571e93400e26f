/**
 * Triggers and access the declared topology does not use yet (rule, schedule, a batching window, monitoring
 * state without registry access or with full registry access, a container function sending to another's queue),
 * built from a synthetic topology in a scratch project root. Bundling is skipped
 * (`aws:cdk:bundling-stacks: []`): this is about wiring, and about synthesizing without Docker.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboardStack } from '../../infra/app.ts';
import { MONITOR_STATE_KEY_PATTERNS } from '../../infra/constructs/access-grants.ts';
import { Topology } from '../../shared/topology.ts';
import { arnOf, ref, type Statement } from './support.ts';

const synthetic = Topology.parse({
  functions: [
    {
      name: 'audit-log',
      description: 'Records backup events.',
      entry: 'functions/audit-log/handler.ts',
      factory: 'functions/audit-log/function.ts',
      memoryMb: 256,
      timeoutSeconds: 10,
      concurrency: 1,
      trigger: {
        kind: 'rule',
        rule: {
          name: 'backup-outcomes',
          description: 'Every backup outcome.',
          pattern: {
            source: ['outboard'],
            'detail-type': [{ prefix: 'Backup ' }],
            detail: { tenantId: [{ exists: true }] },
          },
        },
      },
    },
    {
      name: 'nightly-report',
      description: 'Writes the nightly report.',
      entry: 'functions/nightly-report/handler.ts',
      factory: 'functions/nightly-report/function.ts',
      memoryMb: 256,
      timeoutSeconds: 60,
      concurrency: 1,
      trigger: { kind: 'schedule', expression: 'cron(0 3 * * ? *)', timezone: 'Europe/Berlin' },
      access: { objects: 'read' },
    },
    {
      name: 'worker',
      description: 'Works in large batches.',
      entry: 'functions/worker/handler.ts',
      factory: 'functions/worker/function.ts',
      memoryMb: 128,
      timeoutSeconds: 30,
      concurrency: 1,
      trigger: {
        kind: 'queue',
        queue: {
          name: 'work-items',
          batchSize: 50,
          maxBatchingWindowSeconds: 10,
          visibilityTimeoutSeconds: 180,
          maxReceiveCount: 3,
          retentionSeconds: 86_400,
        },
      },
      access: { objects: 'readwrite', registry: 'readwrite', monitorState: true },
    },
    {
      name: 'scanner',
      description: 'Scans with a native engine and hands work on.',
      entry: 'functions/scanner/handler.ts',
      factory: 'functions/scanner/function.ts',
      memoryMb: 2048,
      timeoutSeconds: 300,
      concurrency: 3,
      packaging: 'container',
      trigger: {
        kind: 'queue',
        queue: { name: 'scan-items', batchSize: 1, visibilityTimeoutSeconds: 360, maxReceiveCount: 2 },
      },
      access: { monitorState: true, sendsTo: ['work-items'] },
    },
  ],
});

let root: string;
let stack: OutboardStack;
let template: Template;
const id = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId((c.node.defaultChild ?? c) as Parameters<OutboardStack['getLogicalId']>[0]);

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'outboard-infra-'));
  writeFileSync(path.join(root, 'package-lock.json'), '{}');
  for (const f of synthetic.functions) {
    mkdirSync(path.join(root, path.dirname(f.entry)), { recursive: true });
    writeFileSync(path.join(root, f.entry), 'export const handler = async () => ({});\n');
  }
  writeFileSync(
    path.join(root, 'functions/scanner/Dockerfile'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile syntax, written literally
    'FROM public.ecr.aws/lambda/nodejs:24\nCOPY index.mjs ${LAMBDA_TASK_ROOT}/\nCMD ["index.handler"]\n',
  );
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new OutboardStack(app, 'Synthetic', {
    estate: { estate: 'internal', tenantId: 'internal' },
    topology: synthetic,
    projectRoot: root,
  });
  template = Template.fromStack(stack);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('synthetic topology', () => {
  const statementsOf = (name: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter(
        (p) =>
          JSON.stringify(p.Properties.Roles) ===
          JSON.stringify([ref(id(stack.functions.get(name)!.executionRole))]),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

  it('routes a rule trigger straight to its function, with a DLQ and an invoke permission', () => {
    const fn = stack.functions.get('audit-log')!;
    const rule = stack.fabric.rules.get('backup-outcomes')!;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern:
        synthetic.functions[0]!.trigger.kind === 'rule' ? synthetic.functions[0]!.trigger.rule.pattern : {},
      Targets: [
        { Arn: arnOf(id(fn)), DeadLetterConfig: { Arn: arnOf(id(stack.fabric.deliveryDeadLetters.queue)) } },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(id(fn)),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(id(rule)),
    });
  });

  it('invokes a schedule trigger through EventBridge Scheduler in the timezone of the topology', () => {
    const fn = stack.functions.get('nightly-report')!;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: {
        Arn: arnOf(id(fn)),
        DeadLetterConfig: { Arn: arnOf(id(stack.fabric.deliveryDeadLetters.queue)) },
      },
    });
  });

  it('sets a batching window when the topology asks for one; no scaling bound below 2', () => {
    const fn = stack.functions.get('worker')!;
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]!;
    expect(mapping.Properties).toMatchObject({
      FunctionName: ref(id(fn)),
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 10,
    });
    expect(mapping.Properties.ScalingConfig).toBeUndefined();
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      MessageRetentionPeriod: 86_400,
    });
  });

  it('grants objects read and readwrite as declared', () => {
    const bucket = id(stack.storage.bucket);
    const objects = (name: string) =>
      statementsOf(name).find((s) => s.Sid?.startsWith('Objects') && s.Sid !== 'ObjectsList');
    expect(objects('nightly-report')).toMatchObject({ Sid: 'ObjectsRead', Action: 's3:GetObject' });
    expect(objects('worker')).toMatchObject({
      Sid: 'ObjectsReadWrite',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    });
    expect(statementsOf('worker').find((s) => s.Sid === 'ObjectsList')).toMatchObject({
      Action: 's3:ListBucket',
      Resource: arnOf(bucket),
    });
    expect(objects('audit-log')).toBeUndefined();
  });

  it('builds a container function as an arm64 image function, without Docker, when bundling is skipped', () => {
    const fn = stack.functions.get('scanner')!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Architectures: ['arm64'],
      ImageConfig: { Command: ['index.handler'] },
      MemorySize: 2048,
      ReservedConcurrentExecutions: 3,
    });
    expect(template.toJSON().Resources[id(fn)].Properties.PackageType).toBe('Image');
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify(ref(id(fn))),
    )!;
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 3 });
  });

  it('refuses a container function without a Dockerfile, naming the file', () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'outboard-infra-'));
    try {
      writeFileSync(path.join(bare, 'package-lock.json'), '{}');
      mkdirSync(path.join(bare, 'functions/scanner'), { recursive: true });
      writeFileSync(
        path.join(bare, 'functions/scanner/handler.ts'),
        'export const handler = async () => ({});\n',
      );
      const scanner = synthetic.functions.find((f) => f.name === 'scanner')!;
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      expect(
        () =>
          new OutboardStack(app, 'Bare', {
            estate: { estate: 'internal', tenantId: 'internal' },
            topology: Topology.parse({ functions: [{ ...scanner, access: { monitorState: true } }] }),
            projectRoot: bare,
          }),
      ).toThrow(/functions\/scanner\/Dockerfile is missing: function "scanner" has packaging "container"/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('grants the monitoring state in full, to its own items, when the function has no registry access', () => {
    const table = arnOf(id(stack.storage.table));
    const own = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...MONITOR_STATE_KEY_PATTERNS] } };
    expect(statementsOf('scanner').filter((s) => s.Sid?.startsWith('MonitorState'))).toEqual([
      {
        Sid: 'MonitorStateWrite',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: own,
      },
      {
        Sid: 'MonitorStateRead',
        Effect: 'Allow',
        Action: 'dynamodb:BatchGetItem',
        Resource: table,
        Condition: own,
      },
      {
        Sid: 'MonitorStateListLastSeen',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [table, '/index/gsi1']] },
      },
    ]);
  });

  it('adds nothing for the monitoring state when the registry grant already covers it', () => {
    expect(statementsOf('worker').filter((s) => s.Sid?.startsWith('MonitorState'))).toEqual([]);
    expect(statementsOf('worker').find((s) => s.Sid === 'RegistryReadWrite')).toBeDefined();
  });

  it('lets a function send to the queues it declares, and only those', () => {
    const workItems = id(stack.workQueues.get('work-items')!.queue);
    expect(statementsOf('scanner').filter((s) => JSON.stringify(s.Action).includes('sqs:Send'))).toEqual([
      { Sid: 'SendToQueues', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(workItems) },
    ]);
    for (const name of ['audit-log', 'nightly-report', 'worker']) {
      expect(
        statementsOf(name).filter((s) => JSON.stringify(s.Action).includes('sqs:Send')),
        name,
      ).toEqual([]);
    }
  });

  it('builds no portal API without http triggers', () => {
    expect(stack.portalApi).toBeUndefined();
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });
});
